SELECT
  "Bag"
FROM (
  SELECT
    UNNEST(
      CASE
        WHEN JSON_TYPE("Bag") = 'ARRAY'
        THEN JSON_EXTRACT("Bag", '$[*]')
        WHEN JSON_TYPE("Bag") = 'OBJECT'
        THEN LIST_TRANSFORM(
          MAP_ENTRIES(CAST("Bag" AS MAP(TEXT, JSON))),
          LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
        )
        ELSE ["Bag"]
      END
    ) AS "Bag"
  FROM (VALUES
    (CAST(CAST('{"a":1,"b":2}' AS JSON) AS JSON))) AS "_dt"("Bag")
) AS "_q1"
