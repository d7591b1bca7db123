SELECT
  "A",
  "B"
FROM (
  SELECT
    "A",
    '' AS "B"
  FROM (VALUES
    (CAST(1 AS BIGINT))) AS "_dt"("A")
  UNION ALL
  SELECT
    "A",
    "B"
  FROM (VALUES
    (CAST(2 AS BIGINT), CAST('x' AS TEXT))) AS "_dt"("A", "B")
) AS "_un1"
