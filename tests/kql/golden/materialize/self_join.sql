SELECT
  "A",
  "A1"
FROM (
  SELECT
    "_l"."A" AS "A",
    "_r"."A" AS "A1"
  FROM (
    SELECT
      "A"
    FROM (VALUES
      (CAST(1 AS BIGINT)),
      (CAST(2 AS BIGINT))) AS "_dt"("A")
  ) AS "_l"
  INNER JOIN (
    SELECT
      "A"
    FROM (VALUES
      (CAST(1 AS BIGINT)),
      (CAST(2 AS BIGINT))) AS "_dt"("A")
  ) AS "_r"
    ON "_l"."A" = "_r"."A"
) AS "_j1"
