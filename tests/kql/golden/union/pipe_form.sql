SELECT
  "A"
FROM (
  SELECT
    "A"
  FROM (VALUES
    (CAST(1 AS BIGINT))) AS "_dt"("A")
  UNION ALL
  SELECT
    "A"
  FROM (VALUES
    (CAST(2 AS BIGINT))) AS "_dt"("A")
) AS "_un1"
