"""Demo telemetry lakes, generated once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from xdrlab.demo.telemetry import DemoTelemetry, generate_demo_telemetry
from xdrlab.lake.schema import hunting_table
from xdrlab.lake.store import Lake

TENANT = "0b7d9f4e-3c55-4a7e-9a51-5d2f0e6c1a11"
NOW = datetime(2025, 3, 14, 15, 30, 0)


@dataclass
class Generated:
    lake: Lake
    result: DemoTelemetry
    events: int

    def files(self, table: str) -> list[str]:
        definition = hunting_table(table)
        assert definition is not None
        return [str(p) for p in self.lake.files(TENANT, definition)]

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Run SQL where each `{Table}` placeholder reads that table's Parquet files."""
        con = duckdb.connect()
        try:
            for name in _tables_in(sql):
                files = self.files(name)
                assert files, f"no files for {name}"
                listing = ", ".join(f"'{f}'" for f in files)
                sql = sql.replace("{" + name + "}", f"read_parquet([{listing}])")
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()


def _tables_in(sql: str) -> list[str]:
    import re

    return sorted(set(re.findall(r"\{([A-Za-z]+)\}", sql)))


def make(root: Path, *, seed: int = 1, events: int = 20_000) -> Generated:
    lake = Lake(root)
    result = generate_demo_telemetry(lake, TENANT, seed=seed, events=events, now=NOW)
    return Generated(lake, result, events)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The default-size demo lake."""
    return make(tmp_path_factory.mktemp("demo-lake"))
