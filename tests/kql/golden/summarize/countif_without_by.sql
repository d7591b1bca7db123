SELECT
  COUNT(*) FILTER(WHERE
    (
      "N" % 2
    ) = 0) AS "Even",
  COUNT(*) AS "Total"
FROM (VALUES
  (CAST(1 AS BIGINT)),
  (CAST(2 AS BIGINT)),
  (CAST(3 AS BIGINT)),
  (CAST(4 AS BIGINT))) AS "_dt"("N")
