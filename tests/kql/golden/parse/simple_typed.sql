SELECT
  "Msg",
  COALESCE(STRUCT_EXTRACT("__parse1", 'g1'), '') AS "User",
  CASE
    WHEN REGEXP_FULL_MATCH(TRIM(STRUCT_EXTRACT("__parse1", 'g2')), '[+-]?[0-9]+')
    THEN TRY_CAST(TRIM(STRUCT_EXTRACT("__parse1", 'g2')) AS BIGINT)
    ELSE TRY_CAST(TRUNC(TRY_CAST(TRIM(STRUCT_EXTRACT("__parse1", 'g2')) AS DOUBLE)) AS BIGINT)
  END AS "Id"
FROM (
  SELECT
    "Msg",
    CASE
      WHEN REGEXP_MATCHES("Msg", '(?s)^user=(.*?) id=(-?\d+)$')
      THEN REGEXP_EXTRACT("Msg", '(?s)^user=(.*?) id=(-?\d+)$', ['g1', 'g2'])
    END AS "__parse1"
  FROM (VALUES
    (CAST('user=alice id=7' AS TEXT)),
    (CAST('garbage' AS TEXT))) AS "_dt"("Msg")
) AS "_q1"
