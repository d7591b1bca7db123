"""The `print` and `range` sources: Kusto's documented examples, types, naming, pipelines after
them, their use inside `let`, `union`, `join` and `in`, diagnostics, and a huge range stopped by
the engine's deadline (or row limit) rather than materialized."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.kql.conftest import NOW, Lake, Result
from xdrlab.engine.errors import QueryTimeout
from xdrlab.engine.hunting import run_hunting_query
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.kql import CompiledQuery, KqlError, compile_query
from xdrlab.kql import diagnostics as diag
from xdrlab.lake.schema import hunting_tables
from xdrlab.lake.store import Lake as Store

TENANT = "00000000-0000-0000-0000-0000000000b1"


def types(r: Result) -> list[str]:
    return [c.type.value for c in r.compiled.columns]


# --- print ------------------------------------------------------------------------------------


def test_print_doc_example_names_an_unnamed_column_by_its_place(lake: Lake) -> None:
    r = lake.run('print 0 + 1 + 2 + 3 + 4 + 5, x = "Wow!"')
    assert r.names == ["print_0", "x"]
    assert types(r) == ["long", "string"]
    assert r.rows == [(15, "Wow!")]


def test_print_doc_example_with_a_function(lake: Lake) -> None:
    r = lake.run('print banner=strcat("Hello", ", ", "World!")')
    assert (r.names, r.rows) == (["banner"], [("Hello, World!",)])


def test_print_numbers_unnamed_columns_by_position_among_all_items(lake: Lake) -> None:
    r = lake.run("print a = 1, 2, b = 3, 4")
    assert r.names == ["a", "print_1", "b", "print_3"]
    assert r.rows == [(1, 2, 3, 4)]


def test_print_of_every_scalar_kind(lake: Lake) -> None:
    r = lake.run(
        "print l = 5, r = 2.5, b = true, s = 'x', d = datetime(2024-01-02), t = 90m, "
        'j = dynamic({"k": [1]}), n = long(null), now = now(), ago = ago(1d)'
    )
    assert types(r) == [
        "long", "real", "bool", "string", "datetime", "timespan", "dynamic", "long",
        "datetime", "datetime",
    ]  # fmt: skip
    (row,) = r.dicts
    assert row["l"] == 5 and row["r"] == 2.5 and row["b"] is True and row["s"] == "x"
    assert row["d"] == datetime(2024, 1, 2) and row["t"] == timedelta(minutes=90)
    assert row["n"] is None and row["now"] == NOW and row["ago"] == NOW - timedelta(days=1)


def test_print_then_a_pipeline(lake: Lake) -> None:
    r = lake.run("print x = 1 | extend y = x + 1 | where y == 2 | project y, z = x * 10")
    assert (r.names, r.rows) == (["y", "z"], [(2, 10)])
    assert lake.run("print x = 1 | where x > 1").rows == []


def test_print_parenthesised_expression_is_not_a_call(lake: Lake) -> None:
    r = lake.run("print (1 + 2) * 3")
    assert (r.names, r.rows) == (["print_0"], [(9,)])


def test_print_uses_lets_and_toscalar(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceId": "a"}, {"DeviceId": "b"}])
    r = lake.run(
        "let n = 40; let f = (v: long) { v + 2 };\n"
        "print answer = f(n), devices = toscalar(DeviceInfo | count)"
    )
    assert (r.names, r.rows) == (["answer", "devices"], [(42, 2)])
    assert r.compiled.tables == frozenset({"DeviceInfo"})


def test_print_as_a_let_in_union_and_join(lake: Lake) -> None:
    r = lake.run(
        "let One = print k = 1, v = 'one';\n"
        "let Two = (print k = 2, v = 'two');\n"
        "union One, Two, (print k = 3, v = 'three')\n"
        "| join kind=inner (print k = 2, w = 'joined') on k\n"
        "| project k, v, w"
    )
    assert r.rows == [(2, "two", "joined")]


def test_print_as_an_in_list(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceId": "a", "OSBuild": 7}, {"DeviceId": "b", "OSBuild": 8}])
    r = lake.run("DeviceInfo | where OSBuild in (print 8) | project DeviceId")
    assert r.rows == [("b",)]


def test_print_generated_names_give_way_to_written_ones(lake: Lake) -> None:
    r = lake.run("print 5, print_0 = 6")
    assert r.names == ["print_01", "print_0"]


def test_print_refusals() -> None:
    cases = [
        ("print", diag.SYNTAX_ERROR, 1, 6),
        ("print y", diag.UNKNOWN_COLUMN, 1, 7),
        ("print a = 1, b = a", diag.UNKNOWN_COLUMN, 1, 18),  # no columns: `a` is not in scope
        ("print x = 1, x = 2", diag.DUPLICATE_COLUMN, 1, 14),
        ("print n = count()", diag.AGGREGATE_CONTEXT, 1, 11),
        ("print *", diag.SYNTAX_ERROR, 1, 7),
        ("print x = 1; print y = 2", diag.UNSUPPORTED_FEATURE, 1, 14),
    ]
    for query, code, line, column in cases:
        with pytest.raises(KqlError) as caught:
            _compile(query)
        d = caught.value.diagnostic
        assert (d.code, d.line, d.column) == (code, line, column), query
    with pytest.raises(KqlError) as caught:
        _compile("print y")
    assert caught.value.diagnostic.message == (
        "'print' operator: Failed to resolve scalar expression named 'y'"
    )


def _compile(query: str) -> CompiledQuery:
    return compile_query(query, hunting_tables(), now=NOW)


# --- range ------------------------------------------------------------------------------------


def test_range_doc_example_steps(lake: Lake) -> None:
    r = lake.run("range Steps from 1 to 8 step 3")
    assert (r.names, types(r), r.rows) == (["Steps"], ["long"], [(1,), (4,), (7,)])


def test_range_doc_example_last_week(lake: Lake) -> None:
    r = lake.run("range LastWeek from ago(7d) to now() step 1d")
    assert types(r) == ["datetime"]
    assert r.column("LastWeek") == [NOW - timedelta(days=7 - d) for d in range(8)]


def test_range_doc_example_union_of_two_ranges(lake: Lake) -> None:
    r = lake.run(
        "let Range1 = range Time from datetime(2024-01-01) to datetime(2024-01-05) step 1d;\n"
        "let Range2 = range Time from datetime(2024-01-06) to datetime(2024-01-10) step 1d;\n"
        "union Range1, Range2\n"
        "| order by Time asc"
    )
    assert r.column("Time") == [datetime(2024, 1, d) for d in range(1, 11)]


def test_range_doc_example_with_parameters(lake: Lake) -> None:
    r = lake.run(
        "let toUnixTime = (dt:datetime) { (dt - datetime(1970-01-01)) / 1s };\n"
        "let MyMonthStart = startofmonth(now());\n"
        "let StepBy = 4.534h;\n"
        "let nn = 64000;\n"
        "let MyTimeline = range MyMonthHour from MyMonthStart to now() step StepBy\n"
        "| extend MyMonthHourinUnixTime = toUnixTime(MyMonthHour), "
        "DateOnly = bin(MyMonthHour,1d), TimeOnly = MyMonthHour - bin(MyMonthHour,1d)\n"
        "; MyTimeline | order by MyMonthHour asc | take nn"
    )
    # NOW is the month's first day at noon: 00:00, 04:32:02.4, 09:04:04.8
    assert r.names == ["MyMonthHour", "MyMonthHourinUnixTime", "DateOnly", "TimeOnly"]
    start = datetime(2024, 5, 1)
    step = timedelta(hours=4.534)
    assert r.column("MyMonthHour") == [start, start + step, start + 2 * step]
    assert r.column("MyMonthHourinUnixTime") == [1714521600.0, 1714537922.4, 1714554244.8]
    assert r.column("TimeOnly") == [timedelta(0), step, 2 * step]


def test_range_is_inclusive_and_stops_before_passing_stop(lake: Lake) -> None:
    assert lake.run("range x from 1 to 3 step 1").column("x") == [1, 2, 3]
    assert lake.run("range x from 1 to 4 step 2").column("x") == [1, 3]
    assert lake.run("range x from 5 to 5 step 1").column("x") == [5]
    assert lake.run("range x from 1 to 5.5 step 1").column("x") == [1, 2, 3, 4, 5]


def test_range_counts_down_with_a_negative_step(lake: Lake) -> None:
    assert lake.run("range x from 10 to 1 step -3").column("x") == [10, 7, 4, 1]
    assert lake.run("range x from 10 to 2 step -3").column("x") == [10, 7, 4]


def test_range_with_a_step_away_from_stop_or_a_null_bound_is_empty(lake: Lake) -> None:
    for query in (
        "range x from 5 to 1 step 1",
        "range x from 1 to 5 step -1",
        "range x from 1 to 5 step long(null)",
        "range x from long(null) to 5 step 1",
        "range x from real(nan) to 5 step 1",
        "range t from datetime(2024-01-02) to datetime(2024-01-01) step 1h",
    ):
        r = lake.run(query)
        assert r.rows == [], query
        assert len(r.names) == 1


def test_range_column_types(lake: Lake) -> None:
    cases = {
        "range x from 1 to 2 step 1": ("long", [1, 2]),
        "range x from int(1) to 5 step int(2)": ("int", [1, 3, 5]),
        "range x from int(1) to 2 step 1": ("long", [1, 2]),
        "range x from 0 to 1 step 0.25": ("real", [0.0, 0.25, 0.5, 0.75, 1.0]),
        "range x from 1.5 to 3 step 1": ("real", [1.5, 2.5]),
        "range t from 1h to 5h step 90m": (
            "timespan",
            [timedelta(hours=1), timedelta(hours=2.5), timedelta(hours=4)],
        ),
        "range t from -1d to 1d step 1d": (
            "timespan",
            [timedelta(days=-1), timedelta(0), timedelta(days=1)],
        ),
        "range t from datetime(2024-01-01) to datetime(2024-01-02) step 12h": (
            "datetime",
            [datetime(2024, 1, 1), datetime(2024, 1, 1, 12), datetime(2024, 1, 2)],
        ),
    }
    for query, (kind, values) in cases.items():
        r = lake.run(query)
        assert (types(r), r.column(r.names[0])) == ([kind], values), query


def test_range_real_steps_do_not_lose_the_last_value(lake: Lake) -> None:
    assert lake.run("range x from 0 to 1 step 0.1 | count").rows == [(11,)]


def test_range_bounds_from_lets_and_toscalar(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceId": "a", "OSBuild": 3}, {"DeviceId": "b", "OSBuild": 5}])
    r = lake.run(
        "let top = toscalar(DeviceInfo | summarize max(OSBuild));\n"
        "let first = 1;\n"
        "range x from first to top step 2"
    )
    assert r.column("x") == [1, 3, 5]
    assert r.compiled.tables == frozenset({"DeviceInfo"})
    down = lake.run("range x from toscalar(print 9) to 1 step toscalar(print -4)")
    assert down.column("x") == [9, 5, 1]
    days = lake.run(
        "range t from toscalar(print datetime(2024-01-01)) to datetime(2024-01-02) step 12h"
    )
    assert days.column("t") == [
        datetime(2024, 1, 1),
        datetime(2024, 1, 1, 12),
        datetime(2024, 1, 2),
    ]
    # a step of zero known only when the query runs: no rows (a constant one is refused)
    assert lake.run("range x from 1 to 3 step toscalar(print 0)").rows == []


def test_range_rows_are_serialized_in_order(lake: Lake) -> None:
    r = lake.run("range x from 5 to 1 step -1 | extend n = row_number(), p = prev(x)")
    assert r.rows == [(5, 1, None), (4, 2, 5), (3, 3, 4), (2, 4, 3), (1, 5, 2)]


def test_range_in_pipelines_joins_unions_and_in(lake: Lake) -> None:
    r = lake.run(
        "range x from 1 to 6 step 1\n"
        "| join kind=inner (range x from 2 to 6 step 2 | extend half = x / 2) on x\n"
        "| union (print x = 0, half = 0)\n"
        "| project x, half | sort by x asc"
    )
    assert r.rows == [(0, 0), (2, 1), (4, 2), (6, 3)]
    lake.insert("DeviceInfo", [{"DeviceId": "a", "OSBuild": 7}, {"DeviceId": "b", "OSBuild": 8}])
    inside = lake.run(
        "DeviceInfo | where OSBuild in (range b from 8 to 20 step 1) | project DeviceId"
    )
    assert inside.rows == [("b",)]
    counted = lake.run("range x from 1 to 100 step 1 | summarize n = count(), s = sum(x)")
    assert counted.rows == [(100, 5050)]


def test_range_and_print_as_the_body_of_a_user_function(lake: Lake) -> None:
    r = lake.run("let f = (n: long) { range x from 1 to n step 1 }; f(3) | count")
    assert r.rows == [(3,)]
    assert lake.run("let g = () { print k = 'v' }; g()").rows == [("v",)]


def test_range_column_may_be_a_bracketed_name(lake: Lake) -> None:
    assert lake.run("range ['a b'] from 1 to 2 step 1").names == ["a b"]


def test_the_scalar_range_function_still_works(lake: Lake) -> None:
    r = lake.run("print r = range(1, 8, 3)")
    assert r.rows == [("[1,4,7]",)]
    doc = lake.run("print r = range(1,1000000000) | mv-expand r | count")
    assert doc.rows == [(1_048_576,)]  # the function's documented cap


RANGE_REFUSALS = [
    # (query, code, line, column, message)
    (
        "range x from 1 to 3 step 0",
        diag.TYPE_MISMATCH,
        1,
        26,
        "'range' operator: The step must not be zero",
    ),
    ("range x from 1h to 3h step 0s", diag.TYPE_MISMATCH, 1, 28, None),
    (
        'range x from "a" to 3 step 1',
        diag.TYPE_MISMATCH,
        1,
        14,
        "'range' operator: The start must be of type int, long, real, datetime or timespan, "
        "not string",
    ),
    (
        "range x from 1 to 2h step 1",
        diag.TYPE_MISMATCH,
        1,
        19,
        "'range' operator: The stop must be a number like the start, not timespan",
    ),
    (
        "range x from datetime(2024-01-01) to datetime(2024-01-02) step 1",
        diag.TYPE_MISMATCH,
        1,
        64,
        "'range' operator: The step must be a timespan, not long",
    ),
    ("range x from datetime(2024-01-01) to 5 step 1h", diag.TYPE_MISMATCH, 1, 38, None),
    ("range x from dynamic(1) to 2 step 1", diag.TYPE_MISMATCH, 1, 14, None),
    (
        "range x from 1 to y step 1",
        diag.UNKNOWN_COLUMN,
        1,
        19,
        "'range' operator: Failed to resolve scalar expression named 'y'",
    ),
    ("range x from 1 to 10 step rand() + 1", diag.EXPECTED_CONSTANT, 1, 34, None),
    ("range x from 1 to 3", diag.SYNTAX_ERROR, 1, 20, None),
    ("range from 1 to 3 step 1", diag.SYNTAX_ERROR, 1, 12, None),
    ("range x 1 to 3 step 1", diag.SYNTAX_ERROR, 1, 9, None),
    ("range x from 1 to 3 step 1, y", diag.SYNTAX_ERROR, 1, 27, None),
    ("range(1, 3)", diag.SYNTAX_ERROR, 1, 6, None),
    ("range x from 1 to 3 step count()", diag.AGGREGATE_CONTEXT, 1, 26, None),
]


@pytest.mark.parametrize(
    ("query", "code", "line", "column", "message"),
    RANGE_REFUSALS,
    ids=[c[0] for c in RANGE_REFUSALS],
)
def test_range_refusals(query: str, code: str, line: int, column: int, message: str | None) -> None:
    with pytest.raises(KqlError) as caught:
        _compile(query)
    d = caught.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column)
    if message is not None:
        assert d.message == message


# --- huge ranges through the engine ----------------------------------------------------------


def test_a_huge_range_is_stopped_by_the_deadline_not_materialized(tmp_path: Path) -> None:
    store = Store(tmp_path / "lake")
    started = time.monotonic()
    try:
        result = run_hunting_query(
            store,
            TENANT,
            "range x from 1 to 10000000000 step 1 | count",
            now=NOW,
            timeout_seconds=1.0,
            settings=EngineSettings(threads=1),
        )
    except QueryTimeout:
        pass
    else:  # computed in time (without holding the rows): then it is right
        assert result.json_rows() == [{"Count": 10_000_000_000}]
    assert time.monotonic() - started < 15  # generous: the point is that it stops


def test_a_huge_range_streams_up_to_the_row_limit(tmp_path: Path) -> None:
    store = Store(tmp_path / "lake")
    started = time.monotonic()
    result = run_hunting_query(
        store,
        TENANT,
        "range x from 1 to 10000000000 step 1",
        now=NOW,
        row_limit=1_000,
        timeout_seconds=30,
        settings=EngineSettings(threads=1),
    )
    assert result.stats.truncated and result.num_rows == 1_000
    assert result.json_rows()[:3] == [{"x": 1}, {"x": 2}, {"x": 3}]
    assert time.monotonic() - started < 15


def test_the_largest_range_compiles_to_a_capped_count() -> None:
    compiled = _compile("range x from -9223372036854775807 to 9223372036854775807 step 1 | take 2")
    assert "RANGE(0, 9223372036854775807)" in compiled.tree.sql(dialect="duckdb")


def test_a_let_of_the_scalar_range_function_is_a_scalar(lake: Lake) -> None:
    """`range(start, stop, step)` with arguments is the scalar function (a dynamic array), not
    the tabular source of the same name."""
    r = lake.run("let r = range(1, 7, 3); print r, n = array_length(r)")
    assert r.names == ["print_0", "n"]
    assert r.rows == [("[1,4,7]", 3)]  # dynamic values come back as JSON text
