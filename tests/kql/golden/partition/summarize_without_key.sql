SELECT
  "Total",
  "Transfers"
FROM (
  WITH "__part1_rows" AS MATERIALIZED (
    SELECT
      "Account",
      "Bytes",
      "Account" AS "__part1"
    FROM (VALUES
      (CAST('a' AS TEXT), CAST(10 AS BIGINT)),
      (CAST('a' AS TEXT), CAST(5 AS BIGINT)),
      (CAST('b' AS TEXT), CAST(7 AS BIGINT))) AS "_dt"("Account", "Bytes")
  )
  SELECT
    "__part1",
    "Total",
    "Transfers"
  FROM (
    SELECT
      "_p"."__part1" AS "__part1",
      COALESCE("_g"."Total", "_e"."Total") AS "Total",
      COALESCE("_g"."Transfers", "_e"."Transfers") AS "Transfers"
    FROM (
      SELECT DISTINCT
        "__part1"
      FROM "__part1_rows"
    ) AS "_p"
    LEFT JOIN (
      SELECT
        "__part1",
        CAST(SUM("Bytes") AS BIGINT) AS "Total",
        COUNT(*) AS "Transfers"
      FROM "__part1_rows"
      GROUP BY
        "__part1"
    ) AS "_g"
      ON "_p"."__part1" IS NOT DISTINCT FROM "_g"."__part1"
    CROSS JOIN (
      SELECT
        CAST(SUM("Bytes") AS BIGINT) AS "Total",
        COUNT(*) AS "Transfers"
      FROM "__part1_rows"
      WHERE
        FALSE
    ) AS "_e"
  ) AS "_a2"
) AS "_q3"
