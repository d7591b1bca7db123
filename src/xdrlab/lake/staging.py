"""Writing one ingestion as a unit: staged files that become visible together or not at all.

`Lake.write` makes one call atomic; an ingestion of a large file is many batches, validated and
written as they stream by, so it stages on its own: one Parquet file per day partition, written
under a ``.writing`` name in its final folder (where `Lake.remove_abandoned_writes` finds what a
crashed writer leaves), flushed to disk, and renamed to ``.parquet`` only when the whole input
has been read and accepted. Nothing is visible before that last step.

The last step is a handful of renames. So that a crash *during* them cannot leave part of an
ingestion visible either, a journal listing the final names is written (and locked) first and
removed after; `recover_interrupted` deletes the files of any journal whose writer is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xdrlab.lake.schema import Table
from xdrlab.lake.store import STATIC_PARTITION, Lake

JOURNAL_FOLDER = ".ingest"
_TEMP_SUFFIX = ".writing"  # the suffix `Lake` uses for files not yet visible
ROW_GROUP_ROWS = 64 * 1024
_MAX_PENDING_BYTES = 64 << 20  # rows held in memory across all days before they go to disk


@dataclass
class _DayFile:
    temp: Path
    handle: IO[bytes] | None = None
    writer: pq.ParquetWriter | None = None
    pending: list[pa.Table] = field(default_factory=list)
    pending_rows: int = 0
    pending_bytes: int = 0
    rows: int = 0

    @property
    def final(self) -> Path:
        return self.temp.with_name(self.temp.name.removesuffix(_TEMP_SUFFIX))


class StagedIngest:
    """Rows of one table for one tenant, staged until `commit` (or thrown away by `abort`)."""

    def __init__(self, lake: Lake, tenant_id: str, table: Table) -> None:
        self.lake = lake
        self.table = table
        self.root = lake.table_root(tenant_id, table)
        self._files: dict[str, _DayFile] = {}
        self._pending_bytes = 0

    def add(self, rows: pa.Table) -> None:
        """Stage rows already in the table's schema (with their time column filled in)."""
        if rows.num_rows == 0:
            return
        for partition, part in _by_day(self.table, rows):
            day = self._files.get(partition)
            if day is None:
                folder = self.root / partition
                day = _DayFile(folder / f"part-{uuid.uuid4().hex}.parquet{_TEMP_SUFFIX}")
                self._files[partition] = day
            day.pending.append(part)
            day.pending_rows += part.num_rows
            day.pending_bytes += part.nbytes
            self._pending_bytes += part.nbytes
            if day.pending_rows >= ROW_GROUP_ROWS:
                self._flush(day)
        if self._pending_bytes >= _MAX_PENDING_BYTES:
            for day in self._files.values():
                self._flush(day)

    @property
    def partitions(self) -> list[str]:
        return sorted(self._files)

    def commit(self) -> list[Path]:
        """Make every staged file visible; on any failure none of them is."""
        try:
            for day in self._files.values():
                self._flush(day)
                self._close(day)
        except BaseException:
            self.abort()
            raise
        days = [self._files[p] for p in self.partitions]
        if not days:
            return []
        journal = _Journal.create(self.lake.root, [d.final for d in days])
        done: list[Path] = []
        try:
            for day in days:
                day.temp.replace(day.final)
                done.append(day.final)
            _fsync_dirs({d.final.parent for d in days})
        except BaseException:
            for path in done:
                path.unlink(missing_ok=True)
            self.abort()
            journal.close()
            raise
        journal.close()
        self._files.clear()
        return done

    def abort(self) -> None:
        """Throw away everything staged (safe to call more than once)."""
        for day in self._files.values():
            with contextlib.suppress(Exception):  # the file is deleted next either way
                self._close(day)
            day.temp.unlink(missing_ok=True)
        self._files.clear()

    def _flush(self, day: _DayFile) -> None:
        if not day.pending:
            return
        rows = pa.concat_tables(day.pending)
        if self.table.time_column is not None:
            rows = rows.sort_by(self.table.time_column)
        if day.writer is None:
            day.temp.parent.mkdir(parents=True, exist_ok=True)
            day.handle = day.temp.open("wb")
            day.writer = pq.ParquetWriter(day.handle, self.table.arrow_schema, compression="zstd")
        day.writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)
        day.rows += rows.num_rows
        self._pending_bytes -= day.pending_bytes
        day.pending, day.pending_rows, day.pending_bytes = [], 0, 0

    @staticmethod
    def _close(day: _DayFile) -> None:
        if day.writer is not None:
            day.writer.close()
            day.writer = None
        if day.handle is not None:
            day.handle.flush()
            os.fsync(day.handle.fileno())
            day.handle.close()
            day.handle = None


def _by_day(table: Table, rows: pa.Table) -> list[tuple[str, pa.Table]]:
    if table.time_column is None:
        return [(STATIC_PARTITION, rows)]
    days = pc.cast(rows.column(table.time_column), pa.date32())
    unique = pc.unique(days)
    if len(unique) == 1:
        return [(unique[0].as_py().isoformat(), rows)]
    parts = []
    for day in sorted(unique.to_pylist()):
        assert isinstance(day, date)
        parts.append((day.isoformat(), rows.filter(pc.equal(days, pa.scalar(day, pa.date32())))))
    return parts


class _Journal:
    """The list of files one commit is renaming, held under an exclusive lock meanwhile."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self.handle = handle

    @classmethod
    def create(cls, lake_root: Path, finals: list[Path]) -> _Journal:
        folder = lake_root / JOURNAL_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        temp = folder / f"{name}.tmp"
        handle = temp.open("w", encoding="utf-8")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        json.dump([str(p.relative_to(lake_root)) for p in finals], handle)
        handle.flush()
        os.fsync(handle.fileno())
        path = folder / f"{name}.json"
        temp.replace(path)
        _fsync_dirs({folder})
        return cls(path, handle)

    def close(self) -> None:
        """The commit is over (done or undone): drop the journal, then release the lock."""
        self.path.unlink(missing_ok=True)
        self.handle.close()


def recover_interrupted(lake: Lake) -> int:
    """Undo commits whose writer died while renaming; returns the files removed.

    A journal still locked belongs to a live commit and is left alone.
    """
    folder = lake.root / JOURNAL_FOLDER
    if not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.glob("*.json")):
        try:
            handle = path.open("r", encoding="utf-8")
        except FileNotFoundError:
            continue
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            if not path.exists() or os.stat(path).st_ino != os.fstat(handle.fileno()).st_ino:
                continue  # finished and removed while we waited for it
            for relative in json.load(handle):
                target = lake.root / relative
                for candidate in (target, target.with_name(target.name + _TEMP_SUFFIX)):
                    if candidate.exists():
                        candidate.unlink()
                        removed += 1
            path.unlink()
    for stale in folder.glob("*.tmp"):
        try:
            with stale.open("r", encoding="utf-8") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                stale.unlink()
        except (BlockingIOError, FileNotFoundError):
            continue
    return removed


def _fsync_dirs(folders: set[Path]) -> None:
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
