SELECT
  "x",
  "label"
FROM (
  SELECT
    "_l"."x" AS "x",
    "_r"."x" AS "x1",
    "_r"."label" AS "label"
  FROM (
    SELECT
      "x"
    FROM (
      SELECT
        CAST(1 + (
          "i" * 1
        ) AS BIGINT) AS "x"
      FROM RANGE(0, 5) AS "_rows"("i")
    ) AS "_range1"
  ) AS "_l"
  INNER JOIN (
    SELECT
      3 AS "x",
      'three' AS "label"
    FROM (VALUES
      (1)) AS "_print"("_one")
  ) AS "_r"
    ON "_l"."x" = "_r"."x"
) AS "_j2"
