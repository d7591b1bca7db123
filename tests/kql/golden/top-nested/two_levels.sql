SELECT
  "State",
  "aggregated_State",
  "Source",
  "aggregated_Source"
FROM (
  WITH "__tn1_rows" AS MATERIALIZED (
    SELECT
      "State",
      "Source",
      "N"
    FROM (VALUES
      (CAST('TX' AS TEXT), CAST('a' AS TEXT), CAST(5 AS BIGINT)),
      (CAST('TX' AS TEXT), CAST('a' AS TEXT), CAST(1 AS BIGINT)),
      (CAST('TX' AS TEXT), CAST('b' AS TEXT), CAST(4 AS BIGINT)),
      (CAST('TX' AS TEXT), CAST('c' AS TEXT), CAST(2 AS BIGINT)),
      (CAST('KS' AS TEXT), CAST('a' AS TEXT), CAST(3 AS BIGINT)),
      (CAST('KS' AS TEXT), CAST('b' AS TEXT), CAST(3 AS BIGINT)),
      (CAST('KS' AS TEXT), CAST('b' AS TEXT), CAST(1 AS BIGINT)),
      (CAST('NY' AS TEXT), CAST('a' AS TEXT), CAST(1 AS BIGINT))) AS "_dt"("State", "Source", "N")
  )
  SELECT
    "State",
    "aggregated_State",
    "Source",
    "aggregated_Source"
  FROM (
    SELECT
      "_t1"."State" AS "State",
      "_t0"."aggregated_State" AS "aggregated_State",
      "_t1"."Source" AS "Source",
      "_t1"."aggregated_Source" AS "aggregated_Source"
    FROM (
      SELECT
        "State",
        "Source",
        "aggregated_Source"
      FROM (
        SELECT
          "State",
          "Source",
          "aggregated_Source",
          ROW_NUMBER() OVER (PARTITION BY "State" ORDER BY "aggregated_Source" DESC) AS "__rank"
        FROM (
          SELECT
            "State",
            "Source",
            CAST(SUM("N") AS BIGINT) AS "aggregated_Source"
          FROM "__tn1_rows"
          GROUP BY
            "State",
            "Source"
        ) AS "_q2"
      ) AS "_q3"
      WHERE
        "__rank" <= 1
    ) AS "_t1"
    INNER JOIN (
      SELECT
        "State",
        "aggregated_State"
      FROM (
        SELECT
          "State",
          CAST(SUM("N") AS BIGINT) AS "aggregated_State"
        FROM "__tn1_rows"
        GROUP BY
          "State"
      ) AS "_q2"
      ORDER BY
        "aggregated_State" DESC
      LIMIT 2
    ) AS "_t0"
      ON "_t1"."State" IS NOT DISTINCT FROM "_t0"."State"
  ) AS "_n4"
) AS "_q5"
