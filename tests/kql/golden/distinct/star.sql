SELECT DISTINCT
  "A"
FROM (VALUES
  (CAST('x' AS TEXT)),
  (CAST('y' AS TEXT)),
  (CAST('x' AS TEXT))) AS "_dt"("A")
