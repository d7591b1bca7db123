"""More constructs added to run the public hunting corpus, each against a hand-written table."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake

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
