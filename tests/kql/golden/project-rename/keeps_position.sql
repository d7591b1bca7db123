SELECT
  "A" AS "Count",
  "B"
FROM (VALUES
  (CAST(1 AS BIGINT), CAST('x' AS TEXT))) AS "_dt"("A", "B")
