"""What the people's commands share: the profile option, the stores, and turning API errors into
a message and an exit code instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from xdrlab.cli.client.profiles import ProfileError, ProfileStore
from xdrlab.cli.client.secrets import SecretStore
from xdrlab.sdk import ApiError, QueryError

out = Console()
err = Console(stderr=True)

ProfileOption = typer.Option(
    None,
    "--profile",
    "-p",
    envvar="XDRLAB_PROFILE",
    help="Profile to use (default: the one `xdrlab login` made default).",
)

# Exit codes: 1 the service refused or failed the call, 2 bad usage (Typer's own), 3 no usable
# profile.
EXIT_API = 1
EXIT_PROFILE = 3


def stores() -> tuple[ProfileStore, SecretStore]:
    profiles = ProfileStore()
    return profiles, SecretStore(profiles.directory)


def fail(message: str, code: int = EXIT_API) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Profile and API errors as one clear line on stderr and a non-zero exit."""
    try:
        yield
    except ProfileError as error:
        raise fail(str(error), EXIT_PROFILE) from None
    except QueryError as error:
        for diagnostic in error.diagnostics or ():
            where = (
                f" (line {diagnostic.line}, column {diagnostic.column})"
                if diagnostic.line is not None and f"line {diagnostic.line}" not in error.message
                else ""
            )
            err.print(f"[red]query error:[/red] {escape(diagnostic.message)}{where}")
        if not error.diagnostics:
            err.print(f"[red]query error:[/red] {escape(error.message)}")
        raise typer.Exit(EXIT_API) from None
    except ApiError as error:
        raise fail(str(error)) from None
    except ValueError as error:  # the SDK refusing a request before sending it
        raise fail(str(error), 2) from None
