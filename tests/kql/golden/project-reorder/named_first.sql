SELECT
  "C",
  "A",
  "B"
FROM (VALUES
  (CAST(1 AS BIGINT), CAST('x' AS TEXT), CAST(TRUE AS BOOLEAN))) AS "_dt"("A", "B", "C")
