SELECT
  "B"
FROM (VALUES
  (CAST(1 AS BIGINT)),
  (CAST(5 AS BIGINT))) AS "_dt"("B")
WHERE
  "B" = (
    SELECT
      MAX("A") AS "max_A"
    FROM (VALUES
      (CAST(1 AS BIGINT)),
      (CAST(5 AS BIGINT)),
      (CAST(3 AS BIGINT))) AS "_dt"("A")
    LIMIT 1
  )
