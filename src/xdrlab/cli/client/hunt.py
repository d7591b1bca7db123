"""`xdrlab hunt`: run an advanced hunting query and print or save its rows; `--explain` shows the
SQL xdrlab's engine would run instead."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax

from xdrlab.cli.client.common import ProfileOption, err, fail, out, reported, stores
from xdrlab.cli.client.connect import connected
from xdrlab.cli.client.output import Format, write_result
from xdrlab.kql.diagnostics import KqlError
from xdrlab.kql.explain import DIALECTS, explain


def _query_text(query: str | None, file: Path | None) -> str:
    if query is not None and file is not None:
        raise fail("give the query as an argument or with --file, not both", 2)
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as error:
            raise fail(f"cannot read {file}: {error.strerror}", 2) from None
    if query is None or query == "-":
        if sys.stdin.isatty():
            raise fail("no query: pass it as an argument, with --file, or on stdin", 2)
        return sys.stdin.read()
    return query


def hunt(
    query: str | None = typer.Argument(
        None, help="The KQL query; '-' or nothing reads it from stdin.", show_default=False
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Read the query from a file.", dir_okay=False
    ),
    fmt: Format = typer.Option(Format.TABLE, "--format", "-o", help="Output format."),
    output: Path | None = typer.Option(
        None, "--output", help="Write to this file instead of stdout (needed for parquet)."
    ),
    timespan: str | None = typer.Option(
        None, "--timespan", help="ISO 8601 duration or interval, e.g. P7D (Graph surface)."
    ),
    explain_only: bool = typer.Option(
        False, "--explain", help="Print the SQL xdrlab's engine runs for the query; run nothing."
    ),
    dialect: str = typer.Option(
        "duckdb", "--dialect", help=f"SQL dialect for --explain: {', '.join(DIALECTS)}."
    ),
    profile: str | None = ProfileOption,
) -> None:
    """Run an advanced hunting query and print its rows."""
    text = _query_text(query, file)
    if not text.strip():
        raise fail("the query is empty", 2)
    if explain_only:
        _explain(text, dialect)
        return
    if fmt is Format.PARQUET and output is None:
        raise fail("parquet output is binary: name a file with --output", 2)
    profiles, secrets = stores()
    with reported():
        chosen = profiles.get(profile)
        with connected(chosen, secrets) as client, _spinner():
            result = client.hunt(text, timespan=timespan)
    write_result(result, fmt, output=output, console=out)
    if output is not None:
        err.print(f"{len(result)} rows written to {output}")


def _explain(text: str, dialect: str) -> None:
    if dialect not in DIALECTS:
        raise fail(f"unknown dialect {dialect!r}; choose from {', '.join(DIALECTS)}", 2)
    try:
        sql = explain(text, dialect=dialect)
    except KqlError as error:
        raise fail(f"{error.diagnostic} [{error.diagnostic.code}]") from None
    if out.is_terminal:
        out.print(Syntax(sql, "sql", word_wrap=True))
    else:
        typer.echo(sql)


def _spinner() -> Progress:
    """A spinner with the elapsed time on stderr while the query runs (terminals only)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("running query"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
