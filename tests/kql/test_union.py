"""`union` as a source and as an operator: column alignment, kinds, withsource, wildcards."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql import diagnostics as diag


@pytest.fixture
def two(lake: Lake) -> Lake:
    lake.insert(
        "DeviceInfo",
        [{"DeviceId": "d1", "DeviceName": "pc1", "OSBuild": 7}],
    )
    lake.insert(
        "DeviceLogonEvents",
        [
            {"DeviceId": "d2", "DeviceName": "pc2", "AccountName": "alice", "LogonId": 5},
            {"DeviceId": "d3", "DeviceName": "pc3", "AccountName": "bob", "LogonId": 6},
        ],
    )
    return lake


INFO = "(DeviceInfo | project DeviceId, OSBuild)"
LOGON = "(DeviceLogonEvents | project AccountName, DeviceId, LogonId)"


def test_outer_aligns_by_name_in_order_of_first_appearance(two: Lake) -> None:
    r = two.run(f"union {INFO}, {LOGON} | sort by DeviceId asc")
    assert r.names == ["DeviceId", "OSBuild", "AccountName", "LogonId"]
    assert [c.type.value for c in r.compiled.columns] == ["string", "long", "string", "long"]
    # a missing string is empty (Kusto strings are never null); other types are null
    assert r.rows == [
        ("d1", 7, "", None),
        ("d2", None, "alice", 5),
        ("d3", None, "bob", 6),
    ]


def test_operator_form_puts_input_first(two: Lake) -> None:
    r = two.run(f"{INFO} | union {LOGON} | sort by DeviceId asc")
    assert r.names == ["DeviceId", "OSBuild", "AccountName", "LogonId"]
    assert len(r.rows) == 3
    same = two.run(f"union kind=outer {INFO}, {LOGON} | sort by DeviceId asc")
    assert same.rows == r.rows


def test_inner_keeps_common_columns_of_same_type(two: Lake) -> None:
    r = two.run(
        "union kind=inner (DeviceInfo | project DeviceId, DeviceName, X = OSBuild),"
        " (DeviceLogonEvents | project DeviceName, DeviceId, X = AccountName)"
        " | sort by DeviceId asc"
    )
    assert r.names == ["DeviceId", "DeviceName"]
    assert r.rows == [("d1", "pc1"), ("d2", "pc2"), ("d3", "pc3")]


def test_outer_splits_a_name_with_several_types(two: Lake) -> None:
    r = two.run(
        "union (DeviceInfo | project DeviceId, X = OSBuild),"
        " (DeviceLogonEvents | project DeviceId, X = AccountName) | sort by DeviceId asc"
    )
    assert r.names == ["DeviceId", "X_long", "X_string"]
    assert r.rows == [("d1", 7, ""), ("d2", None, "alice"), ("d3", None, "bob")]


def test_withsource_names_tables_lets_and_subqueries(two: Lake) -> None:
    r = two.run(
        "let L = DeviceLogonEvents | where AccountName == 'bob';\n"
        "union withsource=Src DeviceInfo, L, (DeviceLogonEvents | where AccountName == 'alice')"
        " | project Src, DeviceId | sort by DeviceId asc"
    )
    assert r.rows == [("DeviceInfo", "d1"), ("union_arg2", "d2"), ("L", "d3")]
    r = two.run("DeviceInfo | union withsource = TableName DeviceLogonEvents | take 0")
    assert r.names[0] == "TableName"


def test_withsource_on_operator_form_uses_input_table_name(two: Lake) -> None:
    r = two.run(
        "DeviceInfo | union withsource=T DeviceLogonEvents | summarize n = count() by T"
        " | sort by T asc"
    )
    assert r.rows == [("DeviceInfo", 1), ("DeviceLogonEvents", 2)]


def test_wildcards_expand_to_known_tables_only(two: Lake) -> None:
    r = two.run("union withsource=T DeviceInf* | distinct T")
    assert r.compiled.tables == {"DeviceInfo"}
    r = two.run("union withsource=T DeviceLogon*, *Info | distinct T | sort by T asc")
    infos = {t for t in two.tables if t.endswith("Info")}
    assert len(infos) > 3
    assert r.compiled.tables == infos | {"DeviceLogonEvents"}
    assert [row[0] for row in r.rows] == ["DeviceInfo", "DeviceLogonEvents"]


def test_tables_of_every_leg_are_listed(two: Lake) -> None:
    r = two.run("let A = DeviceInfo | take 1; union A, (EmailEvents | take 1), DeviceLogonEvents")
    assert r.compiled.tables == {"DeviceInfo", "EmailEvents", "DeviceLogonEvents"}


def test_isfuzzy_skips_unknown_names(two: Lake) -> None:
    r = two.run("union isfuzzy=true DeviceInfo, NoSuchTable, Nothing* | count")
    assert r.rows == [(1,)]
    with pytest.raises(KqlError) as e:
        two.compile("union isfuzzy=true NoSuchTable")
    assert e.value.diagnostic.code == diag.UNKNOWN_TABLE


def test_legs_keep_their_own_sort_take_and_aggregates(two: Lake) -> None:
    r = two.run(
        "union (DeviceLogonEvents | top 1 by LogonId desc | project DeviceId),"
        " (DeviceLogonEvents | summarize DeviceId = max(DeviceId)),"
        " (DeviceInfo | distinct DeviceId) | sort by DeviceId asc"
    )
    assert r.rows == [("d1",), ("d3",), ("d3",)]


def test_union_inside_let_join_and_parentheses(two: Lake) -> None:
    r = two.run("let U = union DeviceInfo, DeviceLogonEvents;\n(union U, U) | summarize count()")
    assert r.rows == [(6,)]
    r = two.run(
        "DeviceInfo | project DeviceId | join kind=leftanti"
        " (union (DeviceLogonEvents | project DeviceId), (DeviceInfo | take 0 | project DeviceId))"
        " on DeviceId"
    )
    assert r.rows == [("d1",)]


def test_case_differing_names_stay_distinct(two: Lake) -> None:
    r = two.run(
        "union (DeviceInfo | project id = DeviceId), (DeviceLogonEvents | project Id = DeviceId)"
        " | sort by id desc"
    )
    assert r.names == ["id", "Id"]
    assert sorted(r.rows) == [("", "d2"), ("", "d3"), ("d1", "")]


@pytest.mark.parametrize(
    ("query", "code", "line", "column"),
    [
        ("union DeviceInfo, Nope", diag.UNKNOWN_TABLE, 1, 19),
        ("union DeviceInfo,\n  Nope*", diag.UNKNOWN_TABLE, 2, 3),
        ("union kind=left DeviceInfo, DeviceEvents", diag.UNSUPPORTED_FEATURE, 1, 7),
        ("union withsource=DeviceId DeviceInfo, DeviceEvents", diag.DUPLICATE_COLUMN, 1, 1),
        ("DeviceInfo | union", diag.SYNTAX_ERROR, 1, 19),
        ("union isfuzzy=maybe DeviceInfo", diag.SYNTAX_ERROR, 1, 7),
    ],
)
def test_union_diagnostics(lake: Lake, query: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(query)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column), d


# --- find / search --------------------------------------------------------------------------


def test_find_with_project_fills_missing_columns(two: Lake) -> None:
    r = two.run(
        "find in (DeviceInfo, DeviceLogon*) where DeviceId in ('d1', 'd2')"
        " project DeviceName, AccountName, OSBuild | sort by DeviceName asc"
    )
    assert r.names == ["source_", "DeviceName", "AccountName", "OSBuild"]
    assert r.rows == [("DeviceInfo", "pc1", "", 7), ("DeviceLogonEvents", "pc2", "alice", None)]
    assert r.compiled.tables == {"DeviceInfo", "DeviceLogonEvents"}


def test_find_without_project_keeps_common_and_predicate_columns(two: Lake) -> None:
    r = two.run(
        "find withsource=T in (DeviceInfo, DeviceLogonEvents) where AccountName == 'bob'"
        " | project-away Timestamp, ReportId, AdditionalFields"
    )
    assert r.names == ["T", "DeviceId", "DeviceName", "AccountName"]
    assert r.rows == [("DeviceLogonEvents", "d3", "pc3", "bob")]


def test_search_in_tables(two: Lake) -> None:
    r = two.run(
        "search in (DeviceInfo, DeviceLogonEvents) DeviceName == 'pc1' or AccountName == 'bob'"
        " | project $table, DeviceId | sort by DeviceId asc"
    )
    assert r.rows == [("DeviceInfo", "d1"), ("DeviceLogonEvents", "d3")]


@pytest.mark.parametrize(
    ("query", "code", "line", "column"),
    [
        ("search 'evil'", diag.UNSUPPORTED_FEATURE, 1, 8),
        ("search in (DeviceInfo) DeviceName:'x'", diag.UNSUPPORTED_FEATURE, 1, 24),
        ("find in (DeviceInfo) where x == 1", diag.UNKNOWN_COLUMN, 1, 28),
        ("find in (DeviceInfo) where true project Nope", diag.UNKNOWN_COLUMN, 1, 41),
        ("find in (Nope) where true", diag.UNKNOWN_TABLE, 1, 10),
    ],
)
def test_find_search_diagnostics(lake: Lake, query: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(query)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column), d
