SELECT
  "A",
  "A" * 2 AS "D"
FROM (VALUES
  (CAST(1 AS BIGINT)),
  (CAST(4 AS BIGINT))) AS "_dt"("A")
