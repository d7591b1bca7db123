SELECT
  "Id",
  "Tags"
FROM (
  SELECT
    "Id",
    UNNEST(
      CASE
        WHEN JSON_TYPE("Tags") = 'ARRAY'
        THEN JSON_EXTRACT("Tags", '$[*]')
        WHEN JSON_TYPE("Tags") = 'OBJECT'
        THEN LIST_TRANSFORM(
          MAP_ENTRIES(CAST("Tags" AS MAP(TEXT, JSON))),
          LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
        )
        ELSE ["Tags"]
      END
    ) AS "Tags"
  FROM (VALUES
    (CAST(1 AS BIGINT), CAST(CAST('["a","b"]' AS JSON) AS JSON)),
    (CAST(2 AS BIGINT), CAST(CAST('[]' AS JSON) AS JSON)),
    (CAST(3 AS BIGINT), CAST(NULL AS JSON))) AS "_dt"("Id", "Tags")
) AS "_q1"
