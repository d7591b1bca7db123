"""A slice of the public corpus on both engines over one demo lake: the same rows, or a refusal
the test knows about.

Results are compared as the API serves them (`json_rows`): in order when the query ends with a
total order, as multisets otherwise; reals with a relative tolerance. Queries with a `take`
before other operators, or `make_set`/`make_list` whose order Kusto leaves open, are not in the
slice: both engines answer them correctly with different rows.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.engine.distributed.conftest import NOW, TENANT, Engines
from xdrlab.engine.agreement import canonical_row, totally_ordered
from xdrlab.engine.distributed import NotSupportedBySpark
from xdrlab.kql import compile_query
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.lake.schema import hunting_tables

CORPUS = Path(__file__).parents[2] / "kql" / "corpus" / "hunting-queries.jsonl"

# Queries that run on both engines (what they exercise, for the reader).
RUNS = {
    "m365d-84e88e268c": "where, contains, extend, sort, ago",
    "m365d-a314524bf0": "where, has, contains, top, ago",
    "m365d-aeb57e03ff": "join, has, extend, sort",
    "m365d-5022a2df21": "summarize",
    "m365d-07e7e289b1": "summarize, top",
    "m365d-70993bdefc": "where, project",
    "m365d-f03feec891": "top",
    "m365d-e355015762": "join",
    "m365d-0cf6c3c845": "join",
    "m365d-7e32d01960": "summarize, sort",
    "m365d-1271c7aeeb": "where, summarize",
    "m365d-3503c7a4c6": "summarize, sort, ago",
    "m365d-d558567a01": "join, project",
    "m365d-d3d210c137": "join, project",
    "m365d-4487d89bc4": "join, has, project",
    "m365d-673b61b420": "summarize, project",
    "m365d-dfc3ff6694": "union",
    "m365d-01b71651d3": "union",
    "m365d-9d1c48f25d": "union",
    "m365d-102e3c550d": "dynamic access",
    "m365d-274bf2de3e": "dynamic access",
    "m365d-6a6fdc0a2f": "dynamic access",
    "m365d-0c1bf9887e": "bin, extend",
    "m365d-7122705ca9": "bin",
    "m365d-dcea43412b": "bin",
    "m365d-703c30ad5b": "join",
    "m365d-fc9aef48fc": "join",
    "m365d-76108b4a47": "top",
    "m365d-372fcd4cec": "top",
    "m365d-58f607d9b8": "parse (strpos/substr), summarize, bin (no LDAP events: empty on both)",
    "m365d-eb069c04da": "split(...)[0], join",
    "m365d-e2ef71f257": "lookup, partition by ... (top 1 by ...)",
}

# Queries the distributed engine refuses, and the construct that makes it.
REFUSED = {
    "m365d-41878df4e5": "json_extract with a path other than members and indexes",  # mv-expand
    "m365d-810ebf9877": "epoch_us()",  # make-series, timespan arithmetic
    "m365d-c9e434553f": "range()",  # mv-expand of range()
    "m365d-e08063aaef": "list_slice()",
}


def _queries() -> dict[str, str]:
    with CORPUS.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {q["id"]: q["query"] for q in rows if q["id"] in RUNS or q["id"] in REFUSED}


QUERIES = _queries()


def _compiled(query_id: str) -> CompiledQuery:
    return compile_query(QUERIES[query_id], hunting_tables(), now=NOW)


def test_refused_queries_are_exactly_the_known_ones(engines: Engines) -> None:
    refused: dict[str, str] = {}
    for query_id in sorted(QUERIES):
        try:
            engines.spark.sql(_compiled(query_id))
        except NotSupportedBySpark as error:
            refused[query_id] = error.construct
    assert refused == REFUSED


@pytest.mark.parametrize("query_id", sorted(RUNS))
def test_same_results_on_both_engines(engines: Engines, query_id: str) -> None:
    compiled = _compiled(query_id)
    duck = engines.duckdb.execute(compiled, TENANT, engines.window, row_limit=5_000)
    spark = engines.spark.execute(compiled, TENANT, engines.window, row_limit=5_000)
    assert [c.type for c in spark.columns] == [c.type for c in duck.columns]
    assert spark.rows.column_names == duck.rows.column_names
    assert spark.stats.truncated == duck.stats.truncated
    expected = [canonical_row(row) for row in duck.json_rows()]
    actual = [canonical_row(row) for row in spark.json_rows()]
    if totally_ordered(compiled, duck.json_rows()):
        assert actual == expected
    else:
        assert Counter(actual) == Counter(expected)
