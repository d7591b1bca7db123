"""Temporary views that show one query the calling tenant's rows for the window, and no others.

Every table the compiled query names becomes a temporary view of the query's own Spark session
(see `session.query_session`) over exactly the Parquet files of that tenant whose day overlaps
the window, filtered to ``start <= time < end``; a table without files is an empty relation
with the table's typed schema. Columns are given their Kusto-matching Spark types here, so the
transpiled SQL sees the same shapes DuckDB's views give it: datetimes as timestamps, timespans
as day-time intervals, dynamic values as JSON text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from xdrlab.lake.schema import KustoType, Table

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType


def spark_type(kusto_type: KustoType) -> DataType:
    """The Spark type a column of `kusto_type` has in the views."""
    from pyspark.sql import types as t

    return {
        KustoType.STRING: t.StringType(),
        KustoType.DATETIME: t.TimestampType(),
        KustoType.LONG: t.LongType(),
        KustoType.INT: t.IntegerType(),
        KustoType.BOOL: t.BooleanType(),
        KustoType.REAL: t.DoubleType(),
        KustoType.DYNAMIC: t.StringType(),
        KustoType.GUID: t.StringType(),
        KustoType.TIMESPAN: t.DayTimeIntervalType(),
        KustoType.DECIMAL: t.DoubleType(),
    }[kusto_type]


def stored_schema(table: Table) -> StructType:
    """How Spark reads the table's Parquet files (before the views convert types)."""
    from pyspark.sql import types as t

    stored: dict[KustoType, DataType] = {
        # Arrow writes naive microsecond timestamps, which Spark reads without a zone...
        KustoType.DATETIME: t.TimestampNTZType(),
        # ...and durations as plain 64-bit microsecond counts.
        KustoType.TIMESPAN: t.LongType(),
    }
    return t.StructType(
        [
            t.StructField(c.name, stored.get(c.type) or spark_type(c.type), nullable=True)
            for c in table.columns
        ]
    )


def table_frame(
    spark: SparkSession, table: Table, files: Sequence[str | Path], start: datetime, end: datetime
) -> DataFrame:
    """The rows of `table` a query may see, every column in schema order with its view type."""
    from pyspark.sql import functions as f

    if not files:
        empty = spark.createDataFrame([], stored_schema(table))
        return empty.select(*(_converted(c.name, c.type) for c in table.columns))
    frame = spark.read.schema(stored_schema(table)).parquet(*(str(path) for path in files))
    if table.time_column is not None:
        # Filtered as stored (zone-less), so Parquet row groups outside the window are skipped.
        time = f.col(table.time_column)
        frame = frame.where((time >= _instant(start)) & (time < _instant(end)))
    return frame.select(*(_converted(c.name, c.type) for c in table.columns))


def register(
    spark: SparkSession, table: Table, files: Sequence[str | Path], start: datetime, end: datetime
) -> None:
    """Bind `table`'s name in `spark` (a per-query session) to the tenant's rows."""
    table_frame(spark, table, files, start, end).createOrReplaceTempView(table.name)


def _converted(name: str, kusto_type: KustoType) -> Column:
    from pyspark.sql import functions as f

    column = f.col(name)
    if kusto_type is KustoType.DATETIME:
        return column.cast(spark_type(kusto_type)).alias(name)
    if kusto_type is KustoType.TIMESPAN:
        seconds = (column / f.lit(1_000_000)).cast("decimal(18,6)")
        zero = f.lit(0)
        return f.make_dt_interval(zero, zero, zero, seconds).alias(name)
    return column


def _instant(moment: datetime) -> Column:
    # Text, not a Python datetime: PySpark would read a naive datetime in the local zone.
    from pyspark.sql import functions as f

    return f.lit(moment.isoformat(sep=" ")).cast("timestamp_ntz")
