SELECT
  'Hello, World!' AS "banner"
FROM (VALUES
  (1)) AS "_print"("_one")
