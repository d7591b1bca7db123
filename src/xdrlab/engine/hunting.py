"""Advanced hunting end to end: KQL text in, a result for one tenant out."""

from __future__ import annotations

from datetime import datetime

from xdrlab import kql
from xdrlab.engine.embedded import ROW_LIMIT, TIMEOUT_SECONDS, EmbeddedEngine
from xdrlab.engine.results import HuntingResult
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.engine.window import HuntingWindow
from xdrlab.lake.schema import hunting_tables
from xdrlab.lake.store import Lake


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
) -> HuntingResult:
    """Compile `text` (KqlError passes through) and run it over `tenant_id`'s data.

    `window` defaults to the last 30 days before `now`, the same `now` the compiler uses for
    `ago()` and `now()`.
    """
    tables = hunting_tables()
    compiled = kql.compile_query(text, tables, now=now)
    engine = EmbeddedEngine(lake, settings, tables)
    return engine.execute(
        compiled,
        tenant_id,
        window or HuntingWindow.default(now),
        row_limit=row_limit,
        timeout_seconds=timeout_seconds,
    )
