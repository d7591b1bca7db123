SELECT
  "Dev",
  STRUCT_EXTRACT("__agg1", 'c0') AS "T",
  STRUCT_EXTRACT("__agg1", 'c1') AS "Cmd"
FROM (
  SELECT
    "Dev",
    ARG_MAX({'c0': "T", 'c1': "Cmd"}, "T") AS "__agg1"
  FROM (VALUES
    (CAST('a' AS TEXT), CAST(1 AS BIGINT), CAST('x' AS TEXT)),
    (CAST('a' AS TEXT), CAST(3 AS BIGINT), CAST('y' AS TEXT)),
    (CAST('b' AS TEXT), CAST(2 AS BIGINT), CAST('z' AS TEXT))) AS "_dt"("Dev", "T", "Cmd")
  GROUP BY
    "Dev"
) AS "_q1"
