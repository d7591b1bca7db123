"""Ingestion: rows from JSON Lines, CSV, Parquet or Python, checked against the hunting schema
and written to the lake as one unit.

By default an ingestion is all or nothing: every row is validated, good rows are staged on disk
as they stream by (memory stays bounded however large the input), and the staged files become
visible only if no row had a problem — otherwise they are deleted and the report says why, row
by row. With ``skip_bad_rows`` the good rows are kept and the bad ones reported. Either way the
rows appear at once at the end, never part of them (see `xdrlab.lake.staging`).

A row is bad when a value does not fit its column's type (see `xdrlab.lake.convert` for each
type's rule), when it lacks the table's time column, when it holds a value in a column the table
does not have (unless unknown columns are ignored), or when the line or record cannot be read.
Columns a row leaves out are empty: '' for strings, null otherwise.
"""

from __future__ import annotations

import difflib
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.lake.convert import convert_column
from xdrlab.lake.readers import (
    IngestError,
    InputFormat,
    RawBatch,
    UnreadableInput,
    detect_format,
    read_batches,
    read_json_lines,
    read_mappings,
)
from xdrlab.lake.schema import Table, lake_tables
from xdrlab.lake.staging import StagedIngest, recover_interrupted
from xdrlab.lake.store import Lake

__all__ = [
    "MAX_REPORTED_PROBLEMS",
    "IngestError",
    "IngestReport",
    "InputFormat",
    "RowProblem",
    "UnknownTable",
    "UnreadableInput",
    "find_table",
    "ingest_file",
    "ingest_rows",
]

MAX_REPORTED_PROBLEMS = 100


class UnknownTable(IngestError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no hunting table '{name}'{hint}")


@dataclass(frozen=True)
class RowProblem:
    """Why one row was refused. `row` counts from 1: the line of a JSON Lines file, the data
    record of a CSV file (the first record under the header is 1), the row of a Parquet file or
    of the rows given to `ingest_rows`. `column` is None when the row could not be read at all."""

    row: int
    column: str | None
    reason: str


@dataclass
class IngestReport:
    table: str
    tenant_id: str
    source: str
    format: str
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    files: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    """The first `MAX_REPORTED_PROBLEMS` problems, by row."""
    problem_count: int = 0
    """All problems found, including those not listed."""
    committed: bool = False
    """Whether rows were written (False when problems rejected the input, or it had no rows)."""

    @property
    def ok(self) -> bool:
        """Nothing was refused."""
        return self.problem_count == 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_table(name: str) -> Table:
    """A hunting table (or the data of a built-in function, `FileProfile`) by its exact
    (case-sensitive) name, or UnknownTable with close names."""
    tables = lake_tables()
    if name in tables:
        return tables[name]
    folded = {t.lower(): t for t in tables}
    suggestions = [folded[name.lower()]] if name.lower() in folded else []
    for close in difflib.get_close_matches(name.lower(), list(folded), n=3, cutoff=0.6):
        if folded[close] not in suggestions:
            suggestions.append(folded[close])
    raise UnknownTable(name, suggestions)


def ingest_file(
    lake: Lake,
    tenant_id: str,
    table_name: str,
    path: str | Path,
    *,
    format: str | None = None,
    skip_bad_rows: bool = False,
    ignore_unknown_columns: bool = False,
) -> IngestReport:
    """Ingest a JSON Lines, CSV or Parquet file (format by extension unless given; ``"-"`` reads
    standard input and needs a format). Raises IngestError when it cannot start; bad rows are
    reported, not raised."""
    table = find_table(table_name)
    fmt = detect_format(path, format)
    report = IngestReport(table.name, tenant_id, str(path), fmt.value)
    only = {c.name for c in table.columns} if ignore_unknown_columns else None
    stdin = str(path) == "-"
    batches = (
        _stdin_batches(fmt, table, only) if stdin else read_batches(path, fmt, table, only=only)
    )
    return _ingest(lake, tenant_id, table, batches, report, skip_bad_rows, ignore_unknown_columns)


def ingest_rows(
    lake: Lake,
    tenant_id: str,
    table_name: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    skip_bad_rows: bool = False,
    ignore_unknown_columns: bool = False,
) -> IngestReport:
    """Ingest Python rows (column name to value: str, int, float, bool, datetime, dict, list,
    ...), by the same rules and with the same all-or-nothing promise as `ingest_file`."""
    table = find_table(table_name)
    report = IngestReport(table.name, tenant_id, "<rows>", "rows")
    batches = read_mappings(rows)
    return _ingest(lake, tenant_id, table, batches, report, skip_bad_rows, ignore_unknown_columns)


def _stdin_batches(fmt: InputFormat, table: Table, only: set[str] | None) -> Iterator[RawBatch]:
    if fmt is InputFormat.JSONL:
        yield from read_json_lines(sys.stdin.buffer, table)
        return
    # CSV and Parquet readers need a file they can open twice or seek in: spool to one.
    with tempfile.TemporaryDirectory(prefix="xdrlab-ingest-") as folder:
        spooled = Path(folder) / f"stdin.{fmt.value}"
        with spooled.open("wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle, 1 << 20)
        yield from read_batches(spooled, fmt, table, only=only)


def _ingest(
    lake: Lake,
    tenant_id: str,
    table: Table,
    batches: Iterator[RawBatch],
    report: IngestReport,
    skip_bad_rows: bool,
    ignore_unknown_columns: bool,
) -> IngestReport:
    recover_interrupted(lake)
    staged = StagedIngest(lake, tenant_id, table)
    try:
        for batch in batches:
            good, problems, rejected = check_batch(table, batch, ignore_unknown_columns)
            report.rows_read += len(batch.rows) + len(batch.unreadable)
            report.rows_rejected += rejected
            report.problem_count += len(problems)
            room = MAX_REPORTED_PROBLEMS - len(report.problems)
            report.problems.extend(problems[: max(room, 0)])
            if skip_bad_rows or report.problem_count == 0:
                staged.add(good)
                report.rows_written += good.num_rows
            elif report.problem_count == len(problems):
                staged.abort()  # the first problem: nothing will be written, free the disk now
        if report.problem_count and not skip_bad_rows:
            staged.abort()
            report.rows_written = 0
            return report
        days = staged.partitions
        files = staged.commit()
    except BaseException:
        staged.abort()
        raise
    report.files = [str(p) for p in files]
    report.days = days if table.time_column is not None else []
    report.committed = bool(files)
    return report


def check_batch(
    table: Table, batch: RawBatch, ignore_unknown_columns: bool = False
) -> tuple[pa.Table, list[RowProblem], int]:
    """The batch's good rows in the table's schema, its problems by row, and how many rows
    were refused (rows that could not be read at all are not in the batch's rows)."""
    count = len(batch.rows)
    bad_at: dict[int, list[tuple[int, str | None, str]]] = {}
    arrays = []
    for order, column in enumerate(table.columns):
        data = batch.columns.get(column.name)
        if data is None:
            array = pa.nulls(count, column.type.arrow_type)
            if column.type.arrow_type == pa.string():
                array = pc.fill_null(array, "")
            arrays.append(array)
            if column.name == table.time_column:
                for index in range(count):
                    reason = f"no {column.name} (every {table.name} row needs one)"
                    bad_at.setdefault(index, []).append((order, column.name, reason))
            continue
        array, bad = convert_column(column.type, data, text_source=batch.text_source)
        for index, reason in bad.items():
            bad_at.setdefault(index, []).append((order, column.name, reason))
        if column.name == table.time_column and array.null_count:
            for index in pc.indices_nonzero(array.is_null()).to_pylist():
                if index not in bad:
                    reason = f"{column.name} is empty (every {table.name} row needs one)"
                    bad_at.setdefault(index, []).append((order, column.name, reason))
        arrays.append(array)
    if not ignore_unknown_columns:
        _unknown_columns(table, batch, bad_at)
    problems = [RowProblem(row, None, reason) for row, reason in batch.unreadable]
    for index, found in bad_at.items():
        problems.extend(RowProblem(batch.rows[index], name, why) for _, name, why in sorted(found))
    problems.sort(key=lambda p: p.row)
    rows = pa.Table.from_arrays(arrays, schema=table.arrow_schema)
    if bad_at:
        keep = [True] * count
        for index in bad_at:
            keep[index] = False
        rows = rows.filter(pa.array(keep))
    return rows, problems, len(bad_at) + len(batch.unreadable)


def _unknown_columns(
    table: Table, batch: RawBatch, bad_at: dict[int, list[tuple[int, str | None, str]]]
) -> None:
    """Refuse rows holding a value (not null, not '') in a column the table does not have."""
    unknown = sorted(name for name in batch.columns if table.column(name) is None)
    for offset, name in enumerate(unknown):
        data = batch.columns[name]
        if isinstance(data, pa.Array | pa.ChunkedArray):
            present = pc.is_valid(data)
            if pa.types.is_string(data.type) or pa.types.is_large_string(data.type):
                present = pc.and_(present, pc.not_equal(data, ""))
            indices = pc.indices_nonzero(pc.fill_null(present, False)).to_pylist()
        else:
            indices = [i for i, v in enumerate(data) if v is not None and v != ""]
        if not indices:
            continue
        reason = _unknown_reason(table, name)
        for index in indices:
            bad_at.setdefault(index, []).append((len(table.columns) + offset, name, reason))


def _unknown_reason(table: Table, name: str) -> str:
    names = [c.name for c in table.columns]
    folded = {n.lower(): n for n in names}
    close = [folded[name.lower()]] if name.lower() in folded else []
    close += [c for c in difflib.get_close_matches(name, names, n=2) if c not in close]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"{table.name} has no column {name}{hint}"
