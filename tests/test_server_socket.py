"""The listening socket is one asyncio will set TCP_NODELAY on for every connection."""

from __future__ import annotations

import socket

from xdrlab.server.run import bind


def test_bound_socket_declares_tcp_so_connections_get_nodelay() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        # asyncio enables TCP_NODELAY only when the socket's proto is IPPROTO_TCP; without it
        # each keep-alive response stalls on Nagle's algorithm and delayed ACKs.
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[1] != 0
    finally:
        sock.close()
