SELECT
  CAST(SUM("x") AS BIGINT) AS "total",
  COUNT(*) AS "values"
FROM (
  SELECT
    CAST(1 + (
      "i" * 1
    ) AS BIGINT) AS "x"
  FROM RANGE(
    0,
    CASE
      WHEN (
        (
          CAST(1 AS DOUBLE) > 0
          AND CAST((
            SELECT
              4 AS "print_0"
            FROM (VALUES
              (1)) AS "_print"("_one")
            LIMIT 1
          ) AS DOUBLE) - CAST(1 AS DOUBLE) >= 0
        )
        OR (
          CAST(1 AS DOUBLE) < 0
          AND CAST((
            SELECT
              4 AS "print_0"
            FROM (VALUES
              (1)) AS "_print"("_one")
            LIMIT 1
          ) AS DOUBLE) - CAST(1 AS DOUBLE) <= 0
        )
      )
      AND NOT ISNAN(
        (
          CAST((
            SELECT
              4 AS "print_0"
            FROM (VALUES
              (1)) AS "_print"("_one")
            LIMIT 1
          ) AS DOUBLE) - CAST(1 AS DOUBLE)
        ) / CAST(1 AS DOUBLE)
      )
      THEN CAST(LEAST(
        FLOOR(
          (
            CAST((
              SELECT
                4 AS "print_0"
              FROM (VALUES
                (1)) AS "_print"("_one")
              LIMIT 1
            ) AS DOUBLE) - CAST(1 AS DOUBLE)
          ) / CAST(1 AS DOUBLE)
        ),
        9e+18
      ) AS BIGINT) + 1
      ELSE 0
    END
  ) AS "_rows"("i")
) AS "_range1"
