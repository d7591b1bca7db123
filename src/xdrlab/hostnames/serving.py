"""What `xdrlab serve --hostnames` adds to the server's start and stop."""

from __future__ import annotations

import socket
from pathlib import Path

from xdrlab.hostnames.files import PORT, forget_listener, write_run_files
from xdrlab.hostnames.listener import ListenerError, open_listener
from xdrlab.hostnames.names import NAMES

DEFAULT_ADDRESS = "127.0.0.2"


def open_hostnames_listener(address: str, tls: bool) -> socket.socket:
    """The loopback:443 socket; `ListenerError` says why it cannot be had."""
    if not tls:
        raise ListenerError("the host-name mode needs TLS (clients reach production over HTTPS).")
    return open_listener(address)


def publish(state_dir: Path, address: str, ca_file: Path) -> None:
    """Leave the hosts file, CA bundle and address for `xdrlab run`."""
    write_run_files(state_dir, address, NAMES, ca_file)


def withdraw(state_dir: Path) -> None:
    forget_listener(state_dir)


def announcement(address: str, state_dir: Path) -> str:
    names = ", ".join(NAMES)
    state = f" --state {state_dir}" if state_dir != Path(".xdrlab-state") else ""
    return (
        f"Host-name mode: {names} answered on {address}:{PORT}.\n"
        f"Run unmodified programs against it with:  xdrlab run{state} -- COMMAND [ARGS...]"
    )
