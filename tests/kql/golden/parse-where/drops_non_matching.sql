SELECT
  "Msg",
  COALESCE(SUBSTRING("Msg", 6), '') AS "User"
FROM (VALUES
  (CAST('user=bob' AS TEXT)),
  (CAST('nope' AS TEXT))) AS "_dt"("Msg")
WHERE
  STARTS_WITH("Msg", 'user=')
