"""Real xdrlab servers for tests: each on a loopback socket with its own state folder, settings
and clock, as `xdrlab serve` runs them, and the clients and app tokens to talk to one."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import httpx

from xdrlab.clock import Clock
from xdrlab.server.run import Server, bind, settle_port
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings

T = TypeVar("T")


class BindFailed(Exception):
    """The server's address could not be bound (the port is busy or forbidden)."""


@dataclass
class Running(Generic[T]):
    """A server started by `serve`: its settings, state, CA (None over plain HTTP) and what
    `prepare` returned."""

    settings: Settings
    state: ServerState
    ca_file: Path | None
    prepared: T

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def client(self, *, timeout: float = 30) -> httpx.Client:
        """An httpx client on the server's base URL that trusts its CA."""
        return trusting_client(self.base_url, self.ca_file, timeout=timeout)


def trusting_client(base_url: str, ca_file: Path | None, *, timeout: float = 30) -> httpx.Client:
    """An httpx client on `base_url` that trusts the CA in `ca_file` (None: plain HTTP)."""
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        verify = ssl.create_default_context(cafile=str(ca_file))
    return httpx.Client(base_url=base_url, verify=verify, timeout=timeout)


def app_tokens(
    client: httpx.Client,
    tenant_id: str,
    client_id: str,
    client_secret: str,
    resources: Iterable[str],
) -> dict[str, str]:
    """App-only access tokens from the v2 client-credentials grant, one per resource (keyed by
    it), asked of the server `client` is on; each grant must succeed."""
    tokens = {}
    for resource in resources:
        response = client.post(
            f"/{tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
                "scope": f"{resource}/.default",
            },
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert isinstance(token, str)
        tokens[resource] = token
    return tokens


@overload
def serve(
    state_dir: Path,
    *,
    prepare: Callable[[ServerState], T],
    host: str = ...,
    port: int = ...,
    clock: Clock | None = ...,
    log_level: str = ...,
    **overrides: Any,
) -> AbstractContextManager[Running[T]]: ...


@overload
def serve(
    state_dir: Path,
    *,
    prepare: None = ...,
    host: str = ...,
    port: int = ...,
    clock: Clock | None = ...,
    log_level: str = ...,
    **overrides: Any,
) -> AbstractContextManager[Running[None]]: ...


@contextmanager
def serve(
    state_dir: Path,
    *,
    prepare: Callable[[ServerState], Any] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    log_level: str = "error",
    **overrides: Any,
) -> Iterator[Running[Any]]:
    """A real xdrlab server on `host`:`port` (0: a free port), started in a thread with the state
    in `state_dir`, settings `overrides` (`tls=False`, `rate_limits=...`, ...) and `clock` (None:
    the system clock). `prepare(state)` runs before the server starts (seeding, ingesting); what
    it returns is `Running.prepared`. Stopped, its socket closed and its engine disposed on exit.
    Raises BindFailed when the address cannot be bound."""
    try:
        sock = bind(host, port)
    except OSError as failure:
        raise BindFailed(f"{host}:{port}: {failure}") from failure
    try:
        settings = settle_port(
            Settings(state_dir=state_dir, host=host, port=port, **overrides), sock
        )
        state = open_state(settings, clock)
        try:
            prepared = prepare(state) if prepare is not None else None
            server = Server(state, sock, log_level=log_level)
            try:
                server.start_in_thread()
                ca_file = server.tls.ca_file if server.tls else None
                yield Running(settings, state, ca_file, prepared)
            finally:
                server.stop()
        finally:
            state.engine.dispose()
    finally:
        sock.close()
