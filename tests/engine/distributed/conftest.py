"""Spark in local mode, started once per test session, and a small demo lake both engines read."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from xdrlab.demo.telemetry import generate_demo_telemetry
from xdrlab.engine import EmbeddedEngine, EngineSettings, HuntingWindow
from xdrlab.lake.store import Lake

# The suite needs Java for Spark (`.ci/run` installs it): a missing runtime is a failure, not a skip.
assert shutil.which("java") is not None, "the distributed engine's tests need a Java runtime"

from xdrlab.engine.distributed import SparkEngine, SparkSettings  # noqa: E402
from xdrlab.engine.distributed import session as spark_session  # noqa: E402

TENANT = "0b7d9f4e-3c55-4a7e-9a51-5d2f0e6c1a11"
NOW = datetime(2025, 3, 14, 15, 30, 0)

# Small and local: no UI, no network beyond the loopback, few partitions for tiny data.
SETTINGS = SparkSettings(
    master="local[2]",
    conf={
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
    },
)


@pytest.fixture(scope="session")
def spark_settings() -> Iterator[SparkSettings]:
    """The JVM starts here, once; it stops when the test session ends."""
    spark_session.root_session(SETTINGS)
    yield SETTINGS
    spark_session.stop()


@dataclass
class Engines:
    lake: Lake
    duckdb: EmbeddedEngine
    spark: SparkEngine
    window: HuntingWindow


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory, spark_settings: SparkSettings) -> Engines:
    """A demo lake (5,000 events, fixed seed) and both engines over it."""
    lake = Lake(Path(tmp_path_factory.mktemp("two-engines")) / "lake")
    generate_demo_telemetry(lake, TENANT, seed=1, events=5_000, now=NOW)
    return Engines(
        lake,
        EmbeddedEngine(lake, EngineSettings(threads=1)),
        SparkEngine(lake, spark_settings),
        HuntingWindow.default(NOW),
    )
