"""The hunting lake on disk: ``lake/{tenant id}/{Table}/{YYYY-MM-DD}/part-*.parquet``.

Each write lands whole or not at all: every file is written under a temporary name in its
final folder, flushed to disk, and renamed only after all files of the batch are complete.
Readers (any number of processes) list ``*.parquet`` only, so they never see a partial file.
Tables without a ``Timestamp`` (software inventories, the vulnerability knowledge base) live
in one ``static`` partition and are not subject to day-based retention or time windows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xdrlab.lake.schema import Table

STATIC_PARTITION = "static"
_TEMP_SUFFIX = ".writing"


class Lake:
    """All tenants' hunting data under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def tenant_root(self, tenant_id: str) -> Path:
        """The folder of one tenant; the id must be a GUID, so it can never climb out of the lake."""
        return self.root / str(uuid.UUID(tenant_id))

    def table_root(self, tenant_id: str, table: Table) -> Path:
        return self.tenant_root(tenant_id) / table.name

    def write(self, tenant_id: str, table: Table, rows: pa.Table) -> list[Path]:
        """Store `rows` (already in `table`'s Arrow schema) as one new file per day they cover."""
        if rows.schema != table.arrow_schema:
            raise ValueError(f"rows do not have the {table.name} schema")
        if rows.num_rows == 0:
            return []
        staged = [
            self._stage(self.table_root(tenant_id, table) / partition, part)
            for partition, part in _split_by_day(table, rows)
        ]
        final = []
        for temp in staged:
            target = temp.with_name(temp.name.removesuffix(_TEMP_SUFFIX))
            temp.replace(target)
            final.append(target)
        _fsync_dirs({path.parent for path in final})
        return final

    def files(
        self,
        tenant_id: str,
        table: Table,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[Path]:
        """Complete Parquet files of one table, limited to the days overlapping [start, end]."""
        root = self.table_root(tenant_id, table)
        if not root.is_dir():
            return []
        chosen: list[Path] = []
        for partition in sorted(root.iterdir()):
            if table.time_column is not None and not _day_overlaps(partition.name, start, end):
                continue
            chosen.extend(sorted(partition.glob("*.parquet")))
        return chosen

    def days(self, tenant_id: str, table: Table) -> list[date]:
        root = self.table_root(tenant_id, table)
        if table.time_column is None or not root.is_dir():
            return []
        return sorted(date.fromisoformat(p.name) for p in root.iterdir() if _is_day(p.name))

    def drop_days_before(self, tenant_id: str, table: Table, first_kept: date) -> int:
        """Retention: delete whole day partitions older than `first_kept`; returns files removed."""
        removed = 0
        for day in self.days(tenant_id, table):
            if day >= first_kept:
                continue
            partition = self.table_root(tenant_id, table) / day.isoformat()
            for path in partition.iterdir():
                path.unlink()
                removed += 1
            partition.rmdir()
        return removed

    def remove_abandoned_writes(self) -> int:
        """Delete temporary files a crashed writer left behind (never visible to readers)."""
        removed = 0
        for temp in self.root.glob(f"*/*/*/*{_TEMP_SUFFIX}"):
            temp.unlink()
            removed += 1
        return removed

    @staticmethod
    def _stage(folder: Path, rows: pa.Table) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f"part-{uuid.uuid4().hex}.parquet{_TEMP_SUFFIX}"
        with temp.open("wb") as handle:
            pq.write_table(rows, handle, compression="zstd", row_group_size=256 * 1024)
            handle.flush()
            os.fsync(handle.fileno())
        return temp


def _split_by_day(table: Table, rows: pa.Table) -> Iterable[tuple[str, pa.Table]]:
    if table.time_column is None:
        yield STATIC_PARTITION, rows
        return
    times = rows.column(table.time_column)
    if times.null_count:
        raise ValueError(f"{table.name}.{table.time_column} must not be empty")
    days = pc.strftime(times, format="%Y-%m-%d")
    rows = rows.append_column("__day", days).sort_by(
        [("__day", "ascending"), (table.time_column, "ascending")]
    )
    for day in pc.unique(rows.column("__day")).to_pylist():
        part = rows.filter(pc.equal(rows.column("__day"), day)).drop_columns(["__day"])
        yield day, part


def _is_day(name: str) -> bool:
    try:
        date.fromisoformat(name)
    except ValueError:
        return False
    return len(name) == 10


def _day_overlaps(name: str, start: datetime | None, end: datetime | None) -> bool:
    if not _is_day(name):
        return False
    day = date.fromisoformat(name)
    day_start = datetime(day.year, day.month, day.day)
    if start is not None and day_start + timedelta(days=1) <= naive_utc(start):
        return False
    return not (end is not None and day_start > naive_utc(end))


def naive_utc(moment: datetime) -> datetime:
    """The lake's time convention: UTC instants stored without a zone."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _fsync_dirs(folders: Iterable[Path]) -> None:
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
