SELECT
  "Msg",
  COALESCE(SUBSTRING("Msg", NULLIF(STRPOS("Msg", 'b: '), 0) + 3), '') AS "B"
FROM (VALUES
  (CAST('a: x; b: y' AS TEXT))) AS "_dt"("Msg")
