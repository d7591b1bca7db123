"""Engines that run compiled hunting queries over the lake (DuckDB embedded; Spark SQL distributed)."""

from xdrlab.engine.embedded import ROW_LIMIT, TIMEOUT_SECONDS, EmbeddedEngine
from xdrlab.engine.errors import (
    ExecutionFailed,
    HuntingError,
    InvalidTimespan,
    QueryRejected,
    QueryTimeout,
    ResourcesExceeded,
    UnexpectedError,
)
from xdrlab.engine.hunting import HuntingEngine, hunting_engine, run_hunting_query
from xdrlab.engine.results import ExecutionStats, HuntingResult
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.engine.window import RETENTION, HuntingWindow

__all__ = [
    "RETENTION",
    "ROW_LIMIT",
    "TIMEOUT_SECONDS",
    "EmbeddedEngine",
    "EngineSettings",
    "ExecutionFailed",
    "ExecutionStats",
    "HuntingEngine",
    "HuntingError",
    "HuntingResult",
    "HuntingWindow",
    "InvalidTimespan",
    "QueryRejected",
    "QueryTimeout",
    "ResourcesExceeded",
    "UnexpectedError",
    "hunting_engine",
    "run_hunting_query",
]
