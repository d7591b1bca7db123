"""serialize, row_number(), prev(), next(): window functions over the input's row order."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake, ago
from xdrlab.kql import KqlError

ROWS = [
    {"Timestamp": ago(hours=3), "DeviceName": "a", "ProcessId": 1},
    {"Timestamp": ago(hours=1), "DeviceName": "b", "ProcessId": 2},
    {"Timestamp": ago(hours=2), "DeviceName": "c", "ProcessId": 3},
]


def test_prev_next_follow_the_sort(lake: Lake) -> None:
    lake.insert("DeviceProcessEvents", ROWS)
    r = lake.run(
        "DeviceProcessEvents | order by Timestamp asc"
        " | extend P = prev(DeviceName), N = next(DeviceName, 1, 'z'), R = row_number()"
        " | project DeviceName, P, N, R"
    )
    assert r.rows == [("a", None, "c", 1), ("c", "a", "b", 2), ("b", "c", "z", 3)]


def test_where_on_row_number_runs_after_the_window(lake: Lake) -> None:
    lake.insert("DeviceProcessEvents", ROWS)
    r = lake.run(
        "DeviceProcessEvents | sort by ProcessId desc | where row_number() == 2"
        " | project DeviceName"
    )
    assert r.rows == [("b",)]
    r = lake.run(
        "DeviceProcessEvents | sort by ProcessId asc | extend R = row_number(10)"
        " | where ProcessId > 1 | project DeviceName, R"
    )
    assert r.rows == [("b", 11), ("c", 12)]


def test_serialize_allows_windows_and_assigns(lake: Lake) -> None:
    lake.insert("DeviceProcessEvents", ROWS[:1])
    r = lake.run("DeviceProcessEvents | serialize N = row_number() | project DeviceName, N")
    assert r.rows == [("a", 1)]


def test_window_needs_serialized_input(lake: Lake) -> None:
    with pytest.raises(KqlError):
        lake.compile("DeviceProcessEvents | extend P = prev(DeviceName)")
