"""A lake in a temporary folder and helpers to write input files in each format."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from xdrlab.lake.schema import hunting_table
from xdrlab.lake.store import Lake


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "lake")


@pytest.fixture
def tenant_id() -> str:
    return str(uuid.uuid4())


def write_jsonl(path: Path, rows: Sequence[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_parquet(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path)
    return path


def read_lake(lake: Lake, tenant_id: str, table_name: str) -> pa.Table:
    table = hunting_table(table_name)
    assert table is not None
    files = lake.files(tenant_id, table)
    if not files:
        return table.arrow_schema.empty_table()
    return pa.concat_tables(pq.read_table(f) for f in files)


def visible_files(lake: Lake) -> list[Path]:
    return sorted(lake.root.rglob("*.parquet")) if lake.root.exists() else []


def staged_files(lake: Lake) -> list[Path]:
    return sorted(lake.root.rglob("*.writing")) if lake.root.exists() else []
