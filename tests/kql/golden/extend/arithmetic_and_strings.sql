SELECT
  "A",
  "B",
  "A" + "B" AS "C",
  CONCAT('n', COALESCE(CAST("A" AS TEXT), '')) AS "D",
  "A" // 2 AS "E"
FROM (VALUES
  (CAST(3 AS BIGINT), CAST(CAST(1.5 AS DOUBLE) AS DOUBLE))) AS "_dt"("A", "B")
