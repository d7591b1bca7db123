SELECT
  "Number",
  "Expected",
  "Matches"
FROM (
  WITH "__mva1_rows" AS MATERIALIZED (
    SELECT
      "Number",
      "Expected",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (CAST('+4477' AS TEXT), CAST(CAST('["+44","+1"]' AS JSON) AS JSON)),
      (CAST('+3312' AS TEXT), CAST(CAST('["+44"]' AS JSON) AS JSON))) AS "_dt"("Number", "Expected")
  )
  SELECT
    "__mva1",
    "Matches",
    "Number",
    "Expected"
  FROM (
    SELECT
      "_p"."__mva1" AS "__mva1",
      COALESCE("_g"."Matches", "_e"."Matches") AS "Matches",
      "_p"."Number" AS "Number",
      "_p"."Expected" AS "Expected"
    FROM (
      SELECT
        "Number",
        "Expected",
        "__mva1"
      FROM "__mva1_rows"
    ) AS "_p"
    LEFT JOIN (
      SELECT
        "__mva1",
        COUNT(*) FILTER(WHERE
          STARTS_WITH(LOWER("Number"), LOWER(COALESCE(JSON_EXTRACT_STRING("Code", '$'), '')))) AS "Matches"
      FROM (
        SELECT
          "Number",
          "Expected",
          "__mva1",
          UNNEST(
            CASE
              WHEN JSON_TYPE("Expected") = 'ARRAY'
              THEN JSON_EXTRACT("Expected", '$[*]')
              WHEN JSON_TYPE("Expected") = 'OBJECT'
              THEN LIST_TRANSFORM(
                MAP_ENTRIES(CAST("Expected" AS MAP(TEXT, JSON))),
                LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
              )
              ELSE ["Expected"]
            END
          ) AS "Code"
        FROM "__mva1_rows"
      ) AS "_q2"
      GROUP BY
        "__mva1"
    ) AS "_g"
      ON "_p"."__mva1" IS NOT DISTINCT FROM "_g"."__mva1"
    CROSS JOIN (
      SELECT
        COUNT(*) FILTER(WHERE
          STARTS_WITH(LOWER("Number"), LOWER(COALESCE(JSON_EXTRACT_STRING("Code", '$'), '')))) AS "Matches"
      FROM (
        SELECT
          "Number",
          "Expected",
          "__mva1",
          UNNEST(
            CASE
              WHEN JSON_TYPE("Expected") = 'ARRAY'
              THEN JSON_EXTRACT("Expected", '$[*]')
              WHEN JSON_TYPE("Expected") = 'OBJECT'
              THEN LIST_TRANSFORM(
                MAP_ENTRIES(CAST("Expected" AS MAP(TEXT, JSON))),
                LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
              )
              ELSE ["Expected"]
            END
          ) AS "Code"
        FROM "__mva1_rows"
      ) AS "_q2"
      WHERE
        FALSE
    ) AS "_e"
  ) AS "_a3"
) AS "_q4"
