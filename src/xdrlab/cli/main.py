"""The `xdrlab` command line."""

from __future__ import annotations

import typer

from xdrlab import __version__
from xdrlab.cli.apps import app_app, cert_app, secret_app
from xdrlab.cli.client.commands import register as register_people_commands
from xdrlab.cli.consents import consent_app
from xdrlab.cli.demo import demo
from xdrlab.cli.directory import tenant_app, user_app
from xdrlab.cli.ingest import ingest
from xdrlab.cli.keys import audit_app, keys_app
from xdrlab.cli.lake import lake_app
from xdrlab.cli.run import CONTEXT as RUN_CONTEXT
from xdrlab.cli.run import run
from xdrlab.cli.serve import serve

app = typer.Typer(
    name="xdrlab",
    help="A self-hostable Microsoft Defender XDR API platform: token service, APIs, hunting.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.command("serve")(serve)
app.command("run", context_settings=RUN_CONTEXT)(run)
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(app_app, name="app")
app.add_typer(secret_app, name="secret")
app.add_typer(cert_app, name="cert")
app.add_typer(consent_app, name="consent")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.command("ingest")(ingest)
app.command("demo")(demo)
app.add_typer(lake_app, name="lake")
# The people's commands: any Defender XDR endpoint, xdrlab's or production's, through a profile.
register_people_commands(app)


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
