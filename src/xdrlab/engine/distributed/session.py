"""One Spark session per process, created on first use from the engine settings.

Each query then works in its own child session (`SparkSession.newSession()`): the child shares
the cluster connection and cached state with its parent, but has its own temporary views and SQL
configuration, so two tenants' queries running at the same time never see each other's views.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Kusto compares names case-sensitively; DuckDB's engine does the same. Spark's ANSI mode
# raises on failed casts and division by zero where the compiled SQL expects NULLs.
_SQL_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.caseSensitive": "true",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
}


# Applied when the session starts; settings' `conf` overrides them.
_START_CONF: dict[str, str] = {
    "spark.ui.showConsoleProgress": "false",
}


@dataclass(frozen=True)
class SparkSettings:
    """Where and how the distributed engine runs."""

    master: str = "local[2]"
    app_name: str = "xdrlab-hunting"
    # Extra Spark configuration (``spark.executor.memory`` and the like), applied at start-up.
    conf: Mapping[str, str] = field(default_factory=dict)


_lock = threading.Lock()
_session: SparkSession | None = None
_started_with: SparkSettings | None = None


def root_session(settings: SparkSettings) -> SparkSession:
    """The process's Spark session, started on first call with `settings` (later calls share it)."""
    global _session, _started_with
    from pyspark.sql import SparkSession

    with _lock:
        if _session is not None and _started_with is not None:
            # Start-up configuration cannot change while the session runs; the master must agree.
            if settings.master != _started_with.master:
                raise RuntimeError("the Spark session already runs on another master")
            return _session
        builder = SparkSession.builder.master(settings.master).appName(settings.app_name)
        for key, value in {**_START_CONF, **_SQL_CONF, **settings.conf}.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        _session, _started_with = session, settings
        return session


def query_session(settings: SparkSettings) -> SparkSession:
    """A fresh child session: its own temporary views, the shared cluster connection."""
    child = root_session(settings).newSession()
    for key, value in _SQL_CONF.items():
        child.conf.set(key, value)
    return child


def stop() -> None:
    """Stop the process's Spark session (the next query starts a new one)."""
    global _session, _started_with
    with _lock:
        if _session is not None:
            _session.stop()
        _session, _started_with = None, None
