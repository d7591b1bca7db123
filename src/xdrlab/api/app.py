"""Mounting the Defender API and the Graph security API on the server's ASGI app.

Every failure on an API path — our own checks, request validation by the framework, unknown
routes and methods — leaves through `errors.render`, so clients always get the production body.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab.api.context import build_api_context
from xdrlab.api.errors import GRAPH_PREFIXES, ApiError, Surface, render, surface_of
from xdrlab.api.hunting import defender_router as defender_hunting
from xdrlab.api.hunting import endpoint_router as endpoint_hunting
from xdrlab.api.hunting import graph_router as graph_hunting
from xdrlab.api.incidents.defender_routes import router as defender_incidents
from xdrlab.api.incidents.graph_routes import router as graph_security
from xdrlab.identity.context import IdentityContext
from xdrlab.lake.store import Lake

API_PREFIXES = ("/api/", *GRAPH_PREFIXES)


def install_api(app: FastAPI, identity: IdentityContext, lake: Lake) -> None:
    app.state.api = build_api_context(identity, lake)
    app.include_router(defender_hunting)
    app.include_router(endpoint_hunting)
    app.include_router(defender_incidents)
    for version in ("/v1.0", "/beta"):
        app.include_router(graph_hunting, prefix=version)
        app.include_router(graph_security, prefix=version)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return render(request, exc)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    first = problems[0] if problems else {}
    location = [str(part) for part in first.get("loc", ()) if part != "body"]
    where = location[0] if location else "body"
    if first.get("loc", ())[:1] == ("body",):
        if where in ("Query", "query") and first.get("type") == "missing":
            return render(request, ApiError(400, "InvalidRequestBody", "Missing query."))
        detail = first.get("msg", "the body is not valid JSON")
        code = "BadRequest" if surface_of(request) is Surface.GRAPH else "InvalidRequestBody"
        return render(request, ApiError(400, code, f"Invalid request body: '{where}': {detail}."))
    name = where if location else "request"
    code = "BadRequest" if surface_of(request) is Surface.GRAPH else "InvalidInput"
    return render(request, ApiError(400, code, f"Invalid input {name}: {first.get('msg', '')}."))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(API_PREFIXES) and request.url.path != "/api":
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 404:
        error = ApiError(404, "NotFound", f"Resource '{request.url.path}' wasn't found.")
    elif exc.status_code == 405:
        error = ApiError(
            405, "MethodNotAllowed", f"The HTTP method '{request.method}' is not supported."
        )
    else:
        error = ApiError(exc.status_code, "BadRequest", str(exc.detail))
    return render(request, error)
