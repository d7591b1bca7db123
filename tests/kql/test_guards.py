"""Guards against hostile input, through the whole hunting path: query length and nesting
depth refused before any SQL exists, a deadline that really stops DuckDB (and leaves the
engine usable), and a row cap that says it cut the result."""

from __future__ import annotations

import threading
import time

import pytest

from tests.kql.conftest import NOW
from xdrlab.demo.telemetry.generate import generate_demo_telemetry
from xdrlab.engine.errors import TIMEOUT_MESSAGE, QueryTimeout
from xdrlab.engine.hunting import run_hunting_query
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql.compiler import MAX_QUERY_LENGTH
from xdrlab.kql.diagnostics import TOO_COMPLEX
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
