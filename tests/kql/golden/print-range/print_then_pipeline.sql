SELECT
  "x",
  "when",
  "span",
  "y",
  "when" + "span" AS "later"
FROM (
  SELECT
    1 AS "x",
    CAST('2024-01-02 00:00:00' AS TIMESTAMP) AS "when",
    INTERVAL '90' MINUTE AS "span",
    1 + 1 AS "y"
  FROM (VALUES
    (1)) AS "_print"("_one")
) AS "_q1"
