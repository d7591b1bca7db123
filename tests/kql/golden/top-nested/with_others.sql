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
    UNION ALL
    SELECT
      "State",
      "aggregated_State",
      "Source",
      "aggregated_Source"
    FROM (
      SELECT
        'All other states' AS "State",
        "_o"."aggregated_State" AS "aggregated_State",
        '' AS "Source",
        CAST(NULL AS BIGINT) AS "aggregated_Source"
      FROM (
        SELECT
          "aggregated_State",
          "__rows"
        FROM (
          SELECT
            CAST(SUM("N") AS BIGINT) AS "aggregated_State",
            COUNT(*) AS "__rows"
          FROM (
            SELECT
              "_l"."Source" AS "Source",
              "_l"."N" AS "N",
              "_l"."State" AS "State"
            FROM (
              SELECT
                "Source",
                "N",
                "State"
              FROM "__tn1_rows"
            ) AS "_l"
            ANTI JOIN (
              SELECT
                "State"
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
            ) AS "_r"
              ON "_l"."State" = "_r"."State"
          ) AS "_j3"
        ) AS "_q4"
        WHERE
          "__rows" > 0
      ) AS "_o"
    ) AS "_w5"
    UNION ALL
    SELECT
      "State",
      "aggregated_State",
      "Source",
      "aggregated_Source"
    FROM (
      SELECT
        "_o"."State" AS "State",
        "_t0"."aggregated_State" AS "aggregated_State",
        'All other sources' AS "Source",
        "_o"."aggregated_Source" AS "aggregated_Source"
      FROM (
        SELECT
          "State",
          "aggregated_Source",
          "__rows"
        FROM (
          SELECT
            "State",
            CAST(SUM("N") AS BIGINT) AS "aggregated_Source",
            COUNT(*) AS "__rows"
          FROM (
            SELECT
              "_l"."N" AS "N",
              "_l"."State" AS "State",
              "_l"."Source" AS "Source"
            FROM (
              SELECT
                "N",
                "State",
                "Source"
              FROM "__tn1_rows"
            ) AS "_l"
            ANTI JOIN (
              SELECT
                "State",
                "Source"
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
            ) AS "_r"
              ON "_l"."State" = "_r"."State" AND "_l"."Source" = "_r"."Source"
          ) AS "_j4"
          GROUP BY
            "State"
        ) AS "_q5"
        WHERE
          "__rows" > 0
      ) AS "_o"
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
        ON "_o"."State" IS NOT DISTINCT FROM "_t0"."State"
    ) AS "_w6"
  ) AS "_u7"
) AS "_q8"
