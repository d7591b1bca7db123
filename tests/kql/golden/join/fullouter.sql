SELECT
  "K",
  "L",
  "K1",
  "R"
FROM (
  SELECT
    COALESCE("_l"."K", '') AS "K",
    "_l"."L" AS "L",
    COALESCE("_r"."K", '') AS "K1",
    "_r"."R" AS "R"
  FROM (
    SELECT
      "K",
      "L"
    FROM (VALUES
      (CAST('a' AS TEXT), CAST(1 AS BIGINT)),
      (CAST('b' AS TEXT), CAST(2 AS BIGINT)),
      (CAST('b' AS TEXT), CAST(3 AS BIGINT)),
      (CAST('c' AS TEXT), CAST(4 AS BIGINT))) AS "_dt"("K", "L")
  ) AS "_l"
  FULL OUTER JOIN (
    SELECT
      "K",
      "R"
    FROM (VALUES
      (CAST('b' AS TEXT), CAST(20 AS BIGINT)),
      (CAST('b' AS TEXT), CAST(21 AS BIGINT)),
      (CAST('c' AS TEXT), CAST(30 AS BIGINT)),
      (CAST('d' AS TEXT), CAST(40 AS BIGINT))) AS "_dt"("K", "R")
  ) AS "_r"
    ON "_l"."K" = "_r"."K"
) AS "_j1"
