"""What every admin command shares: opening the state folder, printing tables or JSON, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from xdrlab.identity.tenants import DirectoryError
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings

console = Console()
errors = Console(stderr=True)

StateOption = typer.Option(
    None, "--state", envvar="XDRLAB_STATE", help="State folder (default: ./.xdrlab-state)."
)
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


def settings_for(state_dir: Path | None, **values: Any) -> Settings:
    if state_dir is not None:
        values["state_dir"] = state_dir
    return Settings(**values)


def state_for(state_dir: Path | None) -> ServerState:
    return open_state(settings_for(state_dir))


@contextmanager
def transaction(state_dir: Path | None) -> Iterator[tuple[ServerState, Session]]:
    """A state and a session committed at the end; directory errors become a clean exit 1."""
    state = state_for(state_dir)
    try:
        with state.sessions.begin() as session:
            yield state, session
    except DirectoryError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    finally:
        state.engine.dispose()


def emit(
    rows: Sequence[dict[str, Any]], as_json: bool, *, title: str = "", single: bool = False
) -> None:
    """Rows as a Rich table for people, or JSON (an object when `single`) for scripts."""
    if as_json:
        payload: Any = rows[0] if single and rows else list(rows)
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    table = Table(title=title or None, show_lines=False)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    console.print(table if rows else "[dim](none)[/dim]")


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
