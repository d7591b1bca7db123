SELECT
  "x"
FROM (
  SELECT
    CAST(5 + (
      "i" * 1
    ) AS BIGINT) AS "x"
  FROM RANGE(0, 0) AS "_rows"("i")
) AS "_range1"
