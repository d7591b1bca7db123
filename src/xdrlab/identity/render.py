"""The one renderer of token-service errors, in the production body shape."""

from __future__ import annotations

import datetime as dt
import uuid

from starlette.responses import JSONResponse

from xdrlab.identity.errors import IdentityError

NO_CACHE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "Expires": "-1"}


def correlation_id_from(header_value: str | None) -> str:
    """The client's `client-request-id` when it is a GUID (production echoes it), else a new one."""
    if header_value:
        try:
            return str(uuid.UUID(header_value))
        except ValueError:
            pass
    return str(uuid.uuid4())


def error_body(
    error: IdentityError, *, base_url: str, now: dt.datetime, trace_id: str, correlation_id: str
) -> dict[str, object]:
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    code = error.entry.code
    body: dict[str, object] = {
        "error": error.entry.error,
        "error_description": f"AADSTS{code}: {error.description}\r\nTrace ID: {trace_id}"
        f"\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}",
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"{base_url}/error?code={code}",
    }
    if error.entry.suberror:
        body["suberror"] = error.entry.suberror
    return body


def error_response(
    error: IdentityError, *, base_url: str, now: dt.datetime, trace_id: str, correlation_id: str
) -> JSONResponse:
    body = error_body(
        error, base_url=base_url, now=now, trace_id=trace_id, correlation_id=correlation_id
    )
    headers = {**NO_CACHE, "x-ms-request-id": trace_id, "client-request-id": correlation_id}
    return JSONResponse(body, status_code=error.entry.status, headers=headers)
