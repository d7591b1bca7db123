SELECT
  "x",
  ROW_NUMBER() OVER () AS "n"
FROM (
  SELECT
    CAST(10 + (
      "i" * (
        -3
      )
    ) AS BIGINT) AS "x"
  FROM RANGE(0, 4) AS "_rows"("i")
) AS "_range1"
