SELECT
  "Other"
FROM (VALUES
  (CAST(1 AS BIGINT), CAST(2 AS BIGINT), CAST('o' AS TEXT))) AS "_dt"("Col1", "Col2", "Other")
