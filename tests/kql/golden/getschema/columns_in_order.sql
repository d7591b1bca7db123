SELECT
  "ColumnName",
  "ColumnOrdinal",
  "DataType",
  "ColumnType"
FROM (VALUES
  (
    CAST('Name' AS TEXT),
    CAST(0 AS INT),
    CAST('System.String' AS TEXT),
    CAST('string' AS TEXT)
  ),
  (
    CAST('When' AS TEXT),
    CAST(1 AS INT),
    CAST('System.DateTime' AS TEXT),
    CAST('datetime' AS TEXT)
  ),
  (
    CAST('Count' AS TEXT),
    CAST(2 AS INT),
    CAST('System.Int64' AS TEXT),
    CAST('long' AS TEXT)
  ),
  (
    CAST('Ok' AS TEXT),
    CAST(3 AS INT),
    CAST('System.SByte' AS TEXT),
    CAST('bool' AS TEXT)
  ),
  (
    CAST('Bag' AS TEXT),
    CAST(4 AS INT),
    CAST('System.Object' AS TEXT),
    CAST('dynamic' AS TEXT)
  ),
  (
    CAST('Ratio' AS TEXT),
    CAST(5 AS INT),
    CAST('System.Double' AS TEXT),
    CAST('real' AS TEXT)
  ),
  (
    CAST('Small' AS TEXT),
    CAST(6 AS INT),
    CAST('System.Int32' AS TEXT),
    CAST('int' AS TEXT)
  ),
  (
    CAST('Span' AS TEXT),
    CAST(7 AS INT),
    CAST('System.TimeSpan' AS TEXT),
    CAST('timespan' AS TEXT)
  )) AS "_schema"("ColumnName", "ColumnOrdinal", "DataType", "ColumnType")
ORDER BY
  "ColumnOrdinal" ASC NULLS FIRST
