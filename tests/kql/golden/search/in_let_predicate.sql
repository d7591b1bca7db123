SELECT
  "$table",
  "A",
  "S"
FROM (
  SELECT
    'T' AS "$table",
    "A",
    "S"
  FROM (VALUES
    (CAST(1 AS BIGINT), CAST('x' AS TEXT)),
    (CAST(2 AS BIGINT), CAST('y' AS TEXT))) AS "_dt"("A", "S")
) AS "_un1"
WHERE
  "A" > 1
