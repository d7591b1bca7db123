SELECT
  15 AS "print_0",
  'Wow!' AS "x"
FROM (VALUES
  (1)) AS "_print"("_one")
