"""The exception tree, and the one function that turns an error response into an exception.

Three body shapes reach a client: the Defender API's ``{"error": {"code", "message", "target"}}``,
Graph's ``{"error": {"code", "message", "innerError": {"request-id", ...}}}`` and the token
service's ``{"error", "error_description": "AADSTSnnnn: ...", "error_codes", "trace_id", ...}``.
Each exception keeps the production error code and the request id, which is what a support
ticket asks for.
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx

_REQUEST_ID_HEADERS = ("request-id", "x-ms-request-id", "client-request-id")


class ApiError(Exception):
    """Any failed call: `status` (None for transport failures), the production `code`, the
    `message`, the `request_id` to quote to support, and the parsed `body`."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        parts = [f"{self.status}" if self.status else None, self.code]
        prefix = " ".join(p for p in parts if p)
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"{prefix}: {self.message}{suffix}" if prefix else f"{self.message}{suffix}"


class AuthenticationError(ApiError):
    """401 from the API, or any error from the token service. Token-service errors also carry
    `error_codes` (the AADSTS numbers, e.g. ``[700016]``) and `correlation_id`."""

    def __init__(
        self,
        message: str,
        *,
        error_codes: tuple[int, ...] = (),
        correlation_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.error_codes = error_codes
        self.correlation_id = correlation_id


class PermissionDeniedError(ApiError):
    """403: the token is valid but lacks the role, scope or user right the call needs."""


class NotFoundError(ApiError):
    """404: no such incident, alert or path in the caller's tenant."""


class RateLimitError(ApiError):
    """429 that outlasted the retries; `retry_after` is the server's advised wait in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Diagnostic:
    """Where a query went wrong, as far as the message says (1-based)."""

    message: str
    line: int | None = None
    column: int | None = None


class QueryError(ApiError):
    """The hunting service refused or failed the query (400); `diagnostics` holds the line and
    column the message points at, when it points at one."""

    def __init__(self, message: str, *, diagnostics: tuple[Diagnostic, ...] = (), **kwargs: Any):
        super().__init__(message, **kwargs)
        self.diagnostics = diagnostics


class TransportError(ApiError):
    """The request got no HTTP answer: connection refused, TLS failure, timeout."""


# "… (line 1, column 5)" (xdrlab), "… on line [1,3]" (Log Analytics), "[line:position=1:5]"
# (Kusto), "line 2, position 7".
_POSITIONS = (
    re.compile(r"\(line (\d+), column (\d+)\)"),
    re.compile(r"line \[(\d+),\s*(\d+)\]"),
    re.compile(r"\[line:position=(\d+):(\d+)\]"),
    re.compile(r"line (\d+),? (?:position|column|col) (\d+)", re.IGNORECASE),
)


def parse_diagnostics(message: str) -> tuple[Diagnostic, ...]:
    for pattern in _POSITIONS:
        match = pattern.search(message)
        if match:
            return (Diagnostic(message, int(match.group(1)), int(match.group(2))),)
    return (Diagnostic(message),)


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def request_id_of(response: httpx.Response, body: Any = None) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        if response.headers.get(name):
            return response.headers[name]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            inner = error.get("innerError") or error.get("innererror")
            if isinstance(inner, dict) and isinstance(inner.get("request-id"), str):
                return str(inner["request-id"])
            if isinstance(error.get("target"), str):
                return str(error["target"])
        if isinstance(body.get("trace_id"), str):
            return str(body["trace_id"])
    return None


def token_error(response: httpx.Response) -> AuthenticationError:
    """A token-service error answer (`invalid_client`, `unauthorized_client`, ... with AADSTS)."""
    body = _json(response)
    if not isinstance(body, dict):
        return AuthenticationError(
            f"the token service answered {response.status_code} without a JSON body",
            status=response.status_code,
            request_id=request_id_of(response),
        )
    description = str(body.get("error_description") or body.get("error") or "")
    codes = tuple(c for c in body.get("error_codes") or () if isinstance(c, int))
    return AuthenticationError(
        description.split("\r\n")[0],
        status=response.status_code,
        code=str(body.get("error") or "") or None,
        request_id=request_id_of(response, body),
        body=body,
        error_codes=codes,
        correlation_id=body.get("correlation_id"),
    )


def api_error(response: httpx.Response, *, hunting: bool = False) -> ApiError:
    """The exception for a non-2xx API answer, by status, with the body's code and message."""
    body = _json(response)
    code: str | None = None
    message = response.reason_phrase or f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code")) if error.get("code") is not None else None
        message = str(error.get("message") or message)
    elif isinstance(error, str):  # a token-service shape where an API shape was expected
        code = error
        message = str(body.get("error_description") or error)
    common: dict[str, Any] = {
        "status": response.status_code,
        "code": code,
        "request_id": request_id_of(response, body),
        "body": body,
    }
    status = response.status_code
    if status == 401:
        return AuthenticationError(message, **common)
    if status == 403:
        return PermissionDeniedError(message, **common)
    if status == 404:
        return NotFoundError(message, **common)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after_seconds(response), **common)
    if status == 400 and hunting:
        return QueryError(message, diagnostics=parse_diagnostics(message), **common)
    return ApiError(message, **common)
