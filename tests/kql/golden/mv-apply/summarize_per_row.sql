SELECT
  ANY_VALUE("xMod2") AS "xMod2",
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
  FROM (
    SELECT
      "xMod2",
      "l",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (CAST(1 AS BIGINT), CAST(CAST('[1,3,5,7]' AS JSON) AS JSON)),
      (CAST(0 AS BIGINT), CAST(CAST('[2,4,6,8]' AS JSON) AS JSON))) AS "_dt"("xMod2", "l")
  ) AS "_q1"
) AS "_q2"
GROUP BY
  "__mva1"
