SELECT
  "Dev",
  "Events",
  TRY_CAST(JSON_EXTRACT_STRING(JSON_EXTRACT("T", '$[1]'), '$') AS TIMESTAMP) AS "Second"
FROM (
  WITH "_ms" AS (
    SELECT
      "Dev" AS "__k1",
      FLOOR(
        (
          EPOCH_US("T") - EPOCH_US(CAST('2024-01-01 00:00:00' AS TIMESTAMP))
        ) / EPOCH_US(INTERVAL '1' DAY)
      ) AS "__bin",
      COUNT(*) AS "__a1"
    FROM (VALUES
      (CAST(CAST('2024-01-01 01:00:00' AS TIMESTAMP) AS TIMESTAMP), CAST('a' AS TEXT)),
      (CAST(CAST('2024-01-02 05:00:00' AS TIMESTAMP) AS TIMESTAMP), CAST('a' AS TEXT)),
      (CAST(CAST('2024-01-02 06:00:00' AS TIMESTAMP) AS TIMESTAMP), CAST('b' AS TEXT))) AS "_dt"("T", "Dev")
    WHERE
      "T" >= CAST('2024-01-01 00:00:00' AS TIMESTAMP)
      AND "T" < CAST('2024-01-03 00:00:00' AS TIMESTAMP)
    GROUP BY
      "Dev",
      FLOOR(
        (
          EPOCH_US("T") - EPOCH_US(CAST('2024-01-01 00:00:00' AS TIMESTAMP))
        ) / EPOCH_US(INTERVAL '1' DAY)
      )
  )
  SELECT
    "_msk"."__k1" AS "Dev",
    TO_JSON(ARRAY_AGG(COALESCE("_ms"."__a1", 0) ORDER BY "_msr"."i")) AS "Events",
    TO_JSON(
      LIST_TRANSFORM(
        RANGE(
          CAST(CEIL(
            (
              EPOCH_US(CAST('2024-01-03 00:00:00' AS TIMESTAMP)) - EPOCH_US(CAST('2024-01-01 00:00:00' AS TIMESTAMP))
            ) / EPOCH_US(INTERVAL '1' DAY)
          ) AS BIGINT)
        ),
        LAMBDA i : CASE
          WHEN CAST('2024-01-01 00:00:00' AS TIMESTAMP) + TO_MICROSECONDS(CAST(i * EPOCH_US(INTERVAL '1' DAY) AS BIGINT)) IS NULL
          THEN ''
          WHEN EPOCH_US(
            CAST('2024-01-01 00:00:00' AS TIMESTAMP) + TO_MICROSECONDS(CAST(i * EPOCH_US(INTERVAL '1' DAY) AS BIGINT))
          ) % 1000000 = 0
          THEN STRFTIME(
            CAST('2024-01-01 00:00:00' AS TIMESTAMP) + TO_MICROSECONDS(CAST(i * EPOCH_US(INTERVAL '1' DAY) AS BIGINT)),
            '%Y-%m-%dT%H:%M:%SZ'
          )
          ELSE STRFTIME(
            CAST('2024-01-01 00:00:00' AS TIMESTAMP) + TO_MICROSECONDS(CAST(i * EPOCH_US(INTERVAL '1' DAY) AS BIGINT)),
            '%Y-%m-%dT%H:%M:%S.%f'
          ) || '0Z'
        END
      )
    ) AS "T"
  FROM (
    SELECT DISTINCT
      "_ms"."__k1"
    FROM "_ms"
  ) AS "_msk"
  CROSS JOIN RANGE(
    CAST(CEIL(
      (
        EPOCH_US(CAST('2024-01-03 00:00:00' AS TIMESTAMP)) - EPOCH_US(CAST('2024-01-01 00:00:00' AS TIMESTAMP))
      ) / EPOCH_US(INTERVAL '1' DAY)
    ) AS BIGINT)
  ) AS "_msr"("i")
  LEFT JOIN "_ms"
    ON "_ms"."__bin" = "_msr"."i" AND "_msk"."__k1" IS NOT DISTINCT FROM "_ms"."__k1"
  GROUP BY
    "_msk"."__k1"
) AS "_q1"
