"""The embedded engine: one compiled query, one tenant, one fresh sandboxed DuckDB connection.

The engine knows nothing of KQL. It receives a sqlglot tree whose table identifiers are hunting
table names, binds each of those names to the calling tenant's files for the query window (see
`sandbox`), runs the tree under a deadline, and streams at most `row_limit` + 1 rows to learn
whether the result had to be truncated.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from xdrlab.engine.deadline import Deadline
from xdrlab.engine.errors import QueryRejected, UnexpectedError
from xdrlab.engine.failures import classify
from xdrlab.engine.results import ExecutionStats, HuntingResult
from xdrlab.engine.sandbox import EngineSettings, TableBinding, sandbox
from xdrlab.engine.window import HuntingWindow
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.lake.schema import FUNCTION_TABLES, Table, hunting_tables
from xdrlab.lake.store import Lake

ROW_LIMIT = 100_000
TIMEOUT_SECONDS = 180.0  # the API's documented 3 minutes per request
_BATCH_ROWS = 100_000

log = logging.getLogger(__name__)


class EmbeddedEngine:
    """Runs compiled hunting queries over a lake with DuckDB in this process."""

    def __init__(
        self,
        lake: Lake,
        settings: EngineSettings | None = None,
        tables: Mapping[str, Table] | None = None,
    ) -> None:
        self.lake = lake
        self.settings = settings or EngineSettings()
        self.tables = tables if tables is not None else hunting_tables()

    def execute(
        self,
        compiled: CompiledQuery,
        tenant_id: str,
        window: HuntingWindow,
        *,
        row_limit: int = ROW_LIMIT,
        timeout_seconds: float = TIMEOUT_SECONDS,
    ) -> HuntingResult:
        started = time.perf_counter()
        sql = _render(compiled.tree)
        bindings = [self._bind(name, tenant_id, window) for name in sorted(compiled.tables)]
        with Deadline(timeout_seconds) as deadline:
            try:
                with sandbox(bindings, self.settings) as connection:
                    deadline.watch(connection)
                    _require_one_select(connection, sql)
                    table, truncated = _fetch(connection, sql, row_limit)
                    profile = _profile(connection) if self.settings.profile else {}
                    deadline.finish()  # before the connection closes
            except (duckdb.Error, pa.ArrowException, OSError) as error:
                failure = classify(error, timed_out=deadline.expired, private=str(self.lake.root))
                log.info("hunting query failed (%s): %s", failure.code, error)
                raise failure from None
        if table.num_columns != len(compiled.columns):
            log.error(
                "result has %d columns, compiler promised %d",
                table.num_columns,
                len(compiled.columns),
            )
            raise UnexpectedError()
        table = table.rename_columns([c.name for c in compiled.columns])
        stats = ExecutionStats(
            elapsed_seconds=time.perf_counter() - started,
            rows_returned=table.num_rows,
            truncated=truncated,
            files_read=sum(len(b.files) for b in bindings),
            cpu_seconds=_metric(profile, "query", "cpu_time"),
            rows_scanned=_count(profile, "query", "total_rows_scanned"),
            bytes_read=_count(profile, "io", "total_bytes_read"),
            peak_memory_bytes=_count(profile, "system", "peak_buffer_memory"),
            result_bytes=int(table.nbytes),
        )
        return HuntingResult(compiled.columns, table, compiled.render, stats)

    def _bind(self, name: str, tenant_id: str, window: HuntingWindow) -> TableBinding:
        table = self.tables.get(name) or FUNCTION_TABLES.get(name)
        if table is None:
            raise QueryRejected(f"'{name}' is not an advanced hunting table.")
        if window.is_empty and table.time_column is not None:
            files = []
        else:
            files = self.lake.files(tenant_id, table, window.start, window.end)
        return TableBinding(table, files, window.start, window.end)


def _render(tree: exp.Expr) -> str:
    if not isinstance(tree, exp.Query):
        raise QueryRejected("Only queries that read data can run.")
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        log.error("compiled tree cannot be rendered for DuckDB: %s", error)
        raise UnexpectedError() from None


def _require_one_select(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    statements = connection.extract_statements(sql)
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise QueryRejected("Only queries that read data can run.")


def _fetch(
    connection: duckdb.DuckDBPyConnection, sql: str, row_limit: int
) -> tuple[pa.Table, bool]:
    """At most `row_limit` rows, and whether there were more."""
    relation = connection.sql(sql)
    reader = relation.to_arrow_reader(min(row_limit + 1, _BATCH_ROWS))
    batches: list[pa.RecordBatch] = []
    seen = 0
    try:
        for batch in reader:
            batches.append(batch)
            seen += batch.num_rows
            if seen > row_limit:
                break
    finally:
        reader.close()
    table = pa.Table.from_batches(batches, schema=reader.schema)
    if seen > row_limit:
        return table.slice(0, row_limit), True
    return table, False


def _profile(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    try:
        profile = json.loads(connection.get_profiling_information())
    except (duckdb.Error, ValueError):
        return {}
    return profile if isinstance(profile, dict) else {}


def _metric(profile: dict[str, Any], section: str, key: str) -> float | None:
    value = profile.get(section, {}).get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _count(profile: dict[str, Any], section: str, key: str) -> int | None:
    value = _metric(profile, section, key)
    return None if value is None else int(value)
