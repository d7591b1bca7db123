"""Error bodies of the two API surfaces, rendered in one place.

The Defender API (`/api/...`) answers ``{"error": {"code", "message", "target"}}`` where
`target` is a per-request tracking id. Microsoft Graph (`/v1.0/...`, `/beta/...`) answers
``{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}``.
Clients (msticpy among them) read ``error.message`` from every non-2xx answer, so every error
path — our checks, framework validation, unknown routes — goes through `render`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse


class Surface(Enum):
    DEFENDER = "defender"
    GRAPH = "graph"


GRAPH_PREFIXES = ("/v1.0/", "/beta/")


def surface_of(request: Request) -> Surface:
    path = request.url.path
    return Surface.GRAPH if path.startswith(GRAPH_PREFIXES) else Surface.DEFENDER


class ApiError(Exception):
    """An answer other than success, with the production status, code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def request_id(request: Request) -> str:
    """One id per request, shared by the error body and the response headers."""
    existing = getattr(request.state, "request_id", None)
    if isinstance(existing, str):
        return existing
    new = str(uuid.uuid4())
    request.state.request_id = new
    return new


def render(request: Request, error: ApiError) -> JSONResponse:
    rid = request_id(request)
    if surface_of(request) is Surface.GRAPH:
        client_rid = request.headers.get("client-request-id") or rid
        body = {
            "error": {
                "code": error.code,
                "message": error.message,
                "innerError": {
                    "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": rid,
                    "client-request-id": client_rid,
                },
            }
        }
        headers = {"request-id": rid, "client-request-id": client_rid}
    else:
        body = {"error": {"code": error.code, "message": error.message, "target": rid}}
        headers = {}
    return JSONResponse(body, status_code=error.status, headers={**headers, **error.headers})


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NotFound", message)


class _DefenderError(BaseModel):
    code: str
    message: str
    target: str


class DefenderErrorBody(BaseModel):
    """`{"error": {"code", "message", "target"}}`"""

    error: _DefenderError


class _GraphInnerError(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    date: str
    request_id: str = Field(alias="request-id")
    client_request_id: str = Field(alias="client-request-id")


class _GraphError(BaseModel):
    code: str
    message: str
    innerError: _GraphInnerError


class GraphErrorBody(BaseModel):
    """`{"error": {"code", "message", "innerError": {...}}}`"""

    error: _GraphError


def _documented(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The request or the query is not valid.",
        401: "The access token is missing or not valid.",
        403: "The token lacks the permission the operation needs.",
        404: "No such resource in the caller's tenant.",
        405: "The method is not supported on this path.",
        429: "A call quota was exceeded; `Retry-After` says when to try again.",
        500: "A fault of the server.",
    }
    return {status: {"model": model, "description": text} for status, text in described.items()}


DEFENDER_ERRORS = _documented(DefenderErrorBody)
GRAPH_ERRORS = _documented(GraphErrorBody)
