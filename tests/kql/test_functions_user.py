"""User-defined functions, invoke, datatable, materialize, toscalar, as, externaldata."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql import diagnostics as diag


@pytest.fixture
def dev(lake: Lake) -> Lake:
    lake.insert(
        "DeviceInfo",
        [
            {"DeviceId": "d1", "DeviceName": "pc1", "OSBuild": 7},
            {"DeviceId": "d2", "DeviceName": "pc2", "OSBuild": 9},
            {"DeviceId": "d3", "DeviceName": "srv", "OSBuild": 11},
        ],
    )
    return lake


# --- datatable ------------------------------------------------------------------------------


def test_datatable_types_and_values(lake: Lake) -> None:
    r = lake.run(
        "datatable(S:string, L:long, R:real, B:bool, D:datetime, T:timespan, Y:dynamic)\n"
        "[\n  'a', 1, 2, true, datetime(2024-01-02), 1h, dynamic({'k': [1]}),\n"
        '  "b", -5, 1.5, false, datetime(null), time(null), dynamic(null)\n]'
    )
    assert r.names == ["S", "L", "R", "B", "D", "T", "Y"]
    assert [c.type.value for c in r.compiled.columns] == [
        "string", "long", "real", "bool", "datetime", "timespan", "dynamic",
    ]  # fmt: skip
    assert r.rows[0][:5] == ("a", 1, 2.0, True, datetime(2024, 1, 2))
    assert r.rows[0][5].total_seconds() == 3600
    assert r.rows[1][:5] == ("b", -5, 1.5, False, None)
    assert r.rows[1][5] is None
    assert r.compiled.tables == frozenset()


def test_datatable_in_let_filtered_and_joined(dev: Lake) -> None:
    r = dev.run(
        "let Names = datatable(Name:string, Rank:int) ['pc1', 1, 'srv', 2, 'other', 3];\n"
        "DeviceInfo | join kind=inner Names on $left.DeviceName == $right.Name"
        " | project DeviceId, Rank | sort by Rank asc"
    )
    assert r.rows == [("d1", 1), ("d3", 2)]
    assert r.compiled.tables == {"DeviceInfo"}


def test_datatable_empty_and_pipeline(lake: Lake) -> None:
    r = lake.run("datatable(A:string, B:long) [] | count")
    assert r.rows == [(0,)]
    r = lake.run("datatable(A:long) [3, 1, 2] | where A > 1 | sort by A asc")
    assert r.rows == [(2,), (3,)]


def test_datatable_uses_constant_lets(lake: Lake) -> None:
    r = lake.run("let x = 40; datatable(A:long) [x + 2]")
    assert r.rows == [(42,)]


@pytest.mark.parametrize(
    ("query", "code", "line", "column"),
    [
        ("datatable(A:string, B:long) ['a', 1, 'b']", diag.ARGUMENT_COUNT, 1, 41),
        ("datatable(A:long) ['x']", diag.TYPE_MISMATCH, 1, 20),
        ("datatable(A:long, A:long) [1, 2]", diag.DUPLICATE_COLUMN, 1, 19),
        ("DeviceInfo | extend x = 1 | project y = datatable(A:long)[1]", diag.SYNTAX_ERROR, 1, 41),
        ("datatable(A:long) [DeviceId]", diag.UNKNOWN_COLUMN, 1, 20),
        ("datatable(A:frob) [1]", diag.SYNTAX_ERROR, 1, 13),
    ],
)
def test_datatable_diagnostics(lake: Lake, query: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(query)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column), d


# --- user functions -------------------------------------------------------------------------


def test_scalar_function_with_column_argument_and_default(dev: Lake) -> None:
    r = dev.run(
        "let Tag = (name:string, suffix:string = '!') { strcat(toupper(name), suffix) };\n"
        "DeviceInfo | project a = Tag(DeviceName), b = Tag(DeviceName, '?') | sort by a asc"
    )
    assert r.rows == [("PC1!", "PC1?"), ("PC2!", "PC2?"), ("SRV!", "SRV?")]


def test_tabular_function_with_scalar_and_table_parameters(dev: Lake) -> None:
    r = dev.run(
        "let Over = (T:(*), n:long) { T | where OSBuild > n | project DeviceName };\n"
        "Over(DeviceInfo, 8) | sort by DeviceName asc"
    )
    assert r.rows == [("pc2",), ("srv",)]
    assert r.compiled.tables == {"DeviceInfo"}


def test_function_body_lets_and_closure(dev: Lake) -> None:
    r = dev.run(
        "let minimum = 8;\n"
        "let Big = (T:(OSBuild:long, DeviceName:string)) {\n"
        "  let limit = minimum + 1;\n"
        "  T | where OSBuild > limit\n"
        "};\n"
        "let minimum = 100;\n"  # later lets do not change what the function saw
        "DeviceInfo | invoke Big() | project DeviceName"
    )
    assert r.rows == [("srv",)]


def test_function_returning_a_table_from_a_let_and_called_twice(dev: Lake) -> None:
    r = dev.run(
        "let Window = (from:long, to:long) {\n"
        "  DeviceInfo | where OSBuild between (from .. to)\n"
        "};\n"
        "Window(0, 8) | join kind=leftanti Window(8, 100) on DeviceId | project DeviceId"
    )
    assert r.rows == [("d1",)]


def test_corpus_style_appmailreadactivity(dev: Lake) -> None:
    r = dev.run(
        "let act = (lo:long, hi:long) {\n"
        "DeviceInfo\n| where OSBuild between (lo .. hi)\n| summarize by DeviceName\n};\n"
        "act(0, 20)\n| join kind = leftanti act(8, 10)\non DeviceName"
    )
    assert sorted(r.rows) == [("pc1",), ("srv",)]


def test_view_without_parameters_is_used_by_name(dev: Lake) -> None:
    r = dev.run("let V = view () { DeviceInfo | where OSBuild > 8 }; V | count")
    assert r.rows == [(2,)]
    r = dev.run("let V = () { DeviceInfo | where OSBuild > 8 }; V() | count")
    assert r.rows == [(2,)]


def test_function_in_where_and_toscalar_inside_function(dev: Lake) -> None:
    r = dev.run(
        "let MaxBuild = () { toscalar(DeviceInfo | summarize max(OSBuild)) };\n"
        "DeviceInfo | where OSBuild == MaxBuild() | project DeviceName"
    )
    assert r.rows == [("srv",)]


@pytest.mark.parametrize(
    ("query", "code", "line", "column"),
    [
        ("let f = (x:long) { x };\nDeviceInfo | extend y = f()", diag.ARGUMENT_COUNT, 2, 25),
        ("let f = (x:long) { x };\nDeviceInfo | extend y = f(1, 2)", diag.ARGUMENT_COUNT, 2, 25),
        ("let f = (x:long) { x };\nDeviceInfo | extend y = f('a')", diag.ARGUMENT_TYPE, 2, 27),
        ("let f = (x:long) { x };\nf(1)", diag.NO_TABULAR_RESULT, 2, 1),
        (
            "let f = (T:(*)) { T };\nDeviceInfo | extend y = f(DeviceInfo)",
            diag.TYPE_MISMATCH,
            2,
            25,
        ),
        ("DeviceInfo | invoke nope()", diag.UNKNOWN_FUNCTION, 1, 21),
        ("DeviceInfo | invoke SeenBy()", diag.UNSUPPORTED_FUNCTION, 1, 21),
        # FileProfile runs, but DeviceInfo has no SHA1 column to look files up by
        ("DeviceInfo | invoke FileProfile()", diag.UNKNOWN_COLUMN, 1, 21),
        ("let f = (x:long) { x };\nDeviceInfo | invoke f()", diag.TYPE_MISMATCH, 2, 21),
        ("let f = (x:frob) { x };\nDeviceInfo", diag.SYNTAX_ERROR, 1, 12),
    ],
)
def test_function_diagnostics(lake: Lake, query: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(query)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column), d


def test_expansions_are_bounded(lake: Lake) -> None:
    lets = ["let f0 = () { DeviceInfo };"]
    for i in range(1, 12):
        lets.append(f"let f{i} = () {{ union f{i - 1}(), f{i - 1}() }};")
    with pytest.raises(KqlError) as e:
        lake.compile("\n".join(lets) + "\nf11()")
    assert e.value.diagnostic.code == diag.TOO_COMPLEX


# --- materialize / toscalar / as ------------------------------------------------------------


def test_materialize_is_its_argument(dev: Lake) -> None:
    r = dev.run(
        "let M = materialize(DeviceInfo | where OSBuild > 8 | project DeviceId);\n"
        "M | join kind=inner M on DeviceId | count"
    )
    assert r.rows == [(2,)]
    assert r.compiled.tables == {"DeviceInfo"}


def test_toscalar_first_column_of_first_row(dev: Lake) -> None:
    r = dev.run(
        "let top = toscalar(DeviceInfo | sort by OSBuild desc | project DeviceName, OSBuild);\n"
        "DeviceInfo | where DeviceName == top | project DeviceId"
    )
    assert r.rows == [("d3",)]
    r = dev.run("let n = toscalar(DeviceInfo | count); DeviceInfo | take 1 | project n")
    assert r.rows == [(3,)]
    assert [c.type.value for c in r.compiled.columns] == ["long"]
    r = dev.run("let n = toscalar(1 + 2); DeviceInfo | take 1 | project n")
    assert r.rows == [(3,)]


def test_toscalar_of_empty_is_null(dev: Lake) -> None:
    r = dev.run(
        "let n = toscalar(DeviceInfo | where OSBuild > 100 | project OSBuild);"
        " DeviceInfo | take 1 | project n"
    )
    assert r.rows == [(None,)]


def test_as_names_a_result_for_later_use(dev: Lake) -> None:
    r = dev.run(
        "DeviceInfo | where OSBuild > 8 | as Big"
        " | join kind=leftanti (Big | where OSBuild > 10) on DeviceId | project DeviceId"
    )
    assert r.rows == [("d2",)]
    r = dev.run("DeviceInfo | as hint.materialized=true X | count")
    assert r.rows == [(3,)]


def test_as_inside_a_let_still_lists_its_tables(dev: Lake) -> None:
    r = dev.run("let unused = DeviceInfo | as D; D | count")
    assert r.compiled.tables == {"DeviceInfo"}
    assert r.rows == [(3,)]
