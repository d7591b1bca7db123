"""Queries the fuzzer (`test_fuzz.py`) found crashing, each pinned with what it must give."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import ARGUMENT_TYPE, UNSUPPORTED_FEATURE

ROWS = [
    # DuckDB's array_to_string refuses a delimiter that is not a constant
    (
        'datatable(D:string)["-", "", "+"] | extend J = strcat_array(dynamic([1, "a", null]), D),'
        " E = strcat_array(dynamic([]), D) | sort by D asc",
        [("", "1a", ""), ("+", "1+a+", ""), ("-", "1-a-", "")],
    ),
    # a column named E (DuckDB names are case-insensitive) shadowed the lambda parameter `e`
    (
        'datatable(A:long)[1] | extend E = "x" | mv-expand X = dynamic({"a": 1})',
        [(1, "x", '{"a":1}')],
    ),
    (
        'datatable(_e:string)["x"] | extend K = bag_remove_keys(dynamic({"a": 1, "b": 2}), dynamic(["a"]))',
        [("x", '{"b":2}')],
    ),
    # a null dynamic argument made a JSON scalar where a JSON[] list was expected
    (
        'datatable(A:long)[1] | extend S = set_intersect(dynamic([1, "a"]), dynamic(null))',
        [(1, None)],
    ),
    ('datatable(A:string)["x"] | where A < array_slice(dynamic(null), 3, 4)', []),
    # start + 1 overflowed BIGINT; lengths past DuckDB's range failed at run time
    (
        'datatable(A:long)[2] | extend S = substring("abc", 9223372036854775807), T = substring("abc", A, 9223372036854775807)',
        [(2, "", "c")],
    ),
    # a key set to a constant was inlined as `GROUP BY 0` / `ORDER BY 'x'` (positional, refused)
    ("datatable(A:long)[1, 2] | project A, P = 0 | summarize C = count() by P", [(0, 2)]),
    (
        'datatable(A:long)[1, 3, 2] | project A, P = "x", Q = 2 | sort by P, Q asc, A asc',
        [(1, "x", 2), (2, "x", 2), (3, "x", 2)],
    ),
    ("datatable(A:long)[1, 3] | extend P = true | top 1 by P", [(1, True)]),
    # tobool of a timespan reached trim(INTERVAL)
    ("datatable(A:timespan)[1h] | extend B = tobool(A)", [(timedelta(hours=1), None)]),
]

REFUSED = [
    ("datatable(A:long)[1] | project-away A", UNSUPPORTED_FEATURE),
    ("datatable(A:long)[1] | distinct A | project-away A", UNSUPPORTED_FEATURE),
    ("datatable(A:long)[1] | extend S = range(1, 5, 1h)", ARGUMENT_TYPE),
    ("datatable(A:long)[1] | extend B = bin_at(1, 1h, 1tick)", ARGUMENT_TYPE),
]


@pytest.mark.parametrize(("query", "rows"), ROWS)
def test_runs(lake: Lake, query: str, rows: list[tuple[object, ...]]) -> None:
    assert lake.run(query).rows == rows


@pytest.mark.parametrize(("query", "code"), REFUSED)
def test_refused(lake: Lake, query: str, code: str) -> None:
    with pytest.raises(KqlError) as refused:
        lake.run(query)
    assert refused.value.diagnostic.code == code
