"""More constructs added to run the public hunting corpus, each against a hand-written table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.kql.conftest import NOW, Lake, Result, json_value
from xdrlab.kql import CompiledQuery, KqlError, compile_query

T1 = datetime(2024, 5, 1, 1)
T2 = datetime(2024, 5, 1, 2)
T3 = datetime(2024, 5, 1, 3)


@pytest.fixture
def devices(lake: Lake) -> Lake:
    lake.insert(
        "DeviceInfo",
        [
            {"Timestamp": T1, "DeviceId": "d1", "DeviceName": "pc1", "MachineGroup": "g1"},
            {"Timestamp": T2, "DeviceId": "d2", "DeviceName": "pc2", "MachineGroup": "g1"},
            {"Timestamp": T3, "DeviceId": "d3", "DeviceName": "pc3", "MachineGroup": "g2"},
        ],
    )
    lake.insert(
        "DeviceLogonEvents",
        [
            {"Timestamp": T1, "DeviceName": "pc1", "AccountName": "alice"},
            {"Timestamp": T2, "DeviceName": "pc3", "AccountName": "bob"},
            {"Timestamp": T3, "DeviceName": "pc2", "AccountName": "carol"},
        ],
    )
    return lake


# --- x in (T | summarize make_list(y)): a dynamic column is flattened ------------------------


def test_in_a_list_made_by_summarize_compares_the_elements(devices: Lake) -> None:
    r = devices.run(
        "let group = DeviceInfo | where MachineGroup == 'g1' | summarize make_list(DeviceName);"
        " DeviceLogonEvents | where DeviceName in (group) | project AccountName"
        " | sort by AccountName asc"
    )
    assert r.rows == [("alice",), ("carol",)]


def test_not_in_and_in_tilde_over_a_made_list(devices: Lake) -> None:
    r = devices.run(
        "let group = DeviceInfo | where MachineGroup == 'g1' | summarize make_list(DeviceName);"
        " DeviceLogonEvents | where DeviceName !in (group) | project AccountName"
    )
    assert r.rows == [("bob",)]
    r = devices.run(
        "let group = DeviceInfo | summarize make_set(toupper(DeviceName));"
        " DeviceLogonEvents | where DeviceName in~ (group) | count"
    )
    assert r.rows == [(3,)]


def test_in_a_dynamic_column_of_scalars_and_numbers(devices: Lake) -> None:
    r = devices.run(
        "let names = DeviceInfo | project d = todynamic(DeviceName);"
        " DeviceLogonEvents | where DeviceName in (names) | count"
    )
    assert r.rows == [(3,)]
    r = devices.run(
        "let hours = DeviceInfo | summarize make_list(hourofday(Timestamp));"
        " DeviceLogonEvents | where hourofday(Timestamp) in (hours) | count"
    )
    assert r.rows == [(3,)]


def test_todynamic_of_text_that_is_not_json_is_a_dynamic_string(devices: Lake) -> None:
    r = devices.run(
        "DeviceInfo | where DeviceId == 'd1'"
        " | project a = todynamic(DeviceName), b = parse_json('{\"k\": 1}').k,"
        " c = tostring(parse_json(DeviceName)), t = gettype(todynamic(DeviceName))"
    )
    assert r.rows == [('"pc1"', "1", "pc1", "string")]


# --- evaluate bag_unpack / pivot: columns found by a probe of the data ------------------------


def run_probed(lake: Lake, kql: str) -> Result:
    """Compile with a probe reading the same in-memory tables, then run."""
    probes: list[str] = []

    def probe(query: CompiledQuery) -> list[tuple[Any, ...]]:
        sql = query.tree.sql(dialect="duckdb")
        probes.append(sql)
        return lake.con.execute(sql).fetchall()

    compiled = compile_query(kql, lake.tables, now=NOW, probe=probe)
    cursor = lake.con.execute(compiled.tree.sql(dialect="duckdb"))
    names = [d[0] for d in cursor.description or []]
    result = Result(
        compiled, names, [str(d[1]) for d in cursor.description or []], cursor.fetchall()
    )
    assert len(probes) <= 1
    return result


@pytest.fixture
def bags(lake: Lake) -> Lake:
    lake.insert(
        "DeviceEvents",
        [
            {
                "Timestamp": T1,
                "DeviceId": "d1",
                "ActionType": "A",
                "AdditionalFields": json.dumps({"b": "x", "a": 1, "c": {"n": 1}}),
            },
            {
                "Timestamp": T2,
                "DeviceId": "d2",
                "ActionType": "A",
                "AdditionalFields": json.dumps({"a": 2, "d": True, "c": "s"}),
            },
            {"Timestamp": T3, "DeviceId": "d3", "ActionType": "B", "AdditionalFields": "[1]"},
        ],
    )
    return lake


def test_bag_unpack_makes_a_column_per_key_sorted_and_typed(bags: Lake) -> None:
    r = run_probed(
        bags,
        "DeviceEvents | where ActionType == 'A' | project DeviceId, F = todynamic(AdditionalFields)"
        " | evaluate bag_unpack(F) | sort by DeviceId asc",
    )
    assert r.names == ["DeviceId", "a", "b", "c", "d"]
    assert [c.type.value for c in r.compiled.columns] == [
        "string",
        "long",
        "string",
        "dynamic",
        "bool",
    ]
    assert [(row[0], row[1], row[2], json_value(row[3]), row[4]) for row in r.rows] == [
        ("d1", 1, "x", {"n": 1}, None),
        ("d2", 2, "", "s", True),
    ]


def test_bag_unpack_prefix_and_ignored_properties(bags: Lake) -> None:
    r = run_probed(
        bags,
        "DeviceEvents | where ActionType == 'A' | project DeviceId, F = todynamic(AdditionalFields)"
        " | evaluate bag_unpack(F, 'F_', 'error', dynamic(['c', 'd'])) | sort by DeviceId asc",
    )
    assert r.rows == [("d1", 1, "x"), ("d2", 2, "")]
    assert r.names == ["DeviceId", "F_a", "F_b"]


def test_bag_unpack_conflicting_column(bags: Lake) -> None:
    kql = (
        "DeviceEvents | where ActionType == 'A' | project DeviceId, a = 0, F = todynamic(AdditionalFields)"
        " | evaluate bag_unpack(F{}) | project DeviceId, a | sort by DeviceId asc"
    )
    with pytest.raises(KqlError, match="a"):
        run_probed(bags, kql.format(""))
    assert run_probed(bags, kql.format(", '', 'keep_source'")).rows == [("d1", 0), ("d2", 0)]
    assert run_probed(bags, kql.format(", '', 'replace_source'")).rows == [("d1", 1), ("d2", 2)]


def test_bag_unpack_of_no_bags_adds_no_column(bags: Lake) -> None:
    r = run_probed(
        bags,
        "DeviceEvents | where ActionType == 'B' | project DeviceId, F = todynamic(AdditionalFields) | evaluate bag_unpack(F)",
    )
    assert r.names == ["DeviceId"]
    assert r.rows == [("d3",)]


def test_bag_unpack_with_an_output_schema_needs_no_probe(bags: Lake) -> None:
    r = bags.run(
        "DeviceEvents | where ActionType == 'A' | project DeviceId, F = todynamic(AdditionalFields)"
        " | evaluate bag_unpack(F) : (DeviceId: string, a: long, z: string) | sort by DeviceId asc"
    )
    assert r.names == ["DeviceId", "a", "z"]
    assert r.rows == [("d1", 1, ""), ("d2", 2, "")]
    r = bags.run(
        "DeviceEvents | where ActionType == 'A' | project DeviceId, F = todynamic(AdditionalFields)"
        " | evaluate bag_unpack(F) : (*, b: string) | sort by DeviceId asc"
    )
    assert r.names == ["DeviceId", "b"]
    assert r.rows == [("d1", "x"), ("d2", "")]


def test_bag_unpack_without_a_probe_is_refused(bags: Lake) -> None:
    with pytest.raises(KqlError, match="bag_unpack"):
        bags.compile("DeviceEvents | evaluate bag_unpack(AdditionalFields)")
    with pytest.raises(KqlError, match="pivot"):
        bags.compile("DeviceEvents | project DeviceId, ActionType | evaluate pivot(ActionType)")


def test_pivot_counts_per_value(bags: Lake) -> None:
    r = run_probed(
        bags,
        "DeviceEvents | extend Day = 'x' | project Day, ActionType | evaluate pivot(ActionType)",
    )
    assert r.names == ["Day", "A", "B"]
    assert r.rows == [("x", 2, 1)]


def test_pivot_with_an_aggregate_and_keys(bags: Lake) -> None:
    r = run_probed(
        bags,
        "DeviceEvents | extend n = hourofday(Timestamp), k = iff(DeviceId == 'd1', 'p', 'q')"
        " | evaluate pivot(ActionType, sum(n), k) | sort by k asc",
    )
    assert r.names == ["k", "A", "B"]
    assert r.rows == [("p", 1, None), ("q", 2, 3)]  # sumif of no row
