SELECT
  "N",
  CASE WHEN "N" < 3 THEN 'small' WHEN "N" < 8 THEN 'medium' ELSE 'large' END AS "Size",
  CASE WHEN (
    "N" % 2
  ) = 1 THEN TRUE ELSE FALSE END AS "Odd"
FROM (VALUES
  (CAST(1 AS BIGINT)),
  (CAST(5 AS BIGINT)),
  (CAST(10 AS BIGINT))) AS "_dt"("N")
