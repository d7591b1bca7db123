"""A lake with two tenants' real Parquet files, and hand-built compiled queries.

The KQL compiler never emits the hostile trees these tests feed the engine; building trees with
sqlglot directly is how the sandbox is proven independently of the compiler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from xdrlab.engine import EmbeddedEngine, EngineSettings, HuntingWindow
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.lake.schema import Column, KustoType, Table, hunting_table
from xdrlab.lake.store import Lake

NOW = datetime(2024, 6, 15, 12, 0, 0)
TENANT_A = "6f3c1a52-1d1e-4f7b-9d55-1c0f3d2b8a01"
TENANT_B = "0b7e9c44-8a2f-4c1d-b3e6-5d4f2a1c9e02"

_DEFAULTS: dict[KustoType, Any] = {
    KustoType.STRING: "",
    KustoType.GUID: "",
    KustoType.DATETIME: None,
    KustoType.LONG: 0,
    KustoType.INT: 0,
    KustoType.BOOL: False,
    KustoType.REAL: 0.0,
    KustoType.DECIMAL: 0.0,
    KustoType.DYNAMIC: None,
    KustoType.TIMESPAN: None,
}


def table(name: str) -> Table:
    found = hunting_table(name)
    assert found is not None
    return found


def arrow_rows(schema: Table, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows in `schema`'s Arrow layout; columns a row does not mention get a neutral value."""
    rows = list(rows)
    return pa.table(
        {
            c.name: pa.array([r.get(c.name, _DEFAULTS[c.type]) for r in rows], c.type.arrow_type)
            for c in schema.columns
        },
        schema=schema.arrow_schema,
    )


def compiled(
    sql: str, columns: Iterable[tuple[str, KustoType]], tables: Iterable[str] = ()
) -> CompiledQuery:
    tree = sqlglot.parse_one(sql, read="duckdb")
    assert isinstance(tree, exp.Query), sql
    return CompiledQuery(
        tree=tree,
        columns=tuple(Column(name, kind) for name, kind in columns),
        tables=frozenset(tables),
    )


@dataclass
class Lab:
    lake: Lake
    engine: EmbeddedEngine
    files: dict[str, list[Path]]  # tenant id → every file written for it

    def window(self) -> HuntingWindow:
        return HuntingWindow.default(NOW)


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    lake = Lake(tmp_path / "lake")
    processes = table("DeviceProcessEvents")
    inventory = table("DeviceTvmSoftwareInventory")
    files: dict[str, list[Path]] = {TENANT_A: [], TENANT_B: []}
    for tenant, device in ((TENANT_A, "alpha"), (TENANT_B, "bravo")):
        events = [
            # Inside the 30-day window, on three different days.
            {"Timestamp": NOW - timedelta(hours=1), "DeviceName": f"{device}-1", "ProcessId": 1},
            {"Timestamp": NOW - timedelta(days=2), "DeviceName": f"{device}-2", "ProcessId": 2},
            {"Timestamp": NOW - timedelta(days=29), "DeviceName": f"{device}-3", "ProcessId": 3},
            # Outside it: 31 days old, and (same day as the window's start) an hour too old.
            {"Timestamp": NOW - timedelta(days=31), "DeviceName": f"{device}-old", "ProcessId": 4},
            {
                "Timestamp": NOW - timedelta(days=30, hours=1),
                "DeviceName": f"{device}-edge",
                "ProcessId": 5,
            },
        ]
        files[tenant] += lake.write(tenant, processes, arrow_rows(processes, events))
        software = [{"DeviceName": f"{device}-1", "SoftwareName": f"{device}-editor"}]
        files[tenant] += lake.write(tenant, inventory, arrow_rows(inventory, software))
    engine = EmbeddedEngine(lake, EngineSettings(threads=1))
    return Lab(lake, engine, files)
