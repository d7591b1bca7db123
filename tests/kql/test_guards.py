"""Guards against hostile input, through the whole hunting path: query length, nesting depth
and syntax-tree size refused before any SQL exists, a deadline that really stops DuckDB (and leaves the
engine usable), and a row cap that says it cut the result."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.kql.conftest import NOW
from xdrlab.demo.telemetry.generate import generate_demo_telemetry
from xdrlab.engine.errors import TIMEOUT_MESSAGE, QueryTimeout
from xdrlab.engine.hunting import run_hunting_query
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql.compiler import MAX_QUERY_LENGTH, MAX_SYNTAX_NODES
from xdrlab.kql.diagnostics import TOO_COMPLEX
from xdrlab.kql.operators import PARSERS, SOURCE_PARSERS
from xdrlab.kql.syntax.parser import parse
from xdrlab.kql.syntax.size import count_nodes
from xdrlab.lake.schema import hunting_tables
from xdrlab.lake.store import Lake

TENANT = "6f1c2a9e-0000-4000-8000-0000000009a2"
TOO_DEEP = "The query is nested too deeply to be analyzed"


@pytest.fixture(scope="module")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("guards") / "lake")
    generate_demo_telemetry(lake, TENANT, now=NOW, events=2_000)
    return lake


def refused(text: str) -> tuple[str, str, int, int]:
    with pytest.raises(KqlError) as caught:
        compile_query(text, hunting_tables(), now=NOW)
    d = caught.value.diagnostic
    return d.code, d.message, d.line, d.column


def test_an_overlong_query_is_refused_before_parsing() -> None:
    text = "DeviceInfo | where DeviceName == 'a'" + " or DeviceName == 'a'" * (
        MAX_QUERY_LENGTH // 20
    )
    assert len(text) > MAX_QUERY_LENGTH
    started = time.monotonic()
    assert refused(text) == (TOO_COMPLEX, TOO_DEEP, 1, 1)
    assert time.monotonic() - started < 1  # refused by its length, not after work


@pytest.mark.parametrize(
    "text",
    [
        "DeviceInfo | where " + "(" * 5_000 + "true" + ")" * 5_000,
        "DeviceInfo | extend x = " + "-" * 5_000 + "1",
        "DeviceInfo | extend x = " + "tostring(" * 3_000 + "1" + ")" * 3_000,
        "DeviceInfo | extend x = dynamic(" + "[" * 5_000 + "]" * 5_000 + ")",
        "(" * 3_000 + "DeviceInfo" + ")" * 3_000,
        "DeviceInfo | where " + " and ".join(["DeviceName == 'a'"] * 20_000),
    ],
    ids=["parentheses", "unary", "calls", "json", "subqueries", "long-chain"],
)
def test_deep_or_wide_queries_are_refused_or_compile_never_crash(text: str) -> None:
    try:
        compile_query(text, hunting_tables(), now=NOW)
    except KqlError as error:
        assert error.diagnostic.code == TOO_COMPLEX
        assert error.diagnostic.message == TOO_DEEP


def test_syntax_tree_nodes_are_counted() -> None:
    # Query, Pipeline, Name, Where, ListOp, Name and a Literal per item
    tree = parse("DeviceInfo | where DeviceName in ('a', 'b', 'c')", PARSERS, SOURCE_PARSERS)
    assert count_nodes(tree, 100) == 9
    assert count_nodes(tree, 5) == 6  # counting stops past the limit
    # a let statement and its value count; a dynamic literal is one node however many elements
    tree = parse("let L = dynamic([1, [2, 3], {'a': 4}]); L", PARSERS, SOURCE_PARSERS)
    assert count_nodes(tree, 100) == 5  # Query, LetStatement, Literal, Pipeline, Name


def in_list(items: int) -> str:
    """A wide query (not a deep one) of `items` + 6 syntax-tree nodes."""
    return "DeviceInfo | where DeviceName in (" + ", ".join(f"'h{i}'" for i in range(items)) + ")"


def test_a_query_with_too_many_nodes_is_refused_before_lowering() -> None:
    largest = in_list(MAX_SYNTAX_NODES - 6)
    assert count_nodes(parse(largest, PARSERS, SOURCE_PARSERS), MAX_SYNTAX_NODES) == (
        MAX_SYNTAX_NODES
    )
    compile_query(largest, hunting_tables(), now=NOW)
    started = time.monotonic()
    assert refused(in_list(MAX_SYNTAX_NODES - 5)) == (TOO_COMPLEX, TOO_DEEP, 1, 1)
    # thousands of columns in one operator, far from the nesting limit
    many = "DeviceInfo | extend " + ", ".join(f"c{i} = {i}" for i in range(MAX_SYNTAX_NODES))
    assert refused(many) == (TOO_COMPLEX, TOO_DEEP, 1, 1)
    assert time.monotonic() - started < 5  # refused before the compiler did their work


def test_wide_queries_under_the_limit_compile_in_linear_time() -> None:
    """Thousands of columns in one `extend`: the compiler keeps the columns by name instead of
    rebuilding them for each new one (which took minutes)."""
    columns = MAX_SYNTAX_NODES // 6
    items = ", ".join(f"c{i} = strlen(DeviceName) + {i}" for i in range(columns))
    started = time.monotonic()
    compiled = compile_query(f"DeviceInfo | extend {items}", hunting_tables(), now=NOW)
    assert time.monotonic() - started < 5
    assert compiled.columns[-1].name == f"c{columns - 1}"


def test_the_public_corpus_is_far_below_the_node_limit() -> None:
    import json

    corpus = Path(__file__).parent / "corpus" / "hunting-queries.jsonl"
    largest = 0
    for line in corpus.read_text(encoding="utf-8").splitlines():
        try:
            tree = parse(json.loads(line)["query"], PARSERS, SOURCE_PARSERS)
        except KqlError:
            continue
        largest = max(largest, count_nodes(tree, MAX_SYNTAX_NODES))
    assert 100 < largest < MAX_SYNTAX_NODES // 20


# Each self-join on a constant key multiplies the rows: 2,000^4 rows to count, minutes of work.
CROSS_JOIN = """let T = DeviceProcessEvents | project k = 1, ProcessId;
T
| join kind=inner (T) on k
| join kind=inner (T) on k
| join kind=inner (T) on k
| summarize count()"""


def test_the_deadline_stops_a_query_that_would_run_for_minutes(small_lake: Lake) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        run_hunting_query(
            small_lake,
            TENANT,
            CROSS_JOIN,
            now=NOW,
            timeout_seconds=1.0,
            settings=EngineSettings(threads=1),
        )
    assert caught.value.message == TIMEOUT_MESSAGE
    assert time.monotonic() - started < 10  # stopped, not finished
    # The connection was released: the next query runs at once, no deadline timer is left.
    result = run_hunting_query(small_lake, TENANT, "DeviceProcessEvents | count", now=NOW)
    assert result.rows.to_pylist()[0]["Count"] > 0
    time.sleep(0.2)
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_the_row_cap_truncates_and_says_so(small_lake: Lake) -> None:
    query = "DeviceProcessEvents | project ProcessId | sort by ProcessId asc"
    whole = run_hunting_query(small_lake, TENANT, query, now=NOW)
    assert whole.num_rows > 10 and not whole.stats.truncated
    capped = run_hunting_query(small_lake, TENANT, query, now=NOW, row_limit=10)
    assert capped.num_rows == 10 and capped.stats.truncated
    assert capped.stats.rows_returned == 10
    assert capped.json_rows() == whole.json_rows()[:10]  # the first rows, in the query's order
    exact = run_hunting_query(small_lake, TENANT, query, now=NOW, row_limit=whole.num_rows)
    assert exact.num_rows == whole.num_rows and not exact.stats.truncated
