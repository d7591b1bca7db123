"""Crafted literals and identifiers stay literals (or are refused); garbage never crashes."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tests.kql.conftest import NOW, Lake
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql.diagnostics import INTERNAL_ERROR
from xdrlab.lake.schema import hunting_tables

HOSTILE = [
    "read_csv('/etc/passwd')",
    "'; DROP TABLE x; --",
    '"; DROP TABLE x; --',
    "x' OR '1'='1",
    "\\'; SELECT 1; --",
    "`backtick`",
    "$$dollar$$",
    "\u0000nul",
]


def only_one_select_reading(tree: exp.Expr, tables: set[str]) -> None:
    sql = tree.sql(dialect="duckdb")
    statements = sqlglot.parse(sql, read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], exp.Select)
    read = {t.name for t in statements[0].find_all(exp.Table)}
    assert read <= tables
    assert not any(
        isinstance(f, exp.Anonymous) and f.name.lower().startswith(("read_", "glob"))
        for f in statements[0].find_all(exp.Anonymous)
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_string_literals_stay_literals(lake: Lake, text: str) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": text}, {"DeviceName": "other"}])
    for quoted in (repr(text).replace("\\\\", "\\\\"), '@"' + text.replace('"', '""') + '"'):
        query = f"DeviceInfo | where DeviceName == {quoted} | project DeviceName, Copy = strcat({quoted}, '')"
        r = lake.run(query)
        only_one_select_reading(r.compiled.tree, {"DeviceInfo"})
        assert r.rows == [(text, text)]


@pytest.mark.parametrize("name", ["DeviceInfo; select 1", 'a"b', "a'b", "x`y", "Select * from t"])
def test_identifiers_stay_identifiers(lake: Lake, name: str) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": "pc"}])
    escaped = name.replace("'", "\\'")
    r = lake.run(f"DeviceInfo | project ['{escaped}'] = DeviceName | extend Y = ['{escaped}']")
    only_one_select_reading(r.compiled.tree, {"DeviceInfo"})
    assert r.names == [name, "Y"] and r.rows == [("pc", "pc")]


@pytest.mark.parametrize(
    "query",
    [
        "['DeviceInfo; select 1']",
        "['DeviceInfo; select 1'] | take 1",
        "read_csv('/etc/passwd')",
        "DeviceInfo | where read_csv('/etc/passwd') == 1",
        "DeviceInfo | extend x = glob('*')",
        "DeviceInfo; DROP TABLE DeviceInfo",
        "DeviceInfo | take 1; select 1",
        "DeviceInfo | where DeviceName == 'a' ; -- comment",
        "deviceinfo",
        "DeviceInfo | where DeviceName == 'x' | project `Timestamp`",
    ],
)
def test_hostile_queries_are_refused(query: str) -> None:
    with pytest.raises(KqlError) as caught:
        compile_query(query, hunting_tables(), now=NOW)
    assert caught.value.diagnostic.code != INTERNAL_ERROR
    assert "SELECT " not in caught.value.diagnostic.message


def test_only_given_tables_resolve() -> None:
    tables = {"DeviceInfo": hunting_tables()["DeviceInfo"]}
    with pytest.raises(KqlError):
        compile_query("DeviceEvents | take 1", tables, now=NOW)


KQL_PIECES = st.sampled_from(
    [
        "DeviceInfo",
        "DeviceEvents",
        "|",
        "where",
        "project",
        "extend",
        "summarize",
        "by",
        "count()",
        "take",
        "10",
        "1d",
        "ago(",
        ")",
        "(",
        "==",
        "=~",
        "has",
        "!has",
        "in",
        "(",
        "'a'",
        '"b"',
        "DeviceName",
        "Timestamp",
        "and",
        "or",
        ",",
        "=",
        "bin(Timestamp, 1h)",
        "sort",
        "top",
        "asc",
        "desc",
        "let",
        ";",
        "x",
        "dynamic([1,2])",
        "[",
        "]",
        ".",
        "*",
        "-",
        "+",
        "/",
        "datetime(2024-01-01)",
        "between",
        "..",
        "@'c'",
        "tostring(",
        "arg_max(",
        "make_set(",
        "project-away",
        "distinct",
        "render",
        "timechart",
        "mv-expand",
        "join",
        "parse_json(",
        "'",
        '"',
        "`",
        "\\",
        "\n",
        "//",
        "{",
        "}",
        ":",
        "h'x'",
        "0x1F",
        "1e400",
        "99999999999999999999",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(KQL_PIECES, max_size=25))
def test_token_soup_never_crashes(pieces: list[str]) -> None:
    check(" ".join(pieces))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_random_text_never_crashes(text: str) -> None:
    check(text)


_LAKE: list[Lake] = []


def check(query: str) -> None:
    tables = hunting_tables()
    try:
        compiled = compile_query(query, tables, now=NOW)
    except KqlError as e:
        assert e.diagnostic.code != INTERNAL_ERROR, (query, e)
        assert e.diagnostic.line >= 1 and e.diagnostic.column >= 1
        return
    only_one_select_reading(compiled.tree, set(tables))
    if not _LAKE:
        _LAKE.append(Lake(tables))
    lake = _LAKE[0]
    for name in compiled.tables:
        lake.create(name)
    try:
        lake.con.execute(compiled.tree.sql(dialect="duckdb")).fetchall()
    except duckdb.Error as e:  # the compiled SQL must at least bind and run on empty tables
        raise AssertionError((query, compiled.tree.sql(dialect="duckdb"), str(e))) from None
