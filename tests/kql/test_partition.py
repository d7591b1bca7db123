"""`partition by Column (Subquery)`: the subquery on each value's rows, results unioned.

Expected tables follow Kusto's documented semantics: the subquery sees only its partition's
rows and its output columns are the subquery's own (no key column is added).
"""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import SYNTAX_ERROR, TYPE_MISMATCH, UNKNOWN_COLUMN, UNSUPPORTED_FEATURE

DATA = (
    "datatable(Host:string, Port:long, Proto:string, Tags:dynamic)["
    '"h1", 443, "tcp", dynamic(["a"]), "h1", 80, "tcp", dynamic([]), "h1", 53, "udp", dynamic([]),'
    ' "h2", 22, "tcp", dynamic([]), "h2", 22, "tcp", dynamic(["b", "c"]),'
    ' "", 0, "icmp", dynamic([])]'
)


def table(lake: Lake, kql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    result = lake.run(f"{DATA} | {kql}")
    return result.names, sorted(result.rows, key=repr)


def test_top_per_partition_keeps_every_column(lake: Lake) -> None:
    names, rows = table(lake, "partition by Host (top 1 by Port) | project Host, Port, Proto")
    assert names == ["Host", "Port", "Proto"]
    # the empty string is a value like any other and has its own partition
    assert rows == sorted([("", 0, "icmp"), ("h1", 443, "tcp"), ("h2", 22, "tcp")], key=repr)


def test_summarize_per_partition_adds_no_key(lake: Lake) -> None:
    names, rows = table(lake, "partition by Host (summarize Ports = dcount(Port), n = count())")
    assert names == ["Ports", "n"]
    assert rows == sorted([(1, 1), (3, 3), (1, 2)], key=repr)


def test_distinct_count_and_take_per_partition(lake: Lake) -> None:
    _, rows = table(lake, "partition by Host (distinct Proto) | project Proto")
    assert rows == sorted([("icmp",), ("tcp",), ("udp",), ("tcp",)], key=repr)
    _, rows = table(lake, "partition by Proto (count)")
    assert rows == [(1,), (1,), (4,)]
    _, rows = table(lake, "partition by Host (sort by Port asc | take 2 | project Host, Port)")
    assert rows == sorted([("", 0), ("h1", 53), ("h1", 80), ("h2", 22), ("h2", 22)], key=repr)


def test_row_wise_operators_and_mv_apply_inside(lake: Lake) -> None:
    _, rows = table(
        lake,
        "partition by Host (where Proto == 'tcp' | extend Web = Port in (80, 443)"
        " | mv-apply t = Tags on (summarize Labels = count()) | summarize sum(Labels), countif(Web))",
    )
    # h1: 443 (one tag) and 80 (none: a subtable without rows, counted 0), both web ports;
    # h2: no tags and two tags; the empty host's partition has no tcp row left, and summarize
    # without `by` still gives it a row: no sum, a count of 0
    assert rows == sorted([(1, 2), (2, 0), (None, 0)], key=repr)


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("partition by Nope (count)", UNKNOWN_COLUMN, 14),
        ("partition by Tags (count)", TYPE_MISMATCH, 14),
        ("partition by Host (union (datatable(Host:string)['x']))", UNSUPPORTED_FEATURE, 20),
        ("partition by Host (serialize n = row_number())", UNSUPPORTED_FEATURE, 20),
        ("partition by Host { count }", UNSUPPORTED_FEATURE, 19),
        ("partition by Host", SYNTAX_ERROR, None),
        ("partition Host (count)", SYNTAX_ERROR, 11),
    ],
)
def test_refusals(lake: Lake, text: str, code: str, column: int | None) -> None:
    with pytest.raises(KqlError) as caught:
        lake.compile(f"{DATA}\n| {text}")
    found = caught.value.diagnostic
    assert found.code == code, found.message
    if column is not None:
        assert (found.line, found.column) == (2, column + 2), found.message
