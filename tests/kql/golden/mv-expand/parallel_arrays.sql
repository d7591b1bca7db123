SELECT
  "A",
  "B"
FROM (
  SELECT
    UNNEST(
      CASE
        WHEN JSON_TYPE("A") = 'ARRAY'
        THEN JSON_EXTRACT("A", '$[*]')
        WHEN JSON_TYPE("A") = 'OBJECT'
        THEN LIST_TRANSFORM(
          MAP_ENTRIES(CAST("A" AS MAP(TEXT, JSON))),
          LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
        )
        ELSE ["A"]
      END
    ) AS "A",
    UNNEST(
      CASE
        WHEN JSON_TYPE("B") = 'ARRAY'
        THEN JSON_EXTRACT("B", '$[*]')
        WHEN JSON_TYPE("B") = 'OBJECT'
        THEN LIST_TRANSFORM(
          MAP_ENTRIES(CAST("B" AS MAP(TEXT, JSON))),
          LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
        )
        ELSE ["B"]
      END
    ) AS "B"
  FROM (VALUES
    (CAST(CAST('[1,2,3]' AS JSON) AS JSON), CAST(CAST('["x","y"]' AS JSON) AS JSON))) AS "_dt"("A", "B")
) AS "_q1"
