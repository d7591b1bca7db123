SELECT
  "Name",
  "Size"
FROM (VALUES
  (CAST('a.exe' AS TEXT), CAST(10 AS BIGINT)),
  (CAST('b.dll' AS TEXT), CAST(20 AS BIGINT)),
  (CAST('c.exe' AS TEXT), CAST(30 AS BIGINT))) AS "_dt"("Name", "Size")
WHERE
  ENDS_WITH(LOWER("Name"), '.exe') AND "Size" > 15
