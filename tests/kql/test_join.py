"""`join` (every kind the corpus uses) and `lookup`, checked against hand-written tables.

The inputs follow the Kusto documentation's X/Y example: left keys a, b, b, c and right keys
b, c, c, d.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql import diagnostics as diag

LEFT = "(DeviceInfo | project Key = DeviceId, Value1 = OSBuild)"
RIGHT = "(DeviceLogonEvents | project Key = DeviceId, Value2 = LogonId)"


@pytest.fixture
def xy(lake: Lake) -> Lake:
    lake.insert(
        "DeviceInfo",
        [
            {"DeviceId": "a", "OSBuild": 1, "DeviceName": "A"},
            {"DeviceId": "b", "OSBuild": 2, "DeviceName": "B"},
            {"DeviceId": "b", "OSBuild": 3, "DeviceName": "B"},
            {"DeviceId": "c", "OSBuild": 4, "DeviceName": "C"},
        ],
    )
    lake.insert(
        "DeviceLogonEvents",
        [
            {"DeviceId": "b", "LogonId": 10, "DeviceName": "B", "Timestamp": datetime(2024, 5, 1)},
            {"DeviceId": "c", "LogonId": 20, "DeviceName": "C", "Timestamp": datetime(2024, 5, 2)},
            {"DeviceId": "c", "LogonId": 30, "DeviceName": "C", "Timestamp": datetime(2024, 5, 3)},
            {"DeviceId": "d", "LogonId": 40, "DeviceName": "D", "Timestamp": datetime(2024, 5, 4)},
        ],
    )
    return lake


def rows(lake: Lake, kind: str) -> list[tuple[object, ...]]:
    r = lake.run(f"{LEFT} | join {kind} {RIGHT} on Key")
    return sorted(r.rows, key=repr)


def test_default_is_innerunique_left_deduplicated_on_keys(xy: Lake) -> None:
    r = xy.run(f"{LEFT} | join {RIGHT} on Key")
    assert r.names == ["Key", "Value1", "Key1", "Value2"]
    got = sorted(r.rows, key=repr)
    # one of the two left rows of key b is kept (Kusto picks any), never both
    assert len(got) == 3
    assert got[0][0] == "b" and got[0][1] in (2, 3) and got[0][2:] == ("b", 10)
    assert got[1:] == [("c", 4, "c", 20), ("c", 4, "c", 30)]
    assert rows(xy, "kind=innerunique") == [(*got[0][:2], "b", 10), *got[1:]]


def test_innerunique_dedups_on_the_keys_only(xy: Lake) -> None:
    # the two b rows differ in Value1 but share the key: one row per key survives
    r = xy.run(f"{LEFT} | join kind=innerunique {RIGHT} on Key | summarize count() by Key")
    assert sorted(r.rows) == [("b", 1), ("c", 2)]


def test_innerunique_skips_dedup_when_left_is_unique_on_keys(xy: Lake) -> None:
    r = xy.run(f"{LEFT} | summarize Value1 = max(Value1) by Key | join {RIGHT} on Key")
    assert "DISTINCT ON" not in r.sql
    assert sorted(r.rows) == [("b", 3, "b", 10), ("c", 4, "c", 20), ("c", 4, "c", 30)]
    r = xy.run(f"{LEFT} | join {RIGHT} on Key")
    assert "DISTINCT ON" in r.sql


def test_inner(xy: Lake) -> None:
    assert rows(xy, "kind=inner") == [
        ("b", 2, "b", 10),
        ("b", 3, "b", 10),
        ("c", 4, "c", 20),
        ("c", 4, "c", 30),
    ]


def test_leftouter_fills_strings_with_empty_and_others_with_null(xy: Lake) -> None:
    assert rows(xy, "kind=leftouter") == [
        ("a", 1, "", None),
        ("b", 2, "b", 10),
        ("b", 3, "b", 10),
        ("c", 4, "c", 20),
        ("c", 4, "c", 30),
    ]
    r = xy.run(f"{LEFT} | join kind=leftouter {RIGHT} on Key | where isempty(Key1)")
    assert r.rows == [("a", 1, "", None)]


def test_rightouter(xy: Lake) -> None:
    assert rows(xy, "kind=rightouter") == [
        ("", None, "d", 40),
        ("b", 2, "b", 10),
        ("b", 3, "b", 10),
        ("c", 4, "c", 20),
        ("c", 4, "c", 30),
    ]


def test_fullouter(xy: Lake) -> None:
    assert rows(xy, "kind=fullouter") == [
        ("", None, "d", 40),
        ("a", 1, "", None),
        ("b", 2, "b", 10),
        ("b", 3, "b", 10),
        ("c", 4, "c", 20),
        ("c", 4, "c", 30),
    ]


@pytest.mark.parametrize("kind", ["leftsemi", "semi"])
def test_leftsemi_keeps_left_columns_once_per_left_row(xy: Lake, kind: str) -> None:
    r = xy.run(f"{LEFT} | join kind={kind} {RIGHT} on Key")
    assert r.names == ["Key", "Value1"]
    # c matches twice on the right but appears once
    assert sorted(r.rows) == [("b", 2), ("b", 3), ("c", 4)]


@pytest.mark.parametrize("kind", ["leftanti", "anti", "leftantisemi"])
def test_leftanti(xy: Lake, kind: str) -> None:
    r = xy.run(f"{LEFT} | join kind={kind} {RIGHT} on Key")
    assert r.names == ["Key", "Value1"]
    assert r.rows == [("a", 1)]


def test_rightsemi_and_rightanti_keep_right_columns(xy: Lake) -> None:
    r = xy.run(f"{LEFT} | join kind=rightsemi {RIGHT} on Key")
    assert r.names == ["Key", "Value2"]
    assert sorted(r.rows) == [("b", 10), ("c", 20), ("c", 30)]
    for kind in ("rightanti", "rightantisemi"):
        r = xy.run(f"{LEFT} | join kind={kind} {RIGHT} on Key")
        assert r.names == ["Key", "Value2"]
        assert r.rows == [("d", 40)]


def test_left_right_equality_and_several_keys(xy: Lake) -> None:
    r = xy.run(
        "DeviceInfo | project Id = DeviceId, Name = DeviceName, Value1 = OSBuild"
        " | join kind=inner (DeviceLogonEvents | project DeviceId, DeviceName, LogonId)"
        " on $left.Id == $right.DeviceId, $right.DeviceName == $left.Name"
    )
    assert r.names == ["Id", "Name", "Value1", "DeviceId", "DeviceName", "LogonId"]
    assert sorted(r.rows) == [
        ("b", "B", 2, "b", "B", 10),
        ("b", "B", 3, "b", "B", 10),
        ("c", "C", 4, "c", "C", 20),
        ("c", "C", 4, "c", "C", 30),
    ]
    same = xy.run(
        "DeviceInfo | project Id = DeviceId, Name = DeviceName, Value1 = OSBuild"
        " | join kind=inner (DeviceLogonEvents | project DeviceId, DeviceName, LogonId)"
        " on $left.Id == $right.DeviceId and $left.Name == $right.DeviceName"
    )
    assert sorted(same.rows) == sorted(r.rows)


def test_mixed_name_and_left_right_keys(xy: Lake) -> None:
    r = xy.run(
        "DeviceInfo | project DeviceId, Name = DeviceName"
        " | join kind=inner (DeviceLogonEvents | project DeviceId, DeviceName, LogonId)"
        " on DeviceId, $left.Name == $right.DeviceName | project DeviceId, LogonId"
    )
    assert sorted(r.rows) == [("b", 10), ("b", 10), ("c", 20), ("c", 30)]


def test_right_columns_renamed_with_first_free_suffix(xy: Lake) -> None:
    r = xy.run(
        "DeviceInfo | where DeviceId == 'a' | project DeviceId, DeviceId1 = 'x', DeviceName"
        " | join kind=inner (DeviceInfo | project DeviceId, DeviceName) on DeviceId"
    )
    assert r.names == ["DeviceId", "DeviceId1", "DeviceName", "DeviceId2", "DeviceName1"]
    assert r.rows == [("a", "x", "A", "a", "A")]


def test_whole_tables_join(xy: Lake) -> None:
    r = xy.run("DeviceInfo | join kind=inner DeviceLogonEvents on DeviceId")
    info = [c.name for c in xy.tables["DeviceInfo"].columns]
    logon = [c.name for c in xy.tables["DeviceLogonEvents"].columns]
    assert r.names[: len(info)] == info
    assert r.names[len(info) :][:3] == ["Timestamp1", "DeviceId1", "DeviceName1"]
    assert len(r.names) == len(info) + len(logon)
    assert r.compiled.tables == {"DeviceInfo", "DeviceLogonEvents"}
    assert len(r.rows) == 4


def test_null_keys_match_nothing(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceId": "a", "OSBuild": None}, {"DeviceId": "b", "OSBuild": 7}])
    lake.insert(
        "DeviceLogonEvents", [{"DeviceId": "x", "LogonId": None}, {"DeviceId": "y", "LogonId": 7}]
    )
    r = lake.run(
        "DeviceInfo | project DeviceId, OSBuild"
        " | join kind=inner (DeviceLogonEvents | project DeviceId, LogonId)"
        " on $left.OSBuild == $right.LogonId"
    )
    assert r.rows == [("b", 7, "y", 7)]
    r = lake.run(
        "DeviceInfo | project DeviceId, OSBuild"
        " | join kind=leftanti (DeviceLogonEvents | project LogonId)"
        " on $left.OSBuild == $right.LogonId"
    )
    assert r.rows == [("a", None)]


def test_empty_strings_match(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceId": "a", "DeviceName": ""}])
    lake.insert("DeviceLogonEvents", [{"DeviceId": "b", "DeviceName": ""}])
    r = lake.run(
        "DeviceInfo | project DeviceId, DeviceName"
        " | join kind=inner (DeviceLogonEvents | project DeviceId, DeviceName) on DeviceName"
    )
    assert r.rows == [("a", "", "b", "")]


def test_int_and_long_keys_join(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceId": "a", "OSBuild": 443}])
    lake.insert("DeviceNetworkEvents", [{"DeviceId": "n", "RemotePort": 443}])
    r = lake.run(
        "DeviceInfo | project OSBuild"
        " | join kind=inner (DeviceNetworkEvents | project RemotePort)"
        " on $left.OSBuild == $right.RemotePort"
    )
    assert r.rows == [(443, 443)]


def test_hints_are_accepted_and_ignored(xy: Lake) -> None:
    expected = rows(xy, "kind=inner")
    for hints in (
        "kind=inner hint.strategy=broadcast",
        "hint.strategy=shuffle kind=inner",
        "kind = inner hint.shufflekey = Key",
        "kind=inner hint.remote=left",
    ):
        assert rows(xy, hints) == expected


def test_join_with_let_and_filters_after(xy: Lake) -> None:
    r = xy.run(
        f"let R = {RIGHT};\n{LEFT} | join kind=inner R on Key | where Value2 > 15"
        " | project Key, Value2 | sort by Value2 asc"
    )
    assert r.rows == [("c", 20), ("c", 30)]


def test_join_sides_keep_their_filters_sort_and_take(xy: Lake) -> None:
    r = xy.run(
        f"{LEFT} | where Value1 > 1 | join kind=inner"
        " (DeviceLogonEvents | top 1 by LogonId desc | project Key = DeviceId, LogonId) on Key"
    )
    assert r.rows == []
    r = xy.run(
        f"{LEFT} | join kind=inner"
        " (DeviceLogonEvents | top 2 by LogonId asc | project Key = DeviceId, LogonId) on Key"
    )
    assert sorted(r.rows) == [("b", 2, "b", 10), ("b", 3, "b", 10), ("c", 4, "c", 20)]


def test_chained_joins(xy: Lake) -> None:
    r = xy.run(
        f"{LEFT} | join kind=inner {RIGHT} on Key"
        " | join kind=inner (DeviceInfo | project Key = DeviceId, DeviceName) on Key"
        " | project Key, Value1, Value2, DeviceName | sort by Value1 asc, Value2 asc"
    )
    assert r.names == ["Key", "Value1", "Value2", "DeviceName"]
    assert r.rows == [
        ("b", 2, 10, "B"),
        ("b", 2, 10, "B"),
        ("b", 3, 10, "B"),
        ("b", 3, 10, "B"),
        ("c", 4, 20, "C"),
        ("c", 4, 30, "C"),
    ]


def test_case_differing_names_survive_the_join(xy: Lake) -> None:
    r = xy.run(
        "DeviceInfo | where DeviceId == 'b' and OSBuild == 2 | project key = DeviceId, Key = OSBuild"
        " | join kind=inner (DeviceLogonEvents | project key = DeviceId, KEY = LogonId) on key"
    )
    assert r.names == ["key", "Key", "key1", "KEY"]
    assert r.rows == [("b", 2, "b", 10)]


# --- lookup ---------------------------------------------------------------------------------


def test_lookup_leftouter_default_drops_right_keys(xy: Lake) -> None:
    r = xy.run(f"{LEFT} | lookup {RIGHT} on Key")
    assert r.names == ["Key", "Value1", "Value2"]
    assert sorted(r.rows, key=repr) == [
        ("a", 1, None),
        ("b", 2, 10),
        ("b", 3, 10),
        ("c", 4, 20),
        ("c", 4, 30),
    ]


def test_lookup_inner_and_left_right_keys(xy: Lake) -> None:
    r = xy.run(
        "DeviceInfo | project Id = DeviceId, Value1 = OSBuild"
        " | lookup kind=inner (DeviceLogonEvents | project DeviceId, AccountName = DeviceName)"
        " on $left.Id == $right.DeviceId"
    )
    assert r.names == ["Id", "Value1", "AccountName"]
    assert sorted(r.rows) == [("b", 2, "B"), ("b", 3, "B"), ("c", 4, "C"), ("c", 4, "C")]


def test_lookup_unmatched_strings_are_empty(xy: Lake) -> None:
    r = xy.run(
        f"{LEFT} | lookup (DeviceLogonEvents | project Key = DeviceId, Name = DeviceName) on Key"
        " | where Key == 'a'"
    )
    assert r.rows == [("a", 1, "")]


# --- diagnostics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "line", "column"),
    [
        ("DeviceInfo\n| join DeviceLogonEvents on Nope", diag.UNKNOWN_COLUMN, 2, 29),
        (
            "DeviceInfo | join DeviceLogonEvents on $left.DeviceId == $right.Nope",
            diag.UNKNOWN_COLUMN,
            1,
            58,
        ),
        (
            "DeviceInfo | join DeviceLogonEvents on $left.OSBuild == $right.DeviceId",
            diag.TYPE_MISMATCH,
            1,
            40,
        ),
        (
            "DeviceInfo | join DeviceLogonEvents on $left.OSBuild > $right.LogonId",
            diag.UNSUPPORTED_FEATURE,
            1,
            54,
        ),
        (
            "DeviceInfo | join kind=sideways DeviceLogonEvents on DeviceId",
            diag.UNSUPPORTED_FEATURE,
            1,
            19,
        ),
        ("DeviceInfo | join DeviceLogonEvents", diag.SYNTAX_ERROR, 1, 36),
        ("DeviceInfo | join Nope on DeviceId", diag.UNKNOWN_TABLE, 1, 19),
        (
            "DeviceInfo | lookup kind=fullouter DeviceLogonEvents on DeviceId",
            diag.UNSUPPORTED_FEATURE,
            1,
            21,
        ),
        ("DeviceInfo | join frob=1 DeviceLogonEvents on DeviceId", diag.SYNTAX_ERROR, 1, 19),
        (
            "DeviceInfo | join (DeviceLogonEvents | project D = dynamic([1])) on $left.DeviceId == $right.D",
            diag.TYPE_MISMATCH,
            1,
            69,
        ),
    ],
)
def test_join_diagnostics(lake: Lake, query: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(query)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column), d
