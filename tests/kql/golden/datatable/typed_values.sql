SELECT
  "S",
  "D",
  "B",
  "R",
  "T"
FROM (VALUES
  (
    CAST('x' AS TEXT),
    CAST(CAST('{"k":1}' AS JSON) AS JSON),
    CAST(FALSE AS BOOLEAN),
    CAST(CAST(2 AS DOUBLE) AS DOUBLE),
    CAST(INTERVAL '1' DAY AS INTERVAL)
  )) AS "_dt"("S", "D", "B", "R", "T")
