"""Aggregate functions, with hand-written expected values and column names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.kql.conftest import Lake

# OSBuild: 1, 2, 3, 4, null; DeviceName: a, a, b, "", a
ROWS = [
    {"DeviceName": "a", "OSBuild": 1, "DeviceId": "x"},
    {"DeviceName": "a", "OSBuild": 2, "DeviceId": "y"},
    {"DeviceName": "b", "OSBuild": 3, "DeviceId": "z"},
    {"DeviceName": "", "OSBuild": 4, "DeviceId": "z"},
    {"DeviceName": "a", "OSBuild": None, "DeviceId": "w"},
]


def summarize(lake: Lake, aggregates: str) -> dict[str, Any]:
    lake.insert("DeviceInfo", ROWS)
    r = lake.run(f"DeviceInfo | summarize {aggregates}")
    assert len(r.rows) == 1
    return dict(zip(r.names, r.rows[0], strict=True))


CASES: list[tuple[str, dict[str, Any]]] = [
    ("count()", {"count_": 5}),
    ("countif(OSBuild > 1)", {"countif_": 3}),
    ("dcount(DeviceName)", {"dcount_DeviceName": 3}),
    ("dcountif(DeviceId, OSBuild >= 2)", {"dcountif_DeviceId": 2}),
    ("sum(OSBuild)", {"sum_OSBuild": 10}),
    ("sumif(OSBuild, DeviceName == 'a')", {"sumif_OSBuild": 3}),
    ("avg(OSBuild)", {"avg_OSBuild": 2.5}),
    ("avgif(OSBuild, OSBuild > 2)", {"avgif_OSBuild": 3.5}),
    ("min(OSBuild), max(OSBuild)", {"min_OSBuild": 1, "max_OSBuild": 4}),
    (
        "minif(OSBuild, OSBuild > 1), maxif(OSBuild, OSBuild < 4)",
        {"minif_OSBuild": 2, "maxif_OSBuild": 3},
    ),
    ("stdev(OSBuild)", {"stdev_OSBuild": pytest.approx(1.2909944487)}),
    ("variance(OSBuild)", {"variance_OSBuild": pytest.approx(5 / 3)}),
    ("stdevp(OSBuild)", {"stdevp_OSBuild": pytest.approx(1.1180339887)}),
    ("variancep(OSBuild)", {"variancep_OSBuild": 1.25}),
    ("stdevif(OSBuild, OSBuild > 2)", {"stdevif_OSBuild": pytest.approx(0.7071067812)}),
    ("varianceif(OSBuild, OSBuild > 2)", {"varianceif_OSBuild": 0.5}),
    # nearest rank: the smallest value with at least p% of the values at or below it
    ("percentile(OSBuild, 50)", {"percentile_OSBuild_50": 2}),
    ("percentile(OSBuild, 0)", {"percentile_OSBuild_0": 1}),
    ("percentile(OSBuild, 100)", {"percentile_OSBuild_100": 4}),
    ("percentile(OSBuild, 99.5)", {"percentile_OSBuild_99_5": 4}),
    ("p = percentile(OSBuild, 75)", {"p": 3}),
    (
        "percentiles(OSBuild, 25, 50, 75)",
        {"percentile_OSBuild_25": 1, "percentile_OSBuild_50": 2, "percentile_OSBuild_75": 3},
    ),
    ("percentiles_array(OSBuild, 25, 100)", {"percentiles_OSBuild": "[1,4]"}),
    ("count_distinct(DeviceId)", {"count_distinct_DeviceId": 4}),
    ("count_distinctif(DeviceId, OSBuild > 1)", {"count_distinctif_DeviceId": 2}),
    (
        "binary_all_or(OSBuild), binary_all_and(OSBuild)",
        {"binary_all_or_OSBuild": 7, "binary_all_and_OSBuild": 0},
    ),
    ("binary_all_xor(OSBuild)", {"binary_all_xor_OSBuild": 4}),
    ("take_anyif(DeviceId, OSBuild == 3)", {"DeviceId": "z"}),
]


@pytest.mark.parametrize(("aggregates", "expected"), CASES, ids=[c[0] for c in CASES])
def test_aggregate(lake: Lake, aggregates: str, expected: dict[str, Any]) -> None:
    assert summarize(lake, aggregates) == expected


LISTS: list[tuple[str, str, Any]] = [
    ("make_set(DeviceName)", "set_DeviceName", ["a", "b", ""]),
    ("make_set(OSBuild, 2)", "set_OSBuild", None),  # two of the values
    ("make_list(OSBuild)", "list_OSBuild", [1, 2, 3, 4]),
    ("make_list_with_nulls(OSBuild)", "list_OSBuild", [1, 2, 3, 4, None]),
    ("make_set_if(DeviceId, OSBuild > 2)", "set_DeviceId", ["z"]),
    ("make_list_if(DeviceId, OSBuild > 2)", "list_DeviceId", ["z", "z"]),
    ("make_set_if(DeviceId, OSBuild > 20)", "set_DeviceId", []),
    ("make_bag(pack(DeviceId, OSBuild))", "bag_", {"x": 1, "y": 2, "z": None, "w": None}),
    ("make_bag_if(pack('k', OSBuild), OSBuild == 2)", "bag_", {"k": 2}),
    ("make_bag_if(pack('k', OSBuild), OSBuild == 20)", "bag_", {}),
]


@pytest.mark.parametrize(("aggregate", "name", "expected"), LISTS, ids=[c[0] for c in LISTS])
def test_collecting_aggregate(lake: Lake, aggregate: str, name: str, expected: Any) -> None:
    row = summarize(lake, aggregate)
    assert list(row) == [name]
    value = json.loads(row[name])
    if aggregate == "make_set(OSBuild, 2)":
        assert len(value) == 2 and set(value) <= {1, 2, 3, 4}
    elif aggregate.startswith("make_set(DeviceName"):
        assert sorted(value) == sorted(expected)
    elif aggregate.startswith("make_bag(pack(DeviceId"):
        # a key in several bags keeps one of its values
        assert value["x"] == 1 and value["y"] == 2 and set(value) == {"x", "y", "z", "w"}
    else:
        assert value == expected


def test_arg_max_star_and_by(lake: Lake) -> None:
    lake.insert("DeviceInfo", ROWS)
    r = lake.run(
        "DeviceInfo | project DeviceName, OSBuild, DeviceId "
        "| summarize arg_max(OSBuild, *) by DeviceName | order by DeviceName asc"
    )
    assert r.names == ["DeviceName", "OSBuild", "DeviceId"]
    assert r.rows == [("", 4, "z"), ("a", 2, "y"), ("b", 3, "z")]


def test_aggregates_of_no_rows(lake: Lake) -> None:
    lake.insert("DeviceInfo", ROWS)
    r = lake.run(
        "DeviceInfo | where OSBuild > 100 "
        "| summarize count(), dcount(DeviceId), make_set(DeviceId), make_bag(pack('a', 1))"
    )
    assert r.rows == [(0, 0, "[]", "{}")]
