"""One ASGI app that answers production's host names as production does.

Requests for a production host name go to a second copy of the platform whose token service
puts production's issuers in tokens and discovery documents (`https://sts.windows.net/{tid}/`,
`https://login.microsoftonline.com/{tid}/v2.0`) and whose APIs accept exactly those issuers,
as production's APIs do. Each host answers only its own paths; any other path is a 404 there,
as on production. Every other host (localhost, the loopback addresses) reaches the usual app,
with xdrlab's own issuers, unchanged.
"""

from __future__ import annotations

import dataclasses

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from xdrlab.api.errors import ApiError, render
from xdrlab.hostnames.names import HOSTS, host_of, serves
from xdrlab.server.request_log import RequestLog
from xdrlab.server.state import ServerState


class HostDispatch:
    """Routes by the `Host` header. Lifespan events go to the local app only (the platform
    keeps no state that needs them; both apps share the state folder's store)."""

    def __init__(self, local: ASGIApp, production: ASGIApp) -> None:
        self.local = local
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.local(scope, receive, send)
            return
        host = host_of(_header(scope, b"host"))
        if host not in HOSTS:
            await self.local(scope, receive, send)
        elif serves(host, scope["path"]):
            await self.production(scope, receive, send)
        else:
            await _not_here_logged(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


async def _not_here(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    error = ApiError(404, "NotFound", f"Resource '{scope['path']}' wasn't found.")
    await render(request, error)(scope, receive, send)


# Paths a host does not serve are answered here, outside both apps: log them like the rest.
_not_here_logged = RequestLog(_not_here)


def _with_production_issuers(state: ServerState) -> ServerState:
    """The same store, lake and keys; only the issuers differ."""
    settings = state.settings.model_copy(update={"production_issuers": True})
    return dataclasses.replace(state, settings=settings)


def host_dispatch(state: ServerState) -> ASGIApp:
    """The local app and its production-issuer twin over the same state, behind `HostDispatch`."""
    from xdrlab.server.app import create_app

    return HostDispatch(create_app(state), create_app(_with_production_issuers(state)))


def app_from_environment() -> ASGIApp:
    """A worker process's app in the host-name mode (see `xdrlab.server.app`)."""
    from xdrlab.server.app import app_from_environment as local_app_from_environment
    from xdrlab.server.app import create_app

    local = local_app_from_environment()
    state: ServerState = local.state.server
    return HostDispatch(local, create_app(_with_production_issuers(state)))
