SELECT
  "Dev",
  COUNT(*) AS "Events",
  CAST(SUM("Bytes") AS BIGINT) AS "Total"
FROM (VALUES
  (CAST('a' AS TEXT), CAST(10 AS BIGINT)),
  (CAST('b' AS TEXT), CAST(5 AS BIGINT)),
  (CAST('a' AS TEXT), CAST(30 AS BIGINT))) AS "_dt"("Dev", "Bytes")
GROUP BY
  "Dev"
