SELECT
  "K",
  "V",
  "Name"
FROM (
  SELECT
    "_l"."K" AS "K",
    "_l"."V" AS "V",
    "_r"."Name" AS "Name"
  FROM (
    SELECT
      "K",
      "V"
    FROM (VALUES
      (CAST('a' AS TEXT), CAST(1 AS BIGINT)),
      (CAST('b' AS TEXT), CAST(2 AS BIGINT))) AS "_dt"("K", "V")
  ) AS "_l"
  INNER JOIN (
    SELECT
      "K",
      "Name"
    FROM (VALUES
      (CAST('a' AS TEXT), CAST('alpha' AS TEXT))) AS "_dt"("K", "Name")
  ) AS "_r"
    ON "_l"."K" = "_r"."K"
) AS "_j1"
