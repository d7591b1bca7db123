"""`mv-apply`: a subquery per input row over its expanded arrays, the row's other columns kept.

Expected tables are written from Kusto's documented semantics: each row's arrays become a
subtable, the subquery runs on each subtable alone, and the result is the union, with the
input row's columns that were not expanded added to every row it produced.
"""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake, json_value
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import SYNTAX_ERROR, UNKNOWN_COLUMN, UNSUPPORTED_FEATURE

DATA = (
    "datatable(Host:string, Ports:dynamic, Weight:long)["
    '"h1", dynamic([443, 80, 8080]), 10, '
    '"h2", dynamic([22]), 20, '
    '"h3", dynamic([]), 30, '
    '"h4", dynamic([3389, 445]), 40]'
)


def table(lake: Lake, kql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    result = lake.run(f"{DATA} | {kql}")
    rows = [
        tuple(json_value(v) if t == "JSON" else v for v, t in zip(row, result.types, strict=True))
        for row in result.rows
    ]
    return result.names, sorted(rows, key=repr)


def test_summarize_runs_once_per_input_row(lake: Lake) -> None:
    names, rows = table(lake, "mv-apply p = Ports to typeof(long) on (summarize n = count())")
    # the row with an empty array has an empty subtable: summarize of it gives one row
    assert names == ["Host", "Ports", "Weight", "n"]
    assert rows == sorted(
        [
            ("h1", [443, 80, 8080], 10, 3),
            ("h2", [22], 20, 1),
            ("h3", [], 30, 0),
            ("h4", [3389, 445], 40, 2),
        ],
        key=repr,
    )


def test_expanding_a_column_replaces_it(lake: Lake) -> None:
    names, rows = table(lake, "mv-apply Ports to typeof(long) on (summarize Low = min(Ports))")
    assert names == ["Host", "Weight", "Low"]
    assert rows == sorted(
        [("h1", 10, 80), ("h2", 20, 22), ("h3", 30, None), ("h4", 40, 445)], key=repr
    )


def test_top_and_take_are_per_row(lake: Lake) -> None:
    _, rows = table(
        lake, "mv-apply p = Ports to typeof(long) on (top 1 by p asc) | project Host, p"
    )
    assert rows == sorted([("h1", 80), ("h2", 22), ("h4", 445)], key=repr)
    _, rows = table(
        lake, "mv-apply p = Ports to typeof(long) on (sort by p desc | take 2) | project Host, p"
    )
    assert rows == sorted(
        [("h1", 8080), ("h1", 443), ("h2", 22), ("h4", 3389), ("h4", 445)], key=repr
    )


def test_row_columns_are_visible_in_the_subquery(lake: Lake) -> None:
    _, rows = table(
        lake,
        "mv-apply p = Ports to typeof(long) on (extend Score = p + Weight"
        " | summarize Best = max(Score)) | project Host, Best",
    )
    assert rows == sorted([("h1", 8090), ("h2", 42), ("h3", None), ("h4", 3429)], key=repr)


def test_project_and_project_away_keep_the_row_columns(lake: Lake) -> None:
    names, rows = table(
        lake, "mv-apply p = Ports to typeof(long) on (where p < 100 | project Port = p)"
    )
    assert names == ["Host", "Ports", "Weight", "Port"]
    assert rows == sorted([("h1", [443, 80, 8080], 10, 80), ("h2", [22], 20, 22)], key=repr)
    names, _ = table(lake, "mv-apply p = Ports on (project-away Host, Weight)")
    assert names == ["Host", "Ports", "Weight", "p"]


def test_count_and_distinct_per_row(lake: Lake) -> None:
    _, rows = table(lake, "mv-apply p = Ports to typeof(long) on (count) | project Host, Count")
    assert rows == sorted([("h1", 3), ("h2", 1), ("h3", 0), ("h4", 2)], key=repr)
    # h1 has an odd port and two even ones, h4 two odd ones: each row's values once
    _, rows = table(
        lake,
        "mv-apply p = Ports to typeof(long) on (distinct Even = p % 2 == 0) | project Host, Even",
    )
    assert rows == sorted([("h1", False), ("h1", True), ("h2", True), ("h4", False)], key=repr)


def test_several_arrays_expand_in_parallel_with_an_index(lake: Lake) -> None:
    _, rows = table(
        lake,
        "where Host == 'h1' | mv-apply with_itemindex=i p = Ports to typeof(long),"
        " q = dynamic(['a', 'b']) to typeof(string) on (project i, p, q) | project i, p, q",
    )
    # the shorter array is padded with null, which is '' as a string
    assert rows == sorted([(0, 443, "a"), (1, 80, "b"), (2, 8080, "")], key=repr)


def test_nested_mv_apply(lake: Lake) -> None:
    _, rows = table(
        lake,
        "mv-apply p = Ports to typeof(long) on ("
        " mv-apply d = dynamic([1, 2]) to typeof(long) on (summarize s = sum(p * d))"
        " | summarize Total = sum(s)) | project Host, Total",
    )
    assert rows == sorted([("h1", 3 * 8603), ("h2", 66), ("h3", None), ("h4", 3 * 3834)], key=repr)


def test_row_limit(lake: Lake) -> None:
    _, rows = table(
        lake, "mv-apply p = Ports to typeof(long) limit 1 on (project p) | project Host, p"
    )
    assert rows == sorted([("h1", 443), ("h2", 22), ("h4", 3389)], key=repr)


@pytest.mark.parametrize(
    ("subquery", "code", "column"),
    [
        ("join (datatable(p:long)[22]) on p", UNSUPPORTED_FEATURE, 42),
        ("serialize | extend r = row_number()", UNSUPPORTED_FEATURE, 42),
        ("sort by p | extend r = prev(p)", UNSUPPORTED_FEATURE, 54),
        ("where Nope > 1", UNKNOWN_COLUMN, 48),
    ],
)
def test_refusals_name_the_construct_and_position(
    lake: Lake, subquery: str, code: str, column: int
) -> None:
    with pytest.raises(KqlError) as caught:
        lake.compile(f"{DATA}\n| mv-apply p = Ports to typeof(long) on ({subquery})")
    found = caught.value.diagnostic
    assert found.code == code
    assert (found.line, found.column) == (2, column), found.message


def test_syntax_errors(lake: Lake) -> None:
    for text in ("mv-apply p = Ports (count)", "mv-apply p = Ports on ()", "mv-apply on (count)"):
        with pytest.raises(KqlError) as caught:
            lake.compile(f"{DATA} | {text}")
        assert caught.value.diagnostic.code == SYNTAX_ERROR


def test_summarize_gives_a_row_for_a_subtable_the_filter_emptied(lake: Lake) -> None:
    # the array-filtering idiom: rows whose elements all fail keep their place with []
    names, rows = table(
        lake,
        "mv-apply p = Ports to typeof(long) on (where p > 1000"
        " | summarize High = make_list(p), n = count()) | project Host, High, n",
    )
    assert names == ["Host", "High", "n"]
    assert rows == sorted(
        [("h1", [8080], 1), ("h2", [], 0), ("h3", [], 0), ("h4", [3389], 1)], key=repr
    )
    # a second summarize sees one row per input row
    _, rows = table(
        lake,
        "mv-apply p = Ports to typeof(long) on (where p > 1000 | count) | summarize sum(Count), count()",
    )
    assert rows == [(2, 4)]


def test_an_aggregate_named_like_a_row_column_replaces_it(lake: Lake) -> None:
    names, rows = table(
        lake,
        "mv-apply p = Ports to typeof(long) on (summarize Weight = count()) | project Host, Weight",
    )
    assert names == ["Host", "Weight"]
    assert rows == sorted([("h1", 3), ("h2", 1), ("h3", 0), ("h4", 2)], key=repr)
