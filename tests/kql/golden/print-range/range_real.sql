SELECT
  "x"
FROM (
  SELECT
    CAST(CAST(0 AS DOUBLE) + (
      "i" * CAST(0.25 AS DOUBLE)
    ) AS DOUBLE) AS "x"
  FROM RANGE(0, 5) AS "_rows"("i")
) AS "_range1"
