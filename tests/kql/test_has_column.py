"""`has` / `hasprefix` / `hassuffix` with a needle computed per row (another column)."""

from __future__ import annotations

from tests.kql.conftest import Lake

ROWS = [
    ("run evil.exe now", "evil.exe"),
    ("run notevil.exe", "evil.exe"),
    ("x=EVIL.EXE", "evil.exe"),
    ("anything", ""),
    ("abc", "abcd"),
    ("evilness", "evil"),
    ("a(b)+c", "(b)+"),
    ("user=bob@contoso.com&x", "Bob@Contoso.com"),
    ("bob@contoso.community", "bob@contoso.com"),
]


def _load(lake: Lake) -> None:
    lake.insert(
        "DeviceProcessEvents",
        [
            {"DeviceName": str(i), "ProcessCommandLine": text, "FileName": needle}
            for i, (text, needle) in enumerate(ROWS)
        ],
    )


def _matching(lake: Lake, op: str) -> list[int]:
    r = lake.run(
        f"DeviceProcessEvents | where ProcessCommandLine {op} FileName | project DeviceName"
    )
    return sorted(int(row[0]) for row in r.rows)


def test_has_column(lake: Lake) -> None:
    _load(lake)
    assert _matching(lake, "has") == [0, 2, 3, 6, 7]
    assert _matching(lake, "!has") == [1, 4, 5, 8]
    assert _matching(lake, "has_cs") == [0, 3, 6]


def test_hasprefix_hassuffix_column(lake: Lake) -> None:
    _load(lake)
    assert _matching(lake, "hasprefix") == [0, 2, 3, 5, 6, 7, 8]
    assert _matching(lake, "hassuffix") == [0, 1, 2, 3, 6, 7]
