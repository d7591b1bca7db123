SELECT
  "xMod2",
  "l",
  "element"
FROM (
  WITH "__mva1_rows" AS NOT MATERIALIZED (
    SELECT
      "xMod2",
      "l",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (CAST(1 AS BIGINT), CAST(CAST('[1,3,5,7]' AS JSON) AS JSON)),
      (CAST(0 AS BIGINT), CAST(CAST('[2,4,6,8]' AS JSON) AS JSON))) AS "_dt"("xMod2", "l")
  )
  SELECT
    "xMod2",
    "l",
    "__mva1",
    "element"
  FROM (
    SELECT
      "xMod2",
      "l",
      "__mva1",
      "element",
      ROW_NUMBER() OVER (PARTITION BY "__mva1" ORDER BY "__mva1" ASC NULLS FIRST, "element" DESC) AS "__rank"
    FROM (
      SELECT
        "xMod2",
        "l",
        "__mva1",
        CASE
          WHEN REGEXP_FULL_MATCH(TRIM(JSON_EXTRACT_STRING("element", '$')), '[+-]?[0-9]+')
          THEN TRY_CAST(TRIM(JSON_EXTRACT_STRING("element", '$')) AS BIGINT)
          ELSE TRY_CAST(TRUNC(TRY_CAST(TRIM(JSON_EXTRACT_STRING("element", '$')) AS DOUBLE)) AS BIGINT)
        END AS "element"
      FROM (
        SELECT
          "xMod2",
          "l",
          "__mva1",
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
          ) AS "element"
        FROM "__mva1_rows"
      ) AS "_q2"
    ) AS "_q3"
    ORDER BY
      "__mva1" ASC NULLS FIRST,
      "element" DESC
  ) AS "_q4"
  WHERE
    "__rank" <= 2
  ORDER BY
    "__mva1" ASC NULLS FIRST,
    "element" DESC
) AS "_q5"
ORDER BY
  "__mva1" ASC NULLS FIRST,
  "element" DESC
