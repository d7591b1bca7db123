"""Equality between a string and a number compares them as numbers (Kusto accepts it)."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError


def test_string_literal_against_number_column(lake: Lake) -> None:
    lake.insert(
        "DeviceNetworkEvents",
        [{"DeviceName": "a", "RemotePort": 3389}, {"DeviceName": "b", "RemotePort": 443}],
    )
    r = lake.run('DeviceNetworkEvents | where RemotePort == "3389" | project DeviceName')
    assert r.rows == [("a",)]
    r = lake.run('DeviceNetworkEvents | where "443" != RemotePort | project DeviceName')
    assert r.rows == [("a",)]
    r = lake.run('DeviceNetworkEvents | where RemotePort == "rdp" | project DeviceName')
    assert r.rows == []


def test_string_column_against_number_column(lake: Lake) -> None:
    lake.insert(
        "DeviceProcessEvents",
        [
            {"DeviceName": "a", "ProcessId": 42, "ProcessCommandLine": "werfault -p 42"},
            {"DeviceName": "b", "ProcessId": 7, "ProcessCommandLine": "werfault -p 8"},
            {"DeviceName": "c", "ProcessId": 9, "ProcessCommandLine": "werfault"},
        ],
    )
    r = lake.run(
        'DeviceProcessEvents | extend Crash = extract("-p ([0-9]+)", 1, ProcessCommandLine)'
        " | where Crash == ProcessId | project DeviceName"
    )
    assert r.rows == [("a",)]


def test_ordering_a_string_against_a_number_is_refused(lake: Lake) -> None:
    with pytest.raises(KqlError):
        lake.compile('DeviceNetworkEvents | where RemotePort > "3389"')
