SELECT
  "Id",
  CASE
    WHEN REGEXP_FULL_MATCH(TRIM(JSON_EXTRACT_STRING("Nums", '$')), '[+-]?[0-9]+')
    THEN TRY_CAST(TRIM(JSON_EXTRACT_STRING("Nums", '$')) AS BIGINT)
    ELSE TRY_CAST(TRUNC(TRY_CAST(TRIM(JSON_EXTRACT_STRING("Nums", '$')) AS DOUBLE)) AS BIGINT)
  END AS "Nums"
FROM (
  SELECT
    "Id",
    UNNEST(
      CASE
        WHEN JSON_TYPE("Nums") = 'ARRAY'
        THEN JSON_EXTRACT("Nums", '$[*]')
        WHEN JSON_TYPE("Nums") = 'OBJECT'
        THEN LIST_TRANSFORM(
          MAP_ENTRIES(CAST("Nums" AS MAP(TEXT, JSON))),
          LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
        )
        ELSE ["Nums"]
      END
    ) AS "Nums"
  FROM (VALUES
    (CAST(1 AS BIGINT), CAST(CAST('[10,20]' AS JSON) AS JSON))) AS "_dt"("Id", "Nums")
) AS "_q1"
