"""Running the server under uvicorn on a socket we bind ourselves (so port 0 works and the
actual port is known before the first request, for the base URL and demo.json)."""

from __future__ import annotations

import os
import socket
import ssl
import threading
import time
from collections.abc import Callable

import httpx
import uvicorn
from uvicorn.supervisors import Multiprocess

from xdrlab.hostnames.dispatch import host_dispatch
from xdrlab.hostnames.names import certificate_names
from xdrlab.server.app import SETTINGS_ENVIRONMENT, create_app
from xdrlab.server.state import ServerState
from xdrlab.server.tls import TlsFiles, ensure_tls
from xdrlab.settings import Settings


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets whose `proto` says
    # TCP, and without it every keep-alive response waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def settle_port(settings: Settings, sock: socket.socket) -> Settings:
    """Settings with the port actually bound (when 0 was asked for)."""
    return settings.model_copy(update={"port": sock.getsockname()[1]})


class Server:
    """A uvicorn server for `state`, startable in the foreground or in a thread. With
    `settings.workers > 1` the foreground run supervises that many worker processes."""

    def __init__(
        self,
        state: ServerState,
        sock: socket.socket,
        *,
        log_level: str = "info",
        on_ready: Callable[[], None] | None = None,
        hostnames_socket: socket.socket | None = None,
    ) -> None:
        self.state = state
        self.socket = sock
        # The host-name mode's listener (loopback:443), served by the same app and certificate.
        self.sockets = [sock] if hostnames_socket is None else [sock, hostnames_socket]
        self.tls: TlsFiles | None = None
        settings = state.settings
        if settings.tls:
            self.tls = ensure_tls(settings.state_dir, (settings.host, *certificate_names(settings)))
        common = {
            "log_level": log_level,
            "access_log": log_level == "debug",
            "ssl_certfile": str(self.tls.cert_file) if self.tls else None,
            "ssl_keyfile": str(self.tls.key_file) if self.tls else None,
            "timeout_keep_alive": 30,
            "server_header": False,
        }
        if settings.workers > 1:
            os.environ[SETTINGS_ENVIRONMENT] = settings.model_dump_json()
            config = uvicorn.Config(
                "xdrlab.hostnames.dispatch:app_from_environment"
                if settings.hostnames_address
                else "xdrlab.server.app:app_from_environment",
                factory=True,
                workers=settings.workers,
                **common,  # type: ignore[arg-type]
            )
        else:
            app = host_dispatch(state) if settings.hostnames_address else create_app(state)
            config = uvicorn.Config(app, **common)  # type: ignore[arg-type]
        self._config = config
        self._server = uvicorn.Server(config)
        self._on_ready = on_ready
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        if self.state.settings.workers > 1:
            if self._on_ready is not None:
                threading.Thread(target=self._announce_when_answering, daemon=True).start()
            Multiprocess(self._config, sockets=self.sockets).run()
            return
        if self._on_ready is not None:
            threading.Thread(target=self._announce_when_started, daemon=True).start()
        self._server.run(sockets=self.sockets)

    def _announce_when_started(self) -> None:
        while not self._server.started and not self._server.should_exit:
            time.sleep(0.05)
        if self._server.started and self._on_ready is not None:
            self._on_ready()

    def _announce_when_answering(self) -> None:
        """Worker processes report nothing to the parent, so ask one of them (bounded)."""
        verify: ssl.SSLContext | bool = False
        if self.tls is not None:
            verify = ssl.create_default_context(cafile=str(self.tls.ca_file))
        probe = f"{self.state.settings.base_url}/common/discovery/keys"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(probe, verify=verify, timeout=5).status_code == 200:
                    if self._on_ready is not None:
                        self._on_ready()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)

    def start_in_thread(self) -> None:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("server failed to start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
