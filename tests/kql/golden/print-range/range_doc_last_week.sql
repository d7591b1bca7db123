SELECT
  "LastWeek"
FROM (
  SELECT
    CAST('2024-04-24 12:00:00' AS TIMESTAMP) + (
      "i" * INTERVAL '1' DAY
    ) AS "LastWeek"
  FROM RANGE(0, 8) AS "_rows"("i")
) AS "_range1"
