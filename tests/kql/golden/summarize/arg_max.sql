SELECT
  "Dev",
  MAX("T") AS "T",
  ARG_MAX_NULL("Cmd", "T") AS "Cmd"
FROM (VALUES
  (CAST('a' AS TEXT), CAST(1 AS BIGINT), CAST('x' AS TEXT)),
  (CAST('a' AS TEXT), CAST(3 AS BIGINT), CAST('y' AS TEXT)),
  (CAST('b' AS TEXT), CAST(2 AS BIGINT), CAST('z' AS TEXT))) AS "_dt"("Dev", "T", "Cmd")
GROUP BY
  "Dev"
