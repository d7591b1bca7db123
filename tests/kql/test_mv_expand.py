"""`mv-expand` / `mvexpand`: arrays, property bags, parallel expansion, typeof, index, limit."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake, json_value
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import EXPECTED_CONSTANT, SYNTAX_ERROR, TYPE_MISMATCH


@pytest.fixture
def apps(lake: Lake) -> Lake:
    lake.insert(
        "CloudAppEvents",
        [
            {"AccountId": "a", "ActivityObjects": [{"Name": "f1"}, {"Name": "f2"}], "City": "[1]"},
            {"AccountId": "b", "ActivityObjects": [], "City": "[]"},
            {"AccountId": "c", "ActivityObjects": None, "City": ""},
            {"AccountId": "d", "ActivityObjects": {"x": 1, "y": "z"}, "City": '["7", 8]'},
            {"AccountId": "e", "ActivityObjects": '"solo"', "City": "[1, 2, 3]"},
        ],
    )
    return lake


def rows(lake: Lake, kql: str) -> list[tuple[object, ...]]:
    return [
        tuple(json_value(v) if t == "JSON" else v for v, t in zip(row, r.types, strict=True))
        for r in [lake.run(kql)]
        for row in r.rows
    ]


def test_arrays_bags_null_and_scalars(apps: Lake) -> None:
    got = rows(
        apps,
        "CloudAppEvents | mv-expand ActivityObjects | project AccountId, ActivityObjects"
        " | sort by AccountId asc",
    )
    # the empty array drops its row; null and a scalar give one row each; a bag one per slot
    assert sorted(got, key=repr) == sorted(
        [
            ("a", {"Name": "f1"}),
            ("a", {"Name": "f2"}),
            ("c", None),
            ("d", {"x": 1}),
            ("d", {"y": "z"}),
            ("e", "solo"),
        ],
        key=repr,
    )


def test_bag_expansion_as_arrays(apps: Lake) -> None:
    for option in ("bagexpansion=array", "kind=array"):
        got = rows(
            apps,
            f"CloudAppEvents | where AccountId == 'd' | mv-expand {option} ActivityObjects"
            " | project ActivityObjects",
        )
        assert got == [(["x", 1],), (["y", "z"],)]


def test_column_type_and_position(apps: Lake) -> None:
    r = apps.run("CloudAppEvents | project AccountId, ActivityObjects | mv-expand ActivityObjects")
    assert r.names == ["AccountId", "ActivityObjects"]
    assert [c.type.value for c in r.compiled.columns] == ["string", "dynamic"]


def test_expression_named_like_extend_replaces_the_column(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | project AccountId, City | mv-expand todynamic(City) to typeof(long)"
        " | sort by AccountId asc, City asc"
    )
    assert r.names == ["AccountId", "City"]
    assert [c.type.value for c in r.compiled.columns] == ["string", "long"]
    # "" is not an array: one row; '["7", 8]' converts both elements
    assert r.rows == [
        ("a", 1),
        ("c", None),
        ("d", 7),
        ("d", 8),
        ("e", 1),
        ("e", 2),
        ("e", 3),
    ]


def test_named_expression_is_a_new_column(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | where AccountId == 'a' | project AccountId"
        " | mv-expand n = dynamic(['x', 'y']) to typeof(string)"
    )
    assert r.names == ["AccountId", "n"]
    assert r.rows == [("a", "x"), ("a", "y")]


def test_parallel_expansion_pads_with_nulls_and_index(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | where AccountId in ('a', 'b') | project AccountId, ActivityObjects"
        " | mv-expand with_itemindex=i ActivityObjects, v = dynamic([10, 20, 30])"
        " | sort by AccountId asc, i asc"
    )
    assert r.names == ["AccountId", "ActivityObjects", "v", "i"]
    assert [(a, json_value(o), json_value(v), i) for a, o, v, i in r.rows] == [
        ("a", {"Name": "f1"}, 10, 0),
        ("a", {"Name": "f2"}, 20, 1),
        ("a", None, 30, 2),
        ("b", None, 10, 0),
        ("b", None, 20, 1),
        ("b", None, 30, 2),
    ]


def test_limit_per_row(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | where AccountId == 'e' | project City"
        " | mv-expand x = todynamic(City) to typeof(int) limit 2"
    )
    assert r.rows == [("[1, 2, 3]", 1), ("[1, 2, 3]", 2)]
    assert r.compiled.columns[1].type.value == "int"


def test_legacy_mvexpand_and_typeof_string(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | where AccountId == 'd' | mvexpand x = todynamic(City) to typeof(string)"
        " | project x"
    )
    assert r.rows == [("7",), ("8",)]


def test_after_summarize_and_take(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | summarize Objects = make_list(AccountId) | mv-expand Objects"
        " to typeof(string) | sort by Objects asc"
    )
    assert r.rows == [("a",), ("b",), ("c",), ("d",), ("e",)]
    r = apps.run(
        "CloudAppEvents | sort by AccountId asc | take 1 | mv-expand ActivityObjects"
        " | extend n = tostring(ActivityObjects.Name) | project n"
    )
    assert r.rows == [("f1",), ("f2",)]


def test_where_on_expanded_values(apps: Lake) -> None:
    r = apps.run(
        "CloudAppEvents | mv-expand ActivityObjects | where ActivityObjects['Name'] == 'f2'"
        " | project AccountId"
    )
    assert r.rows == [("a",)]


@pytest.mark.parametrize(
    ("kql", "code", "line", "column"),
    [
        ("CloudAppEvents | mv-expand AccountId", TYPE_MISMATCH, 1, 28),
        ("CloudAppEvents\n| mv-expand x = ActivityObjects to typeof(strin)", SYNTAX_ERROR, 2, 43),
        ("CloudAppEvents | mv-expand bagexpansion=weird ActivityObjects", SYNTAX_ERROR, 1, 41),
        ("CloudAppEvents | mv-expand ActivityObjects limit AccountId", EXPECTED_CONSTANT, 1, 50),
    ],
)
def test_diagnostics(lake: Lake, kql: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(kql)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column)


def test_timestamp_untouched(apps: Lake) -> None:
    apps.insert(
        "CloudAppEvents",
        [{"AccountId": "t", "Timestamp": datetime(2024, 5, 1), "ActivityObjects": [1, 2]}],
    )
    r = apps.run(
        "CloudAppEvents | where AccountId == 't' | mv-expand ActivityObjects to typeof(long)"
        " | project Timestamp, ActivityObjects"
    )
    assert r.rows == [(datetime(2024, 5, 1), 1), (datetime(2024, 5, 1), 2)]


# --- arrays made by split(): expanded from DuckDB's list, with the JSON array's meaning ---------

_SPLIT_TEXTS = ["a,b,,c", "", "solo", 'q"uo\\te,é€😀,\t\x01', "7,-8,x", ",,"]


@pytest.mark.parametrize(
    "expansion",
    [
        "mv-expand P = Parts",
        "mv-expand P = Parts to typeof(string)",
        "mv-expand P = Parts to typeof(long)",
        "mv-expand with_itemindex=I P = Parts to typeof(string)",
        "mv-expand P = Parts limit 2",
        "mv-expand P = Parts to typeof(string), Q = Other",
        "mvexpand P = Parts to typeof(guid)",
    ],
)
def test_split_arrays_expand_like_json_arrays(lake: Lake, expansion: str) -> None:
    """The same rows as from the same array read back from its JSON text (which takes the
    JSON path), for texts with quotes, backslashes, control and non-ASCII characters."""
    lake.insert(
        "CloudAppEvents",
        [
            {"AccountId": str(i), "City": text, "ActivityObjects": ["o1", "o2", "o3"][: i % 4]}
            for i, text in enumerate(_SPLIT_TEXTS)
        ],
    )
    tail = f" | {expansion} | project-away Parts | sort by AccountId asc"
    base = "CloudAppEvents | project AccountId, Other = ActivityObjects"
    native = lake.run(f"{base}, Parts = split(City, ','){tail}")
    via_json = lake.run(f"{base}, Parts = todynamic(tostring(split(City, ','))){tail}")
    listed = "coalesce(string_split("
    assert listed in native.sql.lower() and listed not in via_json.sql.lower()
    assert [c.type for c in native.compiled.columns] == [c.type for c in via_json.compiled.columns]
    assert sorted(native.rows, key=repr) == sorted(via_json.rows, key=repr)
    assert len(native.rows) > len(_SPLIT_TEXTS)
