SELECT
  COUNT(*) AS "Count",
  MAX("N") AS "Max"
FROM (VALUES
  (CAST(1 AS BIGINT))) AS "_dt"("N")
WHERE
  "N" > 5
