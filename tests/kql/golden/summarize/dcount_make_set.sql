SELECT
  "Dev",
  "Users",
  "Set"
FROM (
  SELECT
    "Dev",
    COUNT(DISTINCT "User") AS "Users",
    COALESCE(
      TO_JSON(ARRAY_AGG(DISTINCT "User") FILTER(WHERE
        NOT (
          "User" IS NULL
        ))),
      CAST('[]' AS JSON)
    ) AS "Set"
  FROM (VALUES
    (CAST('a' AS TEXT), CAST('u1' AS TEXT)),
    (CAST('a' AS TEXT), CAST('u2' AS TEXT)),
    (CAST('a' AS TEXT), CAST('u1' AS TEXT)),
    (CAST('b' AS TEXT), CAST('u3' AS TEXT)),
    (CAST('b' AS TEXT), CAST('u3' AS TEXT))) AS "_dt"("Dev", "User")
  GROUP BY
    "Dev"
) AS "_q1"
WHERE
  "Users" = 1
