"""The request log (setting `request_log`): one line per request on stderr, to see what a
client sends.

Each line is a JSON object: time, listening address, client address, Host, method, path, the
*names* of the query parameters, status, duration, and the headers that tell clients apart
(Content-Type, User-Agent, the MSAL and azure-identity telemetry headers, ...). Never
credentials: bodies are not read, of `Authorization` only the scheme is kept, and query values
are left out.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("xdrlab.requests")

NOTABLE_HEADERS = (
    "accept",
    "content-type",
    "user-agent",
    "useragent",  # msticpy's spelling
    "x-client-sku",
    "x-client-ver",
    "x-client-os",
    "x-client-current-telemetry",
    "x-ms-lib-capability",
    "client-request-id",
    "x-ms-client-request-id",
    "x-anchormailbox",
    "return-client-request-id",
)


def enable_request_log() -> None:
    """Write the request log to stderr (once, however many apps ask)."""
    if any(getattr(h, "xdrlab_request_log", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.xdrlab_request_log = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class RequestLog:
    """ASGI middleware; costs nothing while the log is off."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        status = 0
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            entry = record(scope, status, time.perf_counter() - started)
            log.info(json.dumps(entry, separators=(",", ":")))


def record(scope: Scope, status: int, seconds: float) -> dict[str, object]:
    headers: dict[str, str] = {}
    host = ""
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name == "host":
            host = value
        elif name == "authorization":
            headers[name] = value.split(" ", 1)[0]
        elif name in NOTABLE_HEADERS:
            headers[name] = value
    query = scope.get("query_string", b"").decode("latin-1")
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "listener": _address(scope.get("server")),
        "client": _address(scope.get("client")),
        "host": host,
        "method": scope["method"],
        "path": scope["path"],
        "query": [name for name, _ in parse_qsl(query, keep_blank_values=True)],
        "status": status,
        "ms": round(seconds * 1000, 1),
        "headers": headers,
    }


def _address(pair: object) -> str:
    if isinstance(pair, tuple | list) and len(pair) == 2:
        host, port = pair
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return ""
