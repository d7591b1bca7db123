SELECT
  "Host",
  "N",
  "Device",
  "Owner"
FROM (
  SELECT
    "_l"."Host" AS "Host",
    "_l"."N" AS "N",
    "_r"."Device" AS "Device",
    "_r"."Owner" AS "Owner"
  FROM (
    SELECT
      "Host",
      "N"
    FROM (VALUES
      (CAST('pc1' AS TEXT), CAST(1 AS BIGINT)),
      (CAST('pc2' AS TEXT), CAST(2 AS BIGINT))) AS "_dt"("Host", "N")
  ) AS "_l"
  INNER JOIN (
    SELECT
      "Device",
      "Owner"
    FROM (VALUES
      (CAST('pc2' AS TEXT), CAST('bob' AS TEXT))) AS "_dt"("Device", "Owner")
  ) AS "_r"
    ON "_l"."Host" = "_r"."Device"
) AS "_j1"
