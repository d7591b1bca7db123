"""`parse` / `parse-where`: simple, relaxed and regex patterns, typed columns, non-matching rows."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import DUPLICATE_COLUMN, INVALID_LITERAL, SYNTAX_ERROR


@pytest.fixture
def procs(lake: Lake) -> Lake:
    lake.insert(
        "DeviceProcessEvents",
        [
            {"DeviceName": "a", "ProcessCommandLine": "cmd.exe /c copy x.txt y.txt size=12 end"},
            {"DeviceName": "b", "ProcessCommandLine": "nothing to see"},
            {"DeviceName": "c", "ProcessCommandLine": "cmd.exe /c COPY p q size=abc end"},
            {"DeviceName": "d", "ProcessCommandLine": "cmd.exe /c move m n size=-7 end\nnext"},
        ],
    )
    return lake


def test_simple_pattern_with_typed_column(procs: Lake) -> None:
    r = procs.run(
        "DeviceProcessEvents"
        " | parse ProcessCommandLine with * '/c ' Verb ' ' Src ' ' Dst ' size=' Size:long *"
        " | project DeviceName, Verb, Src, Dst, Size | sort by DeviceName asc"
    )
    assert r.names == ["DeviceName", "Verb", "Src", "Dst", "Size"]
    assert [c.type.value for c in r.compiled.columns] == [
        "string",
        "string",
        "string",
        "string",
        "long",
    ]
    # no match (b) and a long that is not a number (c, strict): empty strings and nulls
    assert r.rows == [
        ("a", "copy", "x.txt", "y.txt", 12),
        ("b", "", "", "", None),
        ("c", "", "", "", None),
        ("d", "move", "m", "n", -7),
    ]


def test_relaxed_keeps_the_match_and_nulls_the_bad_value(procs: Lake) -> None:
    r = procs.run(
        "DeviceProcessEvents"
        " | parse kind=relaxed ProcessCommandLine with * '/c ' Verb ' ' * ' size=' Size:long ' '"
        " | project DeviceName, Verb, Size | sort by DeviceName asc"
    )
    assert r.rows == [("a", "copy", 12), ("b", "", None), ("c", "COPY", None), ("d", "move", -7)]


def test_last_column_takes_the_rest_and_the_start_is_anchored(procs: Lake) -> None:
    r = procs.run(
        "DeviceProcessEvents | parse ProcessCommandLine with 'cmd.exe /c ' Rest"
        " | project DeviceName, Rest | sort by DeviceName asc"
    )
    assert r.rows == [
        ("a", "copy x.txt y.txt size=12 end"),
        ("b", ""),
        ("c", "COPY p q size=abc end"),
        ("d", "move m n size=-7 end\nnext"),
    ]
    r = procs.run(
        "DeviceProcessEvents | parse ProcessCommandLine with '/c ' Rest | where Rest != ''"
    )
    assert r.rows == []


def test_special_characters_are_literal_in_simple_mode(lake: Lake) -> None:
    lake.insert(
        "DeviceRegistryEvents",
        [{"RegistryKey": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Image File Execution Options\\evil.exe"}],
    )
    r = lake.run(
        "DeviceRegistryEvents"
        ' | parse RegistryKey with @"HKEY_LOCAL_MACHINE\\SOFTWARE\\Image File Execution Options\\"'
        " FileName | project FileName"
    )
    assert r.rows == [("evil.exe",)]
    r = lake.run("DeviceRegistryEvents | parse RegistryKey with 'HKEY.' Rest | project Rest")
    assert r.rows == [("",)]


def test_regex_kind_with_flags(procs: Lake) -> None:
    r = procs.run(
        "DeviceProcessEvents"
        " | parse kind=regex flags=i ProcessCommandLine with @'.*?/C\\s+' Verb:string @'\\s'"
        " | project DeviceName, Verb | sort by DeviceName asc"
    )
    assert r.rows == [("a", "copy"), ("b", ""), ("c", "COPY"), ("d", "move")]


def test_parse_where_drops_rows_that_do_not_match(procs: Lake) -> None:
    r = procs.run(
        "DeviceProcessEvents"
        " | parse-where ProcessCommandLine with * 'size=' Size:int ' end' *"
        " | project DeviceName, Size | sort by DeviceName asc"
    )
    assert r.rows == [("a", 12), ("d", -7)]
    assert r.compiled.columns[1].type.value == "int"


def test_parse_of_a_dynamic_member_and_existing_name(lake: Lake) -> None:
    lake.insert(
        "CloudAppEvents",
        [{"AccountId": "x", "RawEventData": {"Props": [{"NewValue": "Key=abc,Type=k"}]}}],
    )
    r = lake.run(
        "CloudAppEvents | parse RawEventData.Props[0].NewValue with 'Key=' AccountId ',Type=' T"
        " | project AccountId, T"
    )
    assert r.rows == [("abc", "k")]


def test_after_summarize(procs: Lake) -> None:
    r = procs.run(
        "DeviceProcessEvents | summarize n = count() by ProcessCommandLine"
        " | parse ProcessCommandLine with 'cmd.exe /c ' Verb ' ' * | where Verb != ''"
        " | project Verb | sort by Verb asc"
    )
    assert r.rows == [("COPY",), ("copy",), ("move",)]


@pytest.mark.parametrize(
    ("kql", "code", "line", "column"),
    [
        ("DeviceInfo | parse DeviceName with 'a' 'b'", SYNTAX_ERROR, 1, 43),
        ("DeviceInfo | parse kind=fancy DeviceName with x", SYNTAX_ERROR, 1, 25),
        ("DeviceInfo | parse flags=i DeviceName with x", SYNTAX_ERROR, 1, 26),
        ("DeviceInfo\n| parse DeviceName with x:strng", SYNTAX_ERROR, 2, 27),
        ("DeviceInfo | parse DeviceName with x '-' x", DUPLICATE_COLUMN, 1, 42),
        ("DeviceInfo | parse kind=regex DeviceName with '(' x", INVALID_LITERAL, 1, 31),
    ],
)
def test_diagnostics(lake: Lake, kql: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(kql)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column)
