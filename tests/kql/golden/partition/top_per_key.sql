SELECT
  "ReportId",
  "Device",
  "MountTime"
FROM (
  WITH "__part1_rows" AS NOT MATERIALIZED (
    SELECT
      "ReportId",
      "Device",
      "MountTime",
      "ReportId" AS "__part1"
    FROM (VALUES
      (
        CAST(1 AS BIGINT),
        CAST('pc1' AS TEXT),
        CAST(CAST('2024-04-30 10:00:00' AS TIMESTAMP) AS TIMESTAMP)
      ),
      (
        CAST(1 AS BIGINT),
        CAST('pc1' AS TEXT),
        CAST(CAST('2024-04-30 09:00:00' AS TIMESTAMP) AS TIMESTAMP)
      ),
      (
        CAST(2 AS BIGINT),
        CAST('pc2' AS TEXT),
        CAST(CAST('2024-04-29 08:00:00' AS TIMESTAMP) AS TIMESTAMP)
      ),
      (
        CAST(2 AS BIGINT),
        CAST('pc3' AS TEXT),
        CAST(CAST('2024-04-29 07:30:00' AS TIMESTAMP) AS TIMESTAMP)
      ),
      (
        CAST(3 AS BIGINT),
        CAST('pc4' AS TEXT),
        CAST(CAST('2024-04-28 12:00:00' AS TIMESTAMP) AS TIMESTAMP)
      )) AS "_dt"("ReportId", "Device", "MountTime")
  )
  SELECT
    "ReportId",
    "Device",
    "MountTime",
    "__part1"
  FROM (
    SELECT
      "ReportId",
      "Device",
      "MountTime",
      "__part1",
      ROW_NUMBER() OVER (PARTITION BY "__part1" ORDER BY "__part1" ASC NULLS FIRST, "MountTime" DESC) AS "__rank"
    FROM "__part1_rows"
    ORDER BY
      "__part1" ASC NULLS FIRST,
      "MountTime" DESC
  ) AS "_q2"
  WHERE
    "__rank" <= 1
  ORDER BY
    "__part1" ASC NULLS FIRST,
    "MountTime" DESC
) AS "_q3"
ORDER BY
  "__part1" ASC NULLS FIRST,
  "MountTime" DESC
