"""`parse` / `parse-where`: simple, relaxed and regex patterns, typed columns, non-matching rows."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import DUPLICATE_COLUMN, INVALID_LITERAL, SYNTAX_ERROR
from xdrlab.lake.schema import hunting_tables


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


# --- the pattern's meaning, checked against Python's regex engine ------------------------------
#
# A simple pattern means a regex anchored at the start: `*` is `.*?` (nothing when last), a
# constant is itself, a string column `(.*?)` (`(.*)$` when last). Most patterns compile to
# strpos/substr instead of a regex; either way the columns must be what the regex captures.

_TEXT = "ab:\\\n"


def _kql_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _oracle(items: list[str | None]) -> re.Pattern[str]:
    """None is `*`, "" a column, any other string a constant."""
    parts = ["(?s)^"]
    last = len(items) - 1
    for i, item in enumerate(items):
        if item is None:
            parts.append(".*?" if i != last else "")
        elif item == "":
            parts.append("(.*)$" if i == last else "(.*?)")
        else:
            parts.append(re.escape(item))
    return re.compile("".join(parts))


_ITEM = st.one_of(
    st.none(), st.just(""), st.text(alphabet=_TEXT.replace("\n", ""), min_size=1, max_size=3)
)


_FILL = st.text(alphabet=_TEXT, max_size=4)
_CONSTANT = st.text(alphabet=_TEXT.replace("\n", ""), min_size=1, max_size=3)


@st.composite
def _shaped(draw: st.DrawFn) -> list[str | None]:
    """A constant after each wildcard (what compiles without a regex), with a column in it."""
    items: list[str | None] = [draw(_CONSTANT)] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 3))):
        items += [draw(st.sampled_from([None, ""])), draw(_CONSTANT)]
    if draw(st.booleans()):
        items.append(draw(st.sampled_from([None, ""])))
    if "" not in items:
        items[items.index(None)] = ""
    return items


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    items=st.one_of(_shaped(), st.lists(_ITEM, min_size=1, max_size=7).filter(lambda xs: "" in xs)),
    # rows made from the pattern (its constants, random text for its wildcards), most of
    # which match, and rows of random text
    fills=st.lists(st.lists(_FILL, min_size=8, max_size=8), max_size=8),
    others=st.lists(st.text(alphabet=_TEXT, max_size=12), max_size=6),
    kind=st.sampled_from(["", "kind=relaxed "]),
    where=st.booleans(),
    source=st.sampled_from(["S", 'strcat(S, "")']),  # a column, or text computed per row
)
def test_columns_are_what_the_regex_captures(
    items: list[str | None],
    fills: list[list[str]],
    others: list[str],
    kind: str,
    where: bool,
    source: str,
) -> None:
    made = ["".join(item or fill[i] for i, item in enumerate(items)) for fill in fills]
    texts = [*made, *others] or [""]
    names = [f"C{i}" for i, item in enumerate(items) if item == ""]
    pattern = " ".join(
        "*" if item is None else f"C{i}" if item == "" else _kql_string(item)
        for i, item in enumerate(items)
    )
    rows = ", ".join(f"{i}, {_kql_string(t)}" for i, t in enumerate(texts))
    operator = "parse-where" if where else "parse"
    kql = (
        f"datatable(I:long, S:string)[{rows}] | {operator} {kind}{source} with {pattern}"
        f" | project I, {', '.join(names)} | sort by I asc"
    )
    regex = _oracle(items)
    expected = []
    for i, t in enumerate(texts):
        m = regex.match(t)
        if m is None and where:
            continue
        expected.append((i, *(m.groups() if m else [""] * len(names))))
    lake = Lake(hunting_tables())
    try:
        assert lake.run(kql).rows == expected, kql
    finally:
        lake.con.close()


def test_a_long_pattern_compiles_to_linear_sql(lake: Lake) -> None:
    """Each constant's position depends on the previous one: computed once per SELECT."""
    pattern = " ".join(f"C{i} '/'" for i in range(40)) + " Rest"
    r = lake.run(f"datatable(S:string)['{'x/' * 45}'] | parse S with {pattern} | project C39, Rest")
    assert r.rows == [("x", "x/x/x/x/x/")]
    assert len(r.sql) < 40_000
