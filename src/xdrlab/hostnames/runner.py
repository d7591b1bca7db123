"""`xdrlab run`: run a program that resolves production's names to xdrlab and trusts its CA.

Only two things change for the program: name resolution (a private `/etc/hosts`, see
`namespace`) and trust (the CA variables below point at xdrlab's CA plus the system's). Nothing
else — no authority or proxy variables — so the program runs with its own defaults.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from xdrlab.hostnames.enter import EXIT_SETUP
from xdrlab.hostnames.files import Listener, RunFiles, read_listener, run_files

# requests (MSAL, azure-identity) reads the first two, curl the second, OpenSSL-based clients
# (Python's ssl, httpx, aiohttp, Go, .NET on Linux) the third, Node.js the fourth.
TRUST_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS")


class RunError(Exception):
    """The program cannot be run this way; the message says why."""

    def __init__(self, message: str, exit_code: int = EXIT_SETUP) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def find_listener(state_dir: Path) -> tuple[Listener, RunFiles]:
    """The running host-name listener of the state folder, checked by connecting to it."""
    listener = read_listener(state_dir)
    files = run_files(state_dir)
    if listener is None or not files.hosts.is_file() or not files.ca_bundle.is_file():
        raise RunError(
            f"no host-name mode server for the state folder {state_dir}: start "
            f"`xdrlab serve --hostnames --state {state_dir}` first."
        )
    try:
        with socket.create_connection((listener.address, listener.port), timeout=3):
            pass
    except OSError as failure:
        raise RunError(
            f"nothing answers on {listener.address}:{listener.port} ({failure.strerror or failure})"
            f": is `xdrlab serve --hostnames --state {state_dir}` still running?"
        ) from None
    return listener, files


def environment(base: Mapping[str, str], files: RunFiles) -> dict[str, str]:
    env = dict(base)
    for name in TRUST_VARIABLES:
        env[name] = str(files.ca_bundle.resolve())
    return env


def resolver_warning(nsswitch: Path = Path("/etc/nsswitch.conf")) -> str | None:
    """A warning when the C library may not read /etc/hosts first for host names."""
    try:
        lines = nsswitch.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, sources = line.partition("#")[0].partition(":")
        if key.strip() == "hosts":
            first = sources.split()[0] if sources.split() else ""
            if first != "files":
                return (
                    f"{nsswitch} looks up host names with {first!r} before 'files'; programs "
                    "may reach the real hosts instead of xdrlab."
                )
    return None


def run(state_dir: Path, command: Sequence[str], base_env: Mapping[str, str]) -> NoReturn:
    """Check the server, then become `xdrlab.hostnames.enter`, which enters the namespace and
    becomes `command`: its exit status is ours. (-I: the helper ignores the PYTHON* variables
    and the working folder, which stay the program's.)"""
    if not command:
        raise RunError("no command given: xdrlab run [--state DIR] -- COMMAND [ARGS...]", 2)
    _, files = find_listener(state_dir)
    helper = [sys.executable, "-I", "-m", "xdrlab.hostnames.enter", str(files.hosts.resolve())]
    os.execve(sys.executable, [*helper, *command], environment(base_env, files))  # noqa: S606
