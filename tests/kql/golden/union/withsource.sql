SELECT
  "Src",
  "A"
FROM (
  SELECT
    'T1' AS "Src",
    "A"
  FROM (VALUES
    (CAST(1 AS BIGINT))) AS "_dt"("A")
  UNION ALL
  SELECT
    'T2' AS "Src",
    "A"
  FROM (VALUES
    (CAST(2 AS BIGINT))) AS "_dt"("A")
) AS "_un1"
