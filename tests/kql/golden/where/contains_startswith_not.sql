SELECT
  "Path"
FROM (VALUES
  (CAST('C:\Windows\System32\cmd.exe' AS TEXT)),
  (CAST('C:\Users\bob\evil.exe' AS TEXT)),
  (CAST('D:\tools\CMD.EXE' AS TEXT))) AS "_dt"("Path")
WHERE
  CONTAINS(LOWER("Path"), 'cmd') AND NOT (
    STARTS_WITH(LOWER("Path"), 'c:')
  )
