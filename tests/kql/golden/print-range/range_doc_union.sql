SELECT
  "Time"
FROM (
  SELECT
    "Time"
  FROM (
    SELECT
      CAST('2024-01-01 00:00:00' AS TIMESTAMP) + (
        "i" * INTERVAL '1' DAY
      ) AS "Time"
    FROM RANGE(0, 5) AS "_rows"("i")
  ) AS "_range1"
  UNION ALL
  SELECT
    "Time"
  FROM (
    SELECT
      CAST('2024-01-06 00:00:00' AS TIMESTAMP) + (
        "i" * INTERVAL '1' DAY
      ) AS "Time"
    FROM RANGE(0, 5) AS "_rows"("i")
  ) AS "_range1"
) AS "_un2"
ORDER BY
  "Time" ASC NULLS FIRST
