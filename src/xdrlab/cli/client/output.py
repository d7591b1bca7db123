"""Hunting results written the way people and scripts want them: a Rich table on a terminal,
CSV, JSON (an array of row objects), JSON Lines, or Parquet (typed, through Arrow)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from xdrlab.sdk import HuntingResult


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"
    PARQUET = "parquet"


def text_value(value: Any) -> Any:
    """A value as JSON carries it: instants in ISO 8601 UTC, timespans in Kusto's notation,
    dynamic values as they are."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds") + "Z"
    if isinstance(value, dt.timedelta):
        return _timespan(value)
    return value


def _timespan(value: dt.timedelta) -> str:
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    days = f"{value.days}." if value.days else ""
    fraction = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"{sign}{days}{hours:02d}:{minutes:02d}:{seconds:02d}{fraction}"


def _cell(value: Any) -> str:
    """One table or CSV cell: text as is, dynamic values as compact JSON, nulls empty."""
    value = text_value(value)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rows(result: HuntingResult) -> list[dict[str, Any]]:
    return [{name: text_value(row[name]) for name in result.column_names} for row in result]


def write_result(
    result: HuntingResult, fmt: Format, *, output: Path | None, console: Console
) -> None:
    """Write `result` in `fmt` to `output` (a file) or standard output."""
    if fmt is Format.PARQUET:
        if output is None:
            raise ValueError("Parquet is binary: name a file with --output")
        pq.write_table(result.to_arrow(), output)
        return
    if fmt is Format.TABLE and output is None:
        console.print(_table(result))
        return
    with _open(output) as handle:
        if fmt is Format.CSV:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(result.column_names)
            for row in result:
                writer.writerow([_cell(row[name]) for name in result.column_names])
        elif fmt is Format.JSON:
            json.dump(_rows(result), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        elif fmt is Format.JSONL:
            for row in _rows(result):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:  # a table into a file: plain text, no colour
            Console(file=handle, width=200, color_system=None).print(_table(result))


class _open:
    """Standard output, or a file opened for text (closed on exit)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.path is None:
            return sys.stdout
        self.handle = self.path.open("w", encoding="utf-8", newline="")
        return self.handle

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()


def _table(result: HuntingResult) -> Table:
    table = Table(show_lines=False, header_style="bold")
    for column in result.columns:
        numeric = column.kind in ("int", "long", "real", "decimal")
        table.add_column(
            f"{column.name}\n[dim]{column.kind}[/dim]", justify="right" if numeric else "left"
        )
    for row in result:
        table.add_row(*(_cell(row[name]) for name in result.column_names))
    count = len(result)
    caption = f"{count} row{'s' if count != 1 else ''}"
    if result.truncated:
        caption += " — truncated by the service's row limit"
    table.caption = caption
    return table
