SELECT
  "Dev",
  COUNT(*) FILTER(WHERE
    "Action" = 'x') AS "x",
  COUNT(*) FILTER(WHERE
    "Action" = 'y') AS "y"
FROM (VALUES
  (CAST('a' AS TEXT), CAST('x' AS TEXT)),
  (CAST('a' AS TEXT), CAST('y' AS TEXT)),
  (CAST('a' AS TEXT), CAST('x' AS TEXT)),
  (CAST('b' AS TEXT), CAST('y' AS TEXT))) AS "_dt"("Dev", "Action")
GROUP BY
  "Dev"
