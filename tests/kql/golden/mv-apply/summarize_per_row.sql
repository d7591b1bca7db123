SELECT
  "xMod2",
  "SumOfl"
FROM (
  WITH "__mva1_rows" AS MATERIALIZED (
    SELECT
      "xMod2",
      "l",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (CAST(1 AS BIGINT), CAST(CAST('[1,3,5,7]' AS JSON) AS JSON)),
      (CAST(0 AS BIGINT), CAST(CAST('[2,4,6,8]' AS JSON) AS JSON))) AS "_dt"("xMod2", "l")
  )
  SELECT
    "__mva1",
    "SumOfl",
    "xMod2"
  FROM (
    SELECT
      "_p"."__mva1" AS "__mva1",
      COALESCE("_g"."SumOfl", "_e"."SumOfl") AS "SumOfl",
      "_p"."xMod2" AS "xMod2"
    FROM (
      SELECT
        "xMod2",
        "__mva1"
      FROM "__mva1_rows"
    ) AS "_p"
    LEFT JOIN (
      SELECT
        "__mva1",
        CAST(SUM(
          CASE
            WHEN REGEXP_FULL_MATCH(TRIM(JSON_EXTRACT_STRING("l", '$')), '[+-]?[0-9]+')
            THEN TRY_CAST(TRIM(JSON_EXTRACT_STRING("l", '$')) AS BIGINT)
            ELSE TRY_CAST(TRUNC(TRY_CAST(TRIM(JSON_EXTRACT_STRING("l", '$')) AS DOUBLE)) AS BIGINT)
          END
        ) AS BIGINT) AS "SumOfl"
      FROM (
        SELECT
          "xMod2",
          UNNEST(
            CASE
              WHEN JSON_TYPE("l") = 'ARRAY'
              THEN JSON_EXTRACT("l", '$[*]')
              WHEN JSON_TYPE("l") = 'OBJECT'
              THEN LIST_TRANSFORM(
                MAP_ENTRIES(CAST("l" AS MAP(TEXT, JSON))),
                LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
              )
              ELSE ["l"]
            END
          ) AS "l",
          "__mva1"
        FROM "__mva1_rows"
      ) AS "_q2"
      GROUP BY
        "__mva1"
    ) AS "_g"
      ON "_p"."__mva1" IS NOT DISTINCT FROM "_g"."__mva1"
    CROSS JOIN (
      SELECT
        CAST(SUM(
          CASE
            WHEN REGEXP_FULL_MATCH(TRIM(JSON_EXTRACT_STRING("l", '$')), '[+-]?[0-9]+')
            THEN TRY_CAST(TRIM(JSON_EXTRACT_STRING("l", '$')) AS BIGINT)
            ELSE TRY_CAST(TRUNC(TRY_CAST(TRIM(JSON_EXTRACT_STRING("l", '$')) AS DOUBLE)) AS BIGINT)
          END
        ) AS BIGINT) AS "SumOfl"
      FROM (
        SELECT
          "xMod2",
          UNNEST(
            CASE
              WHEN JSON_TYPE("l") = 'ARRAY'
              THEN JSON_EXTRACT("l", '$[*]')
              WHEN JSON_TYPE("l") = 'OBJECT'
              THEN LIST_TRANSFORM(
                MAP_ENTRIES(CAST("l" AS MAP(TEXT, JSON))),
                LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
              )
              ELSE ["l"]
            END
          ) AS "l",
          "__mva1"
        FROM "__mva1_rows"
      ) AS "_q2"
      WHERE
        FALSE
    ) AS "_e"
  ) AS "_a3"
) AS "_q4"
