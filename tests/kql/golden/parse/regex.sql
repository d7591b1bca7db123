SELECT
  "Msg",
  CASE
    WHEN REGEXP_FULL_MATCH(TRIM(STRUCT_EXTRACT("__parse1", 'g1')), '[+-]?[0-9]+')
    THEN TRY_CAST(TRIM(STRUCT_EXTRACT("__parse1", 'g1')) AS BIGINT)
    ELSE TRY_CAST(TRUNC(TRY_CAST(TRIM(STRUCT_EXTRACT("__parse1", 'g1')) AS DOUBLE)) AS BIGINT)
  END AS "Num",
  COALESCE(STRUCT_EXTRACT("__parse1", 'g2'), '') AS "Rest"
FROM (
  SELECT
    "Msg",
    CASE
      WHEN REGEXP_MATCHES("Msg", '^id-(-?\d+) (.*?) end')
      THEN REGEXP_EXTRACT("Msg", '^id-(-?\d+) (.*?) end', ['g1', 'g2'])
    END AS "__parse1"
  FROM (VALUES
    (CAST('id-42 ok end' AS TEXT))) AS "_dt"("Msg")
) AS "_q1"
