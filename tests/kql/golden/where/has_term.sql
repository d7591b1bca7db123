SELECT
  "Cmd"
FROM (VALUES
  (CAST('powershell -enc AAA' AS TEXT)),
  (CAST('cmd /c whoami' AS TEXT)),
  (CAST('PowerShell.exe -nop' AS TEXT)),
  (CAST('notepowershell' AS TEXT))) AS "_dt"("Cmd")
WHERE
  REGEXP_MATCHES("Cmd", '(?i)(?:^|[^\pL\pN])powershell(?:$|[^\pL\pN])')
