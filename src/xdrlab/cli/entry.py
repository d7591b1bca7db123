"""The `xdrlab` executable. The people's commands (`hunt`, `incidents`, `login`, ...) talk to a
server over HTTPS and need none of its modules: run on their own they start in a fraction of
the time the whole command line (server, store, demo generator) takes to import."""

from __future__ import annotations

import sys

import typer


def main() -> None:
    from xdrlab.cli.client.commands import NAMES, register

    arguments = sys.argv[1:]
    if arguments and arguments[0] in NAMES:
        people = typer.Typer(name="xdrlab", pretty_exceptions_show_locals=False)
        register(people)
        people(prog_name="xdrlab")
        return
    from xdrlab.cli.main import app

    app(prog_name="xdrlab")
