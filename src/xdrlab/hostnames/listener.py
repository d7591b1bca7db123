"""The host-name mode's listening socket: a loopback address, port 443."""

from __future__ import annotations

import errno
import ipaddress
import socket

from xdrlab.hostnames.files import PORT
from xdrlab.server.run import bind


class ListenerError(Exception):
    """The listener cannot be opened; the message says why and what to do."""


def check_address(address: str) -> str:
    """A loopback address in canonical form. Only loopback: the certificate claims production's
    names, and the mode promises that nothing a program sends leaves the machine."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise ListenerError(f"{address!r} is not an IP address (e.g. 127.0.0.2).") from None
    if not parsed.is_loopback:
        raise ListenerError(
            f"{address} is not a loopback address; the host-name mode listens on loopback "
            "only (127.0.0.0/8 or ::1)."
        )
    return str(parsed)


def open_listener(address: str) -> socket.socket:
    """The bound socket, or a `ListenerError` explaining the usual causes."""
    address = check_address(address)
    try:
        return bind(address, PORT)
    except PermissionError:
        raise ListenerError(
            f"cannot listen on {address}:{PORT}: ports below 1024 need root or the "
            "CAP_NET_BIND_SERVICE capability (or sysctl net.ipv4.ip_unprivileged_port_start=443)."
        ) from None
    except OSError as failure:
        if failure.errno == errno.EADDRINUSE:
            raise ListenerError(
                f"{address}:{PORT} is already in use (another xdrlab?); pick another "
                "loopback address with --hostnames-address."
            ) from None
        if failure.errno == errno.EADDRNOTAVAIL:
            raise ListenerError(
                f"{address} is not configured on this machine's loopback interface."
            ) from None
        raise ListenerError(f"cannot listen on {address}:{PORT}: {failure.strerror}.") from None
