"""Running compiled trees: typed empty tables, the window, the deadline, the row limit, errors."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from tests.engine.conftest import NOW, TENANT_A, Lab, compiled, table
from xdrlab.engine import (
    ExecutionFailed,
    HuntingWindow,
    QueryTimeout,
    ResourcesExceeded,
    UnexpectedError,
)
from xdrlab.engine.errors import TIMEOUT_MESSAGE, UNEXPECTED_MESSAGE
from xdrlab.engine.sandbox import DUCKDB_TYPES, EngineSettings, TableBinding, sandbox
from xdrlab.lake.schema import KustoType, hunting_tables


def test_every_hunting_table_exists_with_its_full_typed_schema_when_empty() -> None:
    start, end = NOW - timedelta(days=30), NOW
    bindings = [TableBinding(t, [], start, end) for t in hunting_tables().values()]
    with sandbox(bindings, EngineSettings(threads=1)) as connection:
        for t in hunting_tables().values():
            described = connection.sql(f'DESCRIBE "{t.name}"').fetchall()
            assert [(row[0], row[1]) for row in described] == [
                (c.name, DUCKDB_TYPES[c.type]) for c in t.columns
            ], t.name
            count = f'SELECT count(*) FROM "{t.name}"'  # noqa: S608 (names from the schema)
            assert connection.sql(count).fetchall() == [(0,)]


def test_tables_over_files_have_the_same_types_as_empty_ones(lab: Lab) -> None:
    processes = lab.engine._bind("DeviceProcessEvents", TENANT_A, lab.window())
    assert processes.files
    with sandbox([processes], EngineSettings(threads=1)) as connection:
        described = connection.sql('DESCRIBE "DeviceProcessEvents"').fetchall()
    assert [(row[0], row[1]) for row in described] == [
        (c.name, DUCKDB_TYPES[c.type]) for c in table("DeviceProcessEvents").columns
    ]


def test_an_empty_table_returns_its_columns_and_no_rows(lab: Lab) -> None:
    events = table("DeviceEvents")
    query = compiled(
        'SELECT * FROM "DeviceEvents"', [(c.name, c.type) for c in events.columns], ["DeviceEvents"]
    )
    result = lab.engine.execute(query, TENANT_A, lab.window())
    assert result.num_rows == 0
    assert result.json_rows() == []
    assert result.rows.schema.names == [c.name for c in events.columns]
    assert result.rows.schema.field("Timestamp").type == pa.timestamp("us")
    assert result.rows.schema.field("RemotePort").type == pa.int32()
    assert result.rows.schema.field("ProcessId").type == pa.int64()
    assert result.rows.schema.field("IsProcessRemoteSession").type == pa.bool_()
    assert result.stats.files_read == 0


PROCESS_IDS = compiled(
    'SELECT "ProcessId" FROM "DeviceProcessEvents" ORDER BY "ProcessId"',
    [("ProcessId", KustoType.LONG)],
    ["DeviceProcessEvents"],
)


def ids(lab: Lab, window: HuntingWindow) -> list[int]:
    result = lab.engine.execute(PROCESS_IDS, TENANT_A, window)
    return [row["ProcessId"] for row in result.json_rows()]


def test_rows_older_than_the_window_are_invisible(lab: Lab) -> None:
    # Ids 4 (31 days old) and 5 (30 days and an hour, on the window's first day) are outside.
    assert ids(lab, HuntingWindow.default(NOW)) == [1, 2, 3]


def test_a_timespan_narrows_what_a_query_sees(lab: Lab) -> None:
    assert ids(lab, HuntingWindow.parse("P1D", now=NOW)) == [1]
    assert ids(lab, HuntingWindow.parse("P3D", now=NOW)) == [1, 2]
    span = f"{(NOW - timedelta(days=3)).isoformat()}Z/{(NOW - timedelta(days=1)).isoformat()}Z"
    assert ids(lab, HuntingWindow.parse(span, now=NOW)) == [2]
    empty = HuntingWindow.parse("2020-01-01T00:00:00Z/P1D", now=NOW)
    assert ids(lab, empty) == []


def test_the_window_end_is_exclusive(lab: Lab) -> None:
    just_before = HuntingWindow(NOW - timedelta(days=3), NOW - timedelta(hours=1))
    assert ids(lab, just_before) == [2]
    including = HuntingWindow(
        NOW - timedelta(days=3), NOW - timedelta(hours=1) + timedelta.resolution
    )
    assert ids(lab, including) == [1, 2]


def test_tables_without_a_timestamp_ignore_the_window(lab: Lab) -> None:
    query = compiled(
        'SELECT count(*) AS n FROM "DeviceTvmSoftwareInventory"',
        [("n", KustoType.LONG)],
        ["DeviceTvmSoftwareInventory"],
    )
    empty = HuntingWindow.parse("2020-01-01T00:00:00Z/P1D", now=NOW)
    assert lab.engine.execute(query, TENANT_A, empty).json_rows() == [{"n": 1}]


@pytest.mark.parametrize(
    "sql",
    [
        # An aggregate: DuckDB is busy before the first row exists.
        "SELECT sum(a.range * b.range) AS x FROM range(1000000000) a, range(1000000) b",
        # A stream that never yields: the interrupt arrives while Arrow pulls batches.
        "SELECT a.range AS x FROM range(1000000000) a, range(1000000) b WHERE a.range * b.range = -1",
    ],
)
def test_the_deadline_interrupts_a_slow_query(lab: Lab, sql: str) -> None:
    query = compiled(sql, [("x", KustoType.LONG)])
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        lab.engine.execute(query, TENANT_A, lab.window(), timeout_seconds=0.5)
    assert caught.value.message == TIMEOUT_MESSAGE == "Query exceeded the timeout period."
    assert caught.value.code == "QueryTimeout"
    assert time.monotonic() - started < 10  # generous: the point is that it stops


def test_a_query_within_its_deadline_is_not_disturbed(lab: Lab) -> None:
    result = lab.engine.execute(PROCESS_IDS, TENANT_A, lab.window(), timeout_seconds=30)
    assert result.num_rows == 3
    time.sleep(0.1)  # a timer left running would fire into a closed connection here


NUMBERS = compiled("SELECT range AS x FROM range(250) ORDER BY x DESC", [("x", KustoType.LONG)])


def test_results_are_truncated_at_the_row_limit(lab: Lab) -> None:
    result = lab.engine.execute(NUMBERS, TENANT_A, lab.window(), row_limit=100)
    assert result.num_rows == 100
    assert result.stats.truncated
    assert result.stats.rows_returned == 100
    values = [row["x"] for row in result.json_rows()]
    assert values == list(range(249, 149, -1))  # the first 100 in the query's order


@pytest.mark.parametrize("limit", [250, 251, 100_000])
def test_a_result_at_or_under_the_limit_is_whole(lab: Lab, limit: int) -> None:
    result = lab.engine.execute(NUMBERS, TENANT_A, lab.window(), row_limit=limit)
    assert result.num_rows == 250
    assert not result.stats.truncated


def test_large_results_stream_past_one_batch(lab: Lab) -> None:
    query = compiled("SELECT range AS x FROM range(350000)", [("x", KustoType.LONG)])
    result = lab.engine.execute(query, TENANT_A, lab.window(), row_limit=300_000)
    assert result.num_rows == 300_000
    assert result.stats.truncated


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT regexp_matches('abc', '(') AS x",
            "Query execution failed: missing ): (.",
        ),
        (
            "SELECT CAST('twelve' AS INTEGER) AS x",
            "Query execution failed: Could not convert string 'twelve' to INT32.",
        ),
        (
            "SELECT (range - 5) // (range - range) AS x FROM range(10)",
            "Query execution failed: Division by zero.",
        ),
        (
            "SELECT 9223372036854775807 + range AS x FROM range(2)",
            "Query execution failed: Overflow in addition of INT64 (9223372036854775807 + 1)!",
        ),
        ("SELECT error('boom') AS x", "Query execution failed: boom."),
    ],
)
def test_runtime_failures_have_clear_messages_without_sql(lab: Lab, sql: str, message: str) -> None:
    query = compiled(sql, [("x", KustoType.LONG)])
    with pytest.raises(ExecutionFailed) as caught:
        lab.engine.execute(query, TENANT_A, lab.window())
    assert caught.value.message == message
    assert caught.value.code == "ExecutionFailed"
    assert "SELECT" not in caught.value.message and "LINE" not in caught.value.message


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "NoSuchColumn" AS x FROM "DeviceProcessEvents"',  # a compiler bug, not the user's
        'SELECT * FROM "DeviceEvents"',  # a table the compiled query did not declare
        "SELECT no_such_function(1) AS x",
    ],
)
def test_engine_faults_get_the_production_unexpected_error(lab: Lab, sql: str) -> None:
    query = compiled(sql, [("x", KustoType.LONG)], ["DeviceProcessEvents"])
    with pytest.raises(UnexpectedError) as caught:
        lab.engine.execute(query, TENANT_A, lab.window())
    assert caught.value.message == UNEXPECTED_MESSAGE
    assert caught.value.message == (
        "An unexpected error occurred during query execution. Please try again in a few minutes."
    )


def test_a_result_that_does_not_match_the_promised_columns_is_an_engine_fault(lab: Lab) -> None:
    query = compiled("SELECT 1 AS x, 2 AS y", [("x", KustoType.LONG)])
    with pytest.raises(UnexpectedError):
        lab.engine.execute(query, TENANT_A, lab.window())


def test_a_query_needing_too_much_memory_is_stopped(lab: Lab) -> None:
    from xdrlab.engine import EmbeddedEngine

    engine = EmbeddedEngine(lab.lake, EngineSettings(threads=1, memory_limit="64MB"))
    query = compiled(
        "SELECT count(DISTINCT md5(range::VARCHAR)) AS x FROM range(20000000)",
        [("x", KustoType.LONG)],
    )
    with pytest.raises(ResourcesExceeded) as caught:
        engine.execute(query, TENANT_A, lab.window())
    assert caught.value.message == "Query stopped due to excessive resource consumption."


def test_stats_describe_the_run(lab: Lab) -> None:
    result = lab.engine.execute(PROCESS_IDS, TENANT_A, lab.window())
    stats = result.stats
    assert stats.elapsed_seconds > 0
    assert stats.rows_returned == 3
    assert not stats.truncated
    assert stats.files_read == 4  # the days of the window that have data (31 days back: no)
    assert stats.rows_scanned is not None and stats.rows_scanned >= 3
    assert stats.cpu_seconds is not None
    assert stats.result_bytes > 0


def test_column_names_come_from_the_compiled_query(lab: Lab) -> None:
    query = compiled(
        "SELECT 1 AS a, 2 AS b", [("First", KustoType.LONG), ("Second", KustoType.INT)]
    )
    result = lab.engine.execute(query, TENANT_A, lab.window())
    assert result.json_rows() == [{"First": 1, "Second": 2}]
    assert result.schema_json() == [
        {"Name": "First", "Type": "Int64"},
        {"Name": "Second", "Type": "Int32"},
    ]


def test_concurrent_queries_of_two_tenants_stay_apart(lab: Lab) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.engine.conftest import TENANT_B

    query = compiled(
        'SELECT "DeviceName" FROM "DeviceProcessEvents" ORDER BY "DeviceName"',
        [("DeviceName", KustoType.STRING)],
        ["DeviceProcessEvents"],
    )

    def devices(tenant: str) -> list[str]:
        rows = lab.engine.execute(query, tenant, lab.window()).json_rows()
        return [row["DeviceName"] for row in rows]

    tenants = [TENANT_A, TENANT_B] * 8
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(devices, tenants))
    for tenant, names in zip(tenants, results, strict=True):
        prefix = "alpha" if tenant == TENANT_A else "bravo"
        assert names == [f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"]


def test_spilling_uses_a_private_folder_removed_afterwards(lab: Lab, tmp_path: Path) -> None:
    from xdrlab.engine import EmbeddedEngine

    spill = tmp_path / "spill"
    engine = EmbeddedEngine(
        lab.lake, EngineSettings(threads=1, memory_limit="64MB", temp_directory=spill)
    )
    query = compiled(
        "SELECT count(*) AS x FROM (SELECT md5(range::VARCHAR) AS h FROM range(3000000) ORDER BY h)",
        [("x", KustoType.LONG)],
    )
    result = engine.execute(query, TENANT_A, lab.window())
    assert result.json_rows() == [{"x": 3_000_000}]
    assert spill.is_dir() and list(spill.iterdir()) == []
