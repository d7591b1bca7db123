"""The hunting lake: the advanced hunting schema, Parquet files per tenant/table/day, ingestion."""
