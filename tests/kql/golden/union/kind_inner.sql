SELECT
  "A"
FROM (
  SELECT
    "A"
  FROM (VALUES
    (CAST(1 AS BIGINT), CAST(2 AS BIGINT))) AS "_dt"("A", "B")
  UNION ALL
  SELECT
    "A"
  FROM (VALUES
    (CAST(3 AS BIGINT), CAST(4 AS BIGINT))) AS "_dt"("A", "C")
) AS "_un1"
