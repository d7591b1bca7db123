"""`xdrlab run -- COMMAND`: run a program unchanged against the host-name mode."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from xdrlab.cli._common import StateOption, errors
from xdrlab.hostnames.runner import RunError, resolver_warning
from xdrlab.hostnames.runner import run as run_command
from xdrlab.settings import Settings

# Everything after the first argument belongs to the program, options included.
CONTEXT = {"allow_interspersed_args": False, "ignore_unknown_options": True}


def run(
    command: list[str] = typer.Argument(
        ..., metavar="COMMAND", help="The program to run, then its arguments."
    ),
    state: Path | None = StateOption,
) -> None:
    """Run a program against the host-name mode: production's host names
    (login.microsoftonline.com, api.security.microsoft.com, ...) reach the state folder's
    `serve --hostnames` server and its CA is trusted; /etc/hosts is not touched. The exit
    status is the program's."""
    state_dir = state if state is not None else Settings().state_dir
    warning = resolver_warning()
    if warning:
        errors.print(f"[yellow]xdrlab run: warning:[/yellow] {warning}", highlight=False)
    try:
        run_command(state_dir, command, os.environ)
    except RunError as failure:
        errors.print(f"[red]xdrlab run:[/red] {failure}", highlight=False, soft_wrap=True)
        raise typer.Exit(failure.exit_code) from None
