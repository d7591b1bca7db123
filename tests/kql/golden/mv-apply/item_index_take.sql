SELECT
  "Id",
  "Events",
  "Position",
  "Event"
FROM (
  WITH "__mva1_rows" AS NOT MATERIALIZED (
    SELECT
      "Id",
      "Events",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (CAST(1 AS BIGINT), CAST(CAST('["a","b","c"]' AS JSON) AS JSON)),
      (CAST(2 AS BIGINT), CAST(CAST('["d"]' AS JSON) AS JSON)),
      (CAST(3 AS BIGINT), CAST(CAST('[]' AS JSON) AS JSON))) AS "_dt"("Id", "Events")
  )
  SELECT
    "__mva1",
    "i" AS "Position",
    "e" AS "Event",
    "Id",
    "Events"
  FROM (
    SELECT
      "Id",
      "Events",
      "__mva1",
      COALESCE(JSON_EXTRACT_STRING("e", '$'), '') AS "e",
      "i",
      ROW_NUMBER() OVER (PARTITION BY "__mva1" ORDER BY "__mva1" ASC NULLS FIRST, "i" ASC NULLS FIRST) AS "__rank"
    FROM (
      SELECT
        "Id",
        "Events",
        "__mva1",
        UNNEST("__mvl1") AS "e",
        UNNEST(RANGE(LEN("__mvl1"))) AS "i"
      FROM (
        SELECT
          "Id",
          "Events",
          "__mva1",
          CASE
            WHEN JSON_TYPE("Events") = 'ARRAY'
            THEN JSON_EXTRACT("Events", '$[*]')
            WHEN JSON_TYPE("Events") = 'OBJECT'
            THEN LIST_TRANSFORM(
              MAP_ENTRIES(CAST("Events" AS MAP(TEXT, JSON))),
              LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
            )
            ELSE ["Events"]
          END AS "__mvl1"
        FROM "__mva1_rows"
      ) AS "_q2"
    ) AS "_q3"
    ORDER BY
      "__mva1" ASC NULLS FIRST,
      "i" ASC NULLS FIRST
  ) AS "_q4"
  WHERE
    "__rank" <= 2
  ORDER BY
    "__mva1" ASC NULLS FIRST,
    "i" ASC NULLS FIRST
) AS "_q5"
ORDER BY
  "__mva1" ASC NULLS FIRST,
  "Position" ASC NULLS FIRST
