"""`python -m xdrlab` runs the CLI."""

from xdrlab.cli.main import app

app()
