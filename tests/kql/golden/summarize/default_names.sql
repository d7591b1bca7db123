SELECT
  "Dev",
  COUNT(*) AS "count_",
  MAX("Bytes") AS "max_Bytes",
  AVG("Bytes") AS "avg_Bytes"
FROM (VALUES
  (CAST('a' AS TEXT), CAST(10 AS BIGINT)),
  (CAST('a' AS TEXT), CAST(20 AS BIGINT))) AS "_dt"("Dev", "Bytes")
GROUP BY
  "Dev"
