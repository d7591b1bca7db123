SELECT
  "Msg",
  COALESCE(STRUCT_EXTRACT("__parse", 'g1'), '') AS "B"
FROM (
  SELECT
    "Msg",
    CASE
      WHEN REGEXP_MATCHES("Msg", '(?s)^.*?b: (.*)$')
      THEN REGEXP_EXTRACT("Msg", '(?s)^.*?b: (.*)$', ['g1'])
    END AS "__parse"
  FROM (VALUES
    (CAST('a: x; b: y' AS TEXT))) AS "_dt"("Msg")
) AS "_q1"
