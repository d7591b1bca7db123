SELECT
  "Steps"
FROM (
  SELECT
    CAST(1 + (
      "i" * 3
    ) AS BIGINT) AS "Steps"
  FROM RANGE(0, 3) AS "_rows"("i")
) AS "_range1"
