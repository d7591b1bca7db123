"""`xdrlab ingest TABLE FILE`: load hunting rows into a tenant's lake.

Exit codes: 0 rows written (or skipped with --skip-bad-rows), 1 problems rejected the input and
nothing was written, 2 the command could not start (unknown table, tenant, file or format).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from xdrlab.cli._common import JsonOption, StateOption, console, errors, state_for
from xdrlab.identity import audit, tenants
from xdrlab.identity.tenants import DirectoryError
from xdrlab.lake.ingest import IngestError, IngestReport, find_table, ingest_file
from xdrlab.lake.schema import lake_tables
from xdrlab.lake.store import Lake

LAKE_FOLDER = "lake"  # the lake's place in the state folder


def _list_tables(value: bool) -> None:
    if value:
        for name in sorted(lake_tables()):
            typer.echo(name)
        raise typer.Exit()


def ingest(
    table: str = typer.Argument(
        ...,
        help=(
            "Hunting table, e.g. DeviceProcessEvents (exact case), or FileProfile (the file "
            "profiles `invoke FileProfile()` reads)."
        ),
    ),
    file: str = typer.Argument(..., help="JSON Lines, CSV or Parquet file; '-' reads stdin."),
    tenant: str | None = typer.Option(
        None, "--tenant", help="Tenant GUID or domain (default: the only tenant)."
    ),
    input_format: str | None = typer.Option(
        None, "--format", help="jsonl, csv or parquet (default: by the file's extension)."
    ),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="Write the good rows and report the bad ones."
    ),
    ignore_unknown_columns: bool = typer.Option(
        False, "--ignore-unknown-columns", help="Drop columns the table does not have."
    ),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
    list_tables: bool = typer.Option(
        False,
        "--list-tables",
        is_eager=True,
        callback=_list_tables,
        help="Print the hunting table names and exit.",
    ),
) -> None:
    """Validate rows against the table's schema and add them to the tenant's hunting data.

    All or nothing by default: one bad row and nothing is written; the report lists each
    problem (row, column, reason). Rows count from 1: lines of a JSON Lines file, data records
    of a CSV file (the header is not counted), rows of a Parquet file.
    """
    try:
        find_table(table)
    except IngestError as error:
        _usage_error(str(error))
    srv = state_for(state)
    try:
        with srv.sessions.begin() as session:
            tenant_id = _resolve_tenant(session, tenant)
        lake = Lake(srv.settings.state_dir / LAKE_FOLDER)
        try:
            with errors.status(f"Ingesting {file} into {table}…"):
                report = ingest_file(
                    lake,
                    tenant_id,
                    table,
                    file,
                    format=input_format,
                    skip_bad_rows=skip_bad_rows,
                    ignore_unknown_columns=ignore_unknown_columns,
                )
        except IngestError as error:
            _usage_error(str(error))
        if report.committed:
            with srv.sessions.begin() as session:
                audit.record(
                    session,
                    srv.clock,
                    category="HuntingData",
                    activity="Ingest rows",
                    tenant_id=tenant_id,
                    actor="cli",
                    target=report.table,
                    rows=report.rows_written,
                    rejected=report.rows_rejected,
                    days=report.days,
                )
    finally:
        srv.engine.dispose()
    _show(report, as_json, skip_bad_rows)
    if report.problem_count and not skip_bad_rows:
        raise typer.Exit(1)


def _resolve_tenant(session: Session, given: str | None) -> str:
    if given is not None:
        try:
            return tenants.require_tenant(session, given).id
        except DirectoryError as error:
            _usage_error(str(error))
    found = tenants.list_tenants(session)
    if len(found) == 1:
        return found[0].id
    if not found:
        _usage_error("there are no tenants yet; create one with 'xdrlab tenant create'")
    names = ", ".join(t.domains[0].name if t.domains else t.id for t in found)
    _usage_error(f"there are several tenants; pick one with --tenant ({names})")


def _usage_error(message: str) -> NoReturn:
    errors.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _show(report: IngestReport, as_json: bool, skip_bad_rows: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    summary = Table(title=f"{report.table} ← {Path(report.source).name}", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("")
    summary.add_row("rows read", str(report.rows_read))
    summary.add_row("rows written", str(report.rows_written))
    summary.add_row("rows rejected", str(report.rows_rejected))
    summary.add_row("files written", str(len(report.files)))
    summary.add_row("days", _days(report.days))
    console.print(summary)
    if report.problems:
        problems = Table(title="Problems")
        problems.add_column("row", justify="right")
        problems.add_column("column")
        problems.add_column("reason")
        for problem in report.problems:
            problems.add_row(str(problem.row), problem.column or "", problem.reason)
        console.print(problems)
        hidden = report.problem_count - len(report.problems)
        if hidden:
            console.print(f"[dim]… and {hidden} more problems[/dim]")
    if report.problem_count and not skip_bad_rows:
        rows = "row" if report.rows_rejected == 1 else "rows"
        errors.print(
            f"[red]Nothing written:[/red] {report.rows_rejected} {rows} with problems. "
            "Fix them, or pass --skip-bad-rows to write the others."
        )


def _days(days: list[str]) -> str:
    if len(days) <= 3:
        return ", ".join(days) or "-"
    return f"{days[0]} … {days[-1]} ({len(days)})"
