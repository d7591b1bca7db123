SELECT
  "Account",
  "MessageId"
FROM (
  WITH "__mva1_rows" AS NOT MATERIALIZED (
    SELECT
      "Account",
      "Props",
      ROW_NUMBER() OVER () AS "__mva1"
    FROM (VALUES
      (
        CAST('alice' AS TEXT),
        CAST(CAST('[{"Name":"InternetMessageId","Value":"%3Cm1%40x%3E"},{"Name":"Folder","Value":"Inbox"}]' AS JSON) AS JSON)
      ),
      (
        CAST('bob' AS TEXT),
        CAST(CAST('[{"Name":"Folder","Value":"Sent"}]' AS JSON) AS JSON)
      ),
      (
        CAST('carol' AS TEXT),
        CAST(CAST('[{"Name":"InternetMessageId","Value":"m3"}]' AS JSON) AS JSON)
      )) AS "_dt"("Account", "Props")
  )
  SELECT
    "__mva1",
    COALESCE(
      TRY(
        URL_DECODE(
          REPLACE(COALESCE(JSON_EXTRACT_STRING(JSON_EXTRACT("Props", '$.Value'), '$'), ''), '+', ' ')
        )
      ),
      ''
    ) AS "MessageId",
    "Account"
  FROM (
    SELECT
      "Account",
      UNNEST(
        CASE
          WHEN JSON_TYPE("Props") = 'ARRAY'
          THEN JSON_EXTRACT("Props", '$[*]')
          WHEN JSON_TYPE("Props") = 'OBJECT'
          THEN LIST_TRANSFORM(
            MAP_ENTRIES(CAST("Props" AS MAP(TEXT, JSON))),
            LAMBDA e : JSON_OBJECT(STRUCT_EXTRACT(e, 'key'), STRUCT_EXTRACT(e, 'value'))
          )
          ELSE ["Props"]
        END
      ) AS "Props",
      "__mva1"
    FROM "__mva1_rows"
  ) AS "_q2"
  WHERE
    COALESCE(JSON_EXTRACT_STRING(JSON_EXTRACT("Props", '$.Name'), '$'), '') = 'InternetMessageId'
) AS "_q3"
