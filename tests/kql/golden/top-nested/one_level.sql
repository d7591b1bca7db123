SELECT
  "Dev",
  "aggregated_Dev"
FROM (
  SELECT
    "Dev",
    CAST(SUM("N") AS BIGINT) AS "aggregated_Dev"
  FROM (VALUES
    (CAST('a' AS TEXT), CAST(5 AS BIGINT)),
    (CAST('a' AS TEXT), CAST(1 AS BIGINT)),
    (CAST('b' AS TEXT), CAST(2 AS BIGINT)),
    (CAST('c' AS TEXT), CAST(4 AS BIGINT))) AS "_dt"("Dev", "N")
  GROUP BY
    "Dev"
) AS "_q1"
ORDER BY
  "aggregated_Dev" DESC
LIMIT 2
