SELECT
  "Col1",
  "Col2"
FROM (VALUES
  (CAST(1 AS BIGINT), CAST(2 AS BIGINT), CAST('x' AS TEXT))) AS "_dt"("A", "Col1", "Col2")
