SELECT
  "Msg",
  COALESCE(STRUCT_EXTRACT("__parse", 'g1'), '') AS "User"
FROM (
  SELECT
    "Msg",
    REGEXP_EXTRACT("Msg", '(?s)^user=(.*)$', ['g1']) AS "__parse"
  FROM (VALUES
    (CAST('user=bob' AS TEXT)),
    (CAST('nope' AS TEXT))) AS "_dt"("Msg")
  WHERE
    REGEXP_MATCHES("Msg", '(?s)^user=(.*)$')
) AS "_q1"
