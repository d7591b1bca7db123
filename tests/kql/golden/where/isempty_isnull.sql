SELECT
  "A",
  "B"
FROM (VALUES
  (CAST('' AS TEXT), CAST(1 AS BIGINT)),
  (CAST('x' AS TEXT), CAST(NULL AS BIGINT)),
  (CAST('y' AS TEXT), CAST(2 AS BIGINT))) AS "_dt"("A", "B")
WHERE
  (
    (
      "A" IS NULL
    ) OR (
      "A" = ''
    )
  ) OR "B" IS NULL
