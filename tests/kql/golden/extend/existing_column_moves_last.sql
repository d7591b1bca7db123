SELECT
  "B",
  "A" * 10 AS "A"
FROM (VALUES
  (CAST(1 AS BIGINT), CAST(2 AS BIGINT))) AS "_dt"("A", "B")
