"""Reading input files in bounded batches of raw columns, each row with the number a user sees.

Row numbers: JSON Lines count lines (blank lines are skipped but keep their number); CSV counts
data records after the header (record 1 is the first one below the header, whatever lines its
quoted values span); Parquet and Python rows count rows from 1.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from xdrlab.lake.convert import ColumnData
from xdrlab.lake.schema import KustoType, Table

BATCH_ROWS = 20_000
_CSV_BLOCK_BYTES = 8 << 20


class InputFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


_EXTENSIONS = {
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
    ".json": InputFormat.JSONL,
    ".csv": InputFormat.CSV,
    ".parquet": InputFormat.PARQUET,
    ".pq": InputFormat.PARQUET,
}


class IngestError(ValueError):
    """An ingestion that cannot start: unknown table or format, missing or unreadable file."""


class UnreadableInput(IngestError):
    """The input as a whole cannot be read (no such file, unknown format, not Parquet, ...)."""


@dataclass
class RawBatch:
    """Up to `BATCH_ROWS` rows as read: columns under the names the input uses."""

    rows: Sequence[int]
    columns: dict[str, ColumnData]
    text_source: bool = False
    unreadable: list[tuple[int, str]] = field(default_factory=list)
    """Rows that could not be read at all: (row number, reason)."""


def detect_format(source: str | Path, given: str | None) -> InputFormat:
    """The format named by `given`, or by the file's extension (``.gz`` looked through)."""
    if given is not None:
        try:
            return InputFormat(given.lower())
        except ValueError:
            names = ", ".join(f.value for f in InputFormat)
            raise UnreadableInput(f"unknown format '{given}' (use one of: {names})") from None
    if str(source) == "-":
        raise UnreadableInput("reading standard input needs a format (jsonl, csv or parquet)")
    path = Path(source)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    found = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise UnreadableInput(
            f"cannot tell the format of '{path.name}' from its extension; "
            "name the format (jsonl, csv or parquet)"
        )
    return found


def read_batches(
    source: str | Path, fmt: InputFormat, table: Table, *, only: set[str] | None = None
) -> Iterator[RawBatch]:
    """The rows of a file as raw batches; `only` limits the columns read (when the input's
    other columns are to be ignored)."""
    path = Path(source)
    if not path.is_file():
        raise UnreadableInput(f"no such file: {source}")
    if fmt is InputFormat.JSONL:
        with _open_binary(path) as stream:
            yield from read_json_lines(stream, table)
    elif fmt is InputFormat.CSV:
        yield from _read_csv(path, only)
    else:
        yield from _read_parquet(path, only)


def read_json_lines(stream: Iterable[bytes], table: Table | None = None) -> Iterator[RawBatch]:
    """JSON Lines: one JSON object per line, in blocks of `BATCH_ROWS` lines.

    A block goes through Arrow's JSON reader when it is plain — every line one object, each of
    the table's columns holding one JSON type the column takes as is (see `_arrow_block`) —
    and line by line through Python's `json` otherwise, which can say what is wrong where.
    """
    block: list[bytes] = []
    first = 1
    for number, line in enumerate(stream, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        block.append(line)
        if len(block) >= BATCH_ROWS:
            yield _json_block(block, first, table)
            first += len(block)
            block = []
    if block:
        yield _json_block(block, first, table)


def _json_block(lines: list[bytes], first: int, table: Table | None) -> RawBatch:
    if table is not None:
        fast = _arrow_block(lines, first, table)
        if fast is not None:
            return fast
    objects: list[Mapping[str, Any]] = []
    numbers: list[int] = []
    unreadable: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except UnicodeDecodeError:
            unreadable.append((number, "not valid UTF-8 text"))
            continue
        except ValueError as error:
            unreadable.append((number, f"not valid JSON: {error}"))
            continue
        if not isinstance(value, dict):
            kind = "an array" if isinstance(value, list) else "a single value"
            unreadable.append((number, f"expected a JSON object, got {kind}"))
            continue
        objects.append(value)
        numbers.append(number)
    return mapping_batch(objects, numbers, unreadable)


_JSON_TYPES = {
    KustoType.LONG: pa.int64(),
    KustoType.INT: pa.int64(),
    KustoType.BOOL: pa.bool_(),
    KustoType.REAL: pa.float64(),
    KustoType.DECIMAL: pa.float64(),
}


def _arrow_block(lines: list[bytes], first: int, table: Table) -> RawBatch | None:
    """The block read by Arrow, or None when Arrow would read it differently from `json`.

    Arrow refuses a column whose values change JSON type (a number among strings, 1.5 in an
    integer column), non-object lines and repeated keys; blank lines or several objects on one
    line would shift row numbers; dynamic values other than strings could change shape
    (objects gain keys as structs). All of those go line by line instead.
    """
    schema = pa.schema(
        [
            pa.field(c.name, _JSON_TYPES.get(c.type, pa.string()))
            for c in table.columns
            if c.type is not KustoType.DYNAMIC
        ]
    )
    try:
        read = pa_json.read_json(
            pa.py_buffer(b"".join(lines)),
            read_options=pa_json.ReadOptions(use_threads=True, block_size=64 << 20),
            parse_options=pa_json.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if read.num_rows != len(lines):
        return None
    for column in table.columns:
        if column.type is KustoType.DYNAMIC and column.name in read.schema.names:
            kind = read.schema.field(column.name).type
            if not (pa.types.is_string(kind) or pa.types.is_null(kind)):
                return None  # objects would gain keys as structs; 1 and 1.0 would blur
    return RawBatch(
        rows=range(first, first + len(lines)),
        columns={name: read.column(name).combine_chunks() for name in read.schema.names},
    )


def read_mappings(rows: Iterable[Mapping[str, Any]]) -> Iterator[RawBatch]:
    """Python rows (mappings of column name to value), numbered from 1."""
    chunk: list[Mapping[str, Any]] = []
    first = 1
    for row in rows:
        chunk.append(row)
        if len(chunk) >= BATCH_ROWS:
            yield mapping_batch(chunk, range(first, first + len(chunk)), [])
            first += len(chunk)
            chunk = []
    if chunk:
        yield mapping_batch(chunk, range(first, first + len(chunk)), [])


def mapping_batch(
    objects: Sequence[Mapping[str, Any]],
    numbers: Sequence[int],
    unreadable: list[tuple[int, str]],
) -> RawBatch:
    names: set[str] = set().union(*objects) if objects else set()
    columns: dict[str, ColumnData] = {name: [obj.get(name) for obj in objects] for name in names}
    return RawBatch(rows=numbers, columns=columns, unreadable=unreadable)


def _open_binary(path: Path) -> io.BufferedIOBase:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def _csv_header(path: Path) -> list[str]:
    with _open_binary(path) as stream:
        first = stream.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableInput("the CSV header is not valid UTF-8 text") from None
    names = next(csv.reader(io.StringIO(text)), [])
    if not names or names == [""]:
        raise UnreadableInput("the CSV file has no header row (column names come first)")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UnreadableInput(f"column '{name}' appears twice in the CSV header")
        seen.add(name)
    return names


def _read_csv(path: Path, only: set[str] | None) -> Iterator[RawBatch]:
    names = _csv_header(path)
    invalid: dict[int, str] = {}

    def on_invalid_row(row: Any) -> str:
        # Arrow counts records from 1 with the header as record 1; data records from 2.
        number = (row.number or 0) - 1
        invalid[number] = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        return "skip"

    wanted = [n for n in names if only is None or n in only]
    reader = pa_csv.open_csv(
        pa.input_stream(str(path), compression="detect"),
        read_options=pa_csv.ReadOptions(use_threads=False, block_size=_CSV_BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=on_invalid_row
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            include_columns=wanted,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    next_row = 1
    reported: set[int] = set()
    try:
        for batch in reader:
            numbers: list[int] | range
            if not invalid.keys() - reported:
                numbers = range(next_row, next_row + batch.num_rows)
            else:
                numbers = []
                row = next_row
                for _ in range(batch.num_rows):
                    while row in invalid:
                        row += 1
                    numbers.append(row)
                    row += 1
            next_row = (numbers[-1] + 1) if batch.num_rows else next_row
            fresh = sorted(n for n in invalid if n not in reported and n < next_row)
            reported.update(fresh)
            yield RawBatch(
                rows=numbers,
                columns={n: batch.column(n) for n in batch.schema.names},
                text_source=True,
                unreadable=[(n, invalid[n]) for n in fresh],
            )
    except pa.ArrowInvalid as error:
        raise UnreadableInput(f"cannot read the CSV file: {error}") from None
    rest = sorted(n for n in invalid if n not in reported)
    if rest:
        yield RawBatch(
            rows=[], columns={}, text_source=True, unreadable=[(n, invalid[n]) for n in rest]
        )


def _read_parquet(path: Path, only: set[str] | None) -> Iterator[RawBatch]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise UnreadableInput(f"not a readable Parquet file: {error}") from None
    names = parquet.schema_arrow.names
    columns = [n for n in names if only is None or n in only]
    first = 1
    with parquet:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            yield RawBatch(
                rows=range(first, first + batch.num_rows),
                columns={n: batch.column(n) for n in batch.schema.names},
            )
            first += batch.num_rows
