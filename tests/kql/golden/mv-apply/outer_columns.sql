SELECT
  ANY_VALUE("Number") AS "Number",
  ANY_VALUE("Expected") AS "Expected",
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
  FROM (
    SELECT
      "Number",
      "Expected",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (CAST('+4477' AS TEXT), CAST(CAST('["+44","+1"]' AS JSON) AS JSON)),
      (CAST('+3312' AS TEXT), CAST(CAST('["+44"]' AS JSON) AS JSON))) AS "_dt"("Number", "Expected")
  ) AS "_q1"
) AS "_q2"
GROUP BY
  "__mva1"
