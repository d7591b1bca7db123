"""The CLI reference page (`docs/cli.md`), made of every command's own `--help` output so it
cannot say anything the commands do not. A test fails when the page is out of date;
regenerate it with `python -m xdrlab.cli.reference docs/cli.md`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from xdrlab.cli.main import app

# A fixed width and no colour, so the page is the same on every machine.
_HELP_ENV = {"TERMINAL_WIDTH": "100", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}

_INTRO = """# `xdrlab` command reference

Generated from each command's `--help`; regenerate with
`python -m xdrlab.cli.reference docs/cli.md` (a test fails when this page is out of date).

Commands that manage a server's state folder (`serve`, `tenant`, `user`, `app`, …) run on the
server's machine. The people's commands (`login`, `hunt`, `incidents`, `token`) talk to any
Defender XDR endpoint over HTTPS — xdrlab's or the production service's — through a profile.

Shell completion: `xdrlab --install-completion` (bash, zsh, fish, PowerShell).
"""


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path, depth first (groups have `commands`; Typer ships its own click)."""
    yield path
    children = getattr(command, "commands", {})
    for name in sorted(children):
        yield from _commands(children[name], (*path, name))


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env=_HELP_ENV, prog_name="xdrlab")
    if result.exit_code != 0:
        raise RuntimeError(f"xdrlab {' '.join(path)} --help failed: {result.output}")
    lines = [line.rstrip() for line in result.output.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def render_reference() -> str:
    sections = [_INTRO]
    for path in _commands(typer.main.get_command(app)):
        title = " ".join(("xdrlab", *path))
        sections.append(f"## `{title}`\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(sections)


def main(argv: list[str]) -> int:
    text = render_reference()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
