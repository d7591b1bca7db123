"""Advanced hunting end to end: KQL text in, a result for one tenant out."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Literal, Protocol

from xdrlab import kql
from xdrlab.engine.embedded import ROW_LIMIT, TIMEOUT_SECONDS, EmbeddedEngine
from xdrlab.engine.results import HuntingResult
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.engine.window import HuntingWindow
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.lake.schema import Table, hunting_tables
from xdrlab.lake.store import Lake

EngineName = Literal["duckdb", "spark"]
PROBE_ROW_LIMIT = 10_000  # distinct keys or values a probe may return (the compiler caps lower)


class HuntingEngine(Protocol):
    """What both engines offer: one compiled query, one tenant, one window."""

    def execute(
        self,
        compiled: CompiledQuery,
        tenant_id: str,
        window: HuntingWindow,
        *,
        row_limit: int = ...,
        timeout_seconds: float = ...,
    ) -> HuntingResult: ...


def hunting_engine(
    lake: Lake,
    name: EngineName = "duckdb",
    *,
    tables: dict[str, Table] | None = None,
    settings: EngineSettings | None = None,
    spark_master: str = "local[2]",
) -> HuntingEngine:
    """The engine called `name`; Spark's is imported only when asked for (optional extra)."""
    if name == "spark":
        from xdrlab.engine.distributed import SparkEngine, SparkSettings

        return SparkEngine(lake, SparkSettings(master=spark_master), tables)
    return EmbeddedEngine(lake, settings, tables)


def run_hunting_query(
    lake: Lake,
    tenant_id: str,
    text: str,
    *,
    now: datetime,
    window: HuntingWindow | None = None,
    row_limit: int = ROW_LIMIT,
    timeout_seconds: float = TIMEOUT_SECONDS,
    settings: EngineSettings | None = None,
    engine: EngineName = "duckdb",
    spark_master: str = "local[2]",
) -> HuntingResult:
    """Compile `text` (KqlError passes through) and run it over `tenant_id`'s data.

    `window` defaults to the last 30 days before `now`, the same `now` the compiler uses for
    `ago()` and `now()`. `engine` picks DuckDB (embedded) or Spark (on `spark_master`).
    """
    tables = hunting_tables()
    window = window or HuntingWindow.default(now)
    started = time.monotonic()

    def probe(query: CompiledQuery) -> list[tuple[Any, ...]]:
        # Columns that depend on the data (`evaluate bag_unpack`, `pivot`): a small query over
        # the same tenant, window and sandbox, on the embedded engine whatever runs the rest.
        probing = EmbeddedEngine(lake, settings, tables)
        remaining = max(timeout_seconds - (time.monotonic() - started), 0.001)
        result = probing.execute(
            query, tenant_id, window, row_limit=PROBE_ROW_LIMIT, timeout_seconds=remaining
        )
        return [tuple(row.values()) for row in result.rows.to_pylist()]

    compiled = kql.compile_query(text, tables, now=now, probe=probe)
    runner = hunting_engine(
        lake, engine, tables=tables, settings=settings, spark_master=spark_master
    )
    return runner.execute(
        compiled,
        tenant_id,
        window,
        row_limit=row_limit,
        timeout_seconds=max(timeout_seconds - (time.monotonic() - started), 0.001),
    )
