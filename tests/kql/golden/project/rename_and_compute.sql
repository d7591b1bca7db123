SELECT
  "B",
  "A" * 2 AS "Double"
FROM (VALUES
  (CAST(1 AS BIGINT), CAST('x' AS TEXT)),
  (CAST(2 AS BIGINT), CAST('y' AS TEXT))) AS "_dt"("A", "B")
