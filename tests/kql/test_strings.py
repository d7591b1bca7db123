"""String operators against hand-computed expectations: case rules and `has` term boundaries."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake

VALUES = [
    "North America",
    "KustoExplorerQueryRun",
    "cmd.exe /c whoami",
    "C:\\Windows\\System32\\CMD.EXE",
    "powershell -enc AAA",
    "",
    "abc_def",
]


@pytest.fixture
def strings(lake: Lake) -> Lake:
    lake.insert(
        "DeviceInfo", [{"DeviceName": v, "OSPlatform": str(i)} for i, v in enumerate(VALUES)]
    )
    return lake


def matches(lake: Lake, predicate: str) -> list[str]:
    r = lake.run(f"DeviceInfo | where {predicate} | project DeviceName, OSPlatform")
    return [name for name, _ in sorted(r.rows, key=lambda row: int(row[1]))]


CASES = [
    # (predicate, expected DeviceName values)
    ('DeviceName == "north america"', []),
    ('DeviceName == "North America"', ["North America"]),
    ('DeviceName =~ "north AMERICA"', ["North America"]),
    ('DeviceName != "North America"', [v for v in VALUES if v != "North America"]),
    ('DeviceName !~ "NORTH america"', [v for v in VALUES if v != "North America"]),
    ('DeviceName has "america"', ["North America"]),
    ('DeviceName has "Explorer"', []),  # a substring of a term is not a term
    ('DeviceName contains "Explorer"', ["KustoExplorerQueryRun"]),
    ('DeviceName contains "explorer"', ["KustoExplorerQueryRun"]),
    ('DeviceName contains_cs "explorer"', []),
    ('DeviceName contains_cs "Explorer"', ["KustoExplorerQueryRun"]),
    ('DeviceName !contains "a"', [v for v in VALUES if "a" not in v.lower()]),
    ('DeviceName has "cmd"', ["cmd.exe /c whoami", "C:\\Windows\\System32\\CMD.EXE"]),
    ('DeviceName has_cs "cmd"', ["cmd.exe /c whoami"]),
    ('DeviceName has "whoami"', ["cmd.exe /c whoami"]),
    ('DeviceName has "who"', []),
    ('DeviceName has "cmd.exe"', ["cmd.exe /c whoami", "C:\\Windows\\System32\\CMD.EXE"]),
    ('DeviceName has "system32\\\\cmd"', ["C:\\Windows\\System32\\CMD.EXE"]),
    ('DeviceName has "-enc"', ["powershell -enc AAA"]),
    ('DeviceName has "abc"', ["abc_def"]),  # `_` is not alphanumeric: it separates terms
    (
        'DeviceName !has "cmd"',
        [v for v in VALUES if v not in ("cmd.exe /c whoami", "C:\\Windows\\System32\\CMD.EXE")],
    ),
    ('DeviceName startswith "NORTH"', ["North America"]),
    ('DeviceName startswith_cs "NORTH"', []),
    ('DeviceName !startswith "c"', [v for v in VALUES if not v.lower().startswith("c")]),
    ('DeviceName endswith ".exe"', ["C:\\Windows\\System32\\CMD.EXE"]),
    ('DeviceName endswith_cs ".exe"', []),
    ('DeviceName !endswith ".EXE"', [v for v in VALUES if not v.lower().endswith(".exe")]),
    ('DeviceName in ("North America", "abc_def")', ["North America", "abc_def"]),
    ('DeviceName in ("north america")', []),
    ('DeviceName in~ ("north america", "ABC_DEF")', ["North America", "abc_def"]),
    ('DeviceName !in ("North America", "")', [v for v in VALUES if v not in ("North America", "")]),
    (
        'DeviceName !in~ ("NORTH AMERICA", "")',
        [v for v in VALUES if v not in ("North America", "")],
    ),
    ('DeviceName has_any ("america", "whoami", "nothing")', ["North America", "cmd.exe /c whoami"]),
    ('DeviceName has_all ("cmd", "whoami")', ["cmd.exe /c whoami"]),
    ('DeviceName has_all ("cmd", "windows")', ["C:\\Windows\\System32\\CMD.EXE"]),
    ('DeviceName matches regex "^[a-z]+\\\\.exe"', ["cmd.exe /c whoami"]),
    ('DeviceName matches regex "(?i)^c:"', ["C:\\Windows\\System32\\CMD.EXE"]),
    ("isempty(DeviceName)", [""]),
    (
        'isnotempty(DeviceName) and DeviceName !has "america" and not(DeviceName contains "_")',
        [
            "KustoExplorerQueryRun",
            "cmd.exe /c whoami",
            "C:\\Windows\\System32\\CMD.EXE",
            "powershell -enc AAA",
        ],
    ),
    ('DeviceName == "" or DeviceName startswith "k"', ["KustoExplorerQueryRun", ""]),
    ("strlen(DeviceName) between (5 .. 13)", ["North America", "abc_def"]),
    ('DeviceName hasprefix "expl"', []),
    ('DeviceName hasprefix "Kusto"', ["KustoExplorerQueryRun"]),
    ('DeviceName hassuffix "ica"', ["North America"]),
]


@pytest.mark.parametrize(("predicate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_string_operator(strings: Lake, predicate: str, expected: list[str]) -> None:
    order = {v: i for i, v in enumerate(VALUES)}
    assert matches(strings, predicate) == sorted(expected, key=order.__getitem__)


def test_string_operators_compile_to_one_cheap_test_on_raw_columns(strings: Lake) -> None:
    # A term match is one case-insensitive RE2 scan of the raw column (no lower() copy first).
    sql = strings.compile('DeviceInfo | where DeviceName has "cmd"').tree.sql(dialect="duckdb")
    assert 'REGEXP_MATCHES("DeviceName", \'(?i)' in sql and "LOWER" not in sql
    sql = strings.compile('DeviceInfo | where DeviceName has "-"').tree.sql(dialect="duckdb")
    assert "CONTAINS(LOWER(\"DeviceName\"), '-')" in sql  # no boundary to check: substring
    sql = strings.compile('DeviceInfo | where DeviceName =~ "CMD"').tree.sql(dialect="duckdb")
    assert "LOWER(\"DeviceName\") = 'cmd'" in sql
    sql = strings.compile('DeviceInfo | where DeviceName contains "CMD"').tree.sql(dialect="duckdb")
    assert "REGEXP" not in sql


def test_let_list_with_in_and_has_any(strings: Lake) -> None:
    r = strings.run(
        'let L1 = dynamic(["abc_def", "nothing"]); let L2 = dynamic(["whoami"]);'
        " DeviceInfo | where DeviceName in (L1) or DeviceName has_any (L2) | project DeviceName"
    )
    assert sorted(r.column("DeviceName")) == ["abc_def", "cmd.exe /c whoami"]


def test_string_functions(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": "  Host-01.Contoso.com ", "OSPlatform": "Windows10"}])
    r = lake.run(
        "DeviceInfo | project a = tolower(DeviceName), b = toupper(OSPlatform),"
        " c = strcat(OSPlatform, '-', 1, '-', true), d = strlen(OSPlatform),"
        " e = substring(OSPlatform, 0, 7), f = substring(OSPlatform, 7), g = split('a,b,,c', ','),"
        " h = replace_string(OSPlatform, 'Windows', 'Win'), i = trim(' ', DeviceName),"
        " j = extract('([A-Za-z]+)-([0-9]+)', 2, DeviceName), k = extract('zzz(.)', 1, DeviceName),"
        " l = trim_start(@'\\s', DeviceName), m = split(OSPlatform, 'dows', 1)"
    )
    row = r.dicts[0]
    assert row["a"] == "  host-01.contoso.com "
    assert row["b"] == "WINDOWS10"
    assert row["c"] == "Windows10-1-true"
    assert row["d"] == 9
    assert row["e"] == "Windows"
    assert row["f"] == "10"
    assert row["g"] == '["a","b","","c"]'
    assert row["h"] == "Win10"
    assert row["i"] == "Host-01.Contoso.com"
    assert row["j"] == "01"
    assert row["k"] == ""
    assert row["l"] == "Host-01.Contoso.com "
    assert row["m"] == '["10"]'
    types = {c.name: c.type.value for c in r.compiled.columns}
    assert types == {
        "a": "string",
        "b": "string",
        "c": "string",
        "d": "long",
        "e": "string",
        "f": "string",
        "g": "dynamic",
        "h": "string",
        "i": "string",
        "j": "string",
        "k": "string",
        "l": "string",
        "m": "dynamic",
    }
