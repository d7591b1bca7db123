SELECT
  "t"
FROM (
  SELECT
    INTERVAL '1' HOUR + (
      "i" * INTERVAL '90' MINUTE
    ) AS "t"
  FROM RANGE(0, 3) AS "_rows"("i")
) AS "_range1"
