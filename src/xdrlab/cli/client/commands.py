"""The people's commands, registered on a Typer app: the full `xdrlab` app, and a small one the
entry point uses when one of these is run, so they start without loading the server."""

from __future__ import annotations

import typer

from xdrlab.cli.client.hunt import hunt
from xdrlab.cli.client.incidents import incidents_app
from xdrlab.cli.client.login import list_profiles, login, logout, token

NAMES = frozenset({"login", "logout", "profiles", "hunt", "incidents", "token"})


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("profiles")(list_profiles)
    app.command("hunt")(hunt)
    app.add_typer(incidents_app, name="incidents")
    app.command("token")(token)
