"""The ASGI application: the token service, the Defender API and the Graph security API."""

from __future__ import annotations

import logging
import os
import uuid

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab import __version__
from xdrlab.api.app import install_api
from xdrlab.identity.routes import ROUTES as IDENTITY_ROUTES
from xdrlab.server.request_log import RequestLog, enable_request_log
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings

SETTINGS_ENVIRONMENT = "XDRLAB_SERVER_SETTINGS"

log = logging.getLogger("xdrlab.server")


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A fault of ours: a generic body with a correlation id, never a stack trace."""
    correlation_id = str(uuid.uuid4())
    log.exception(
        "unhandled error (correlation id %s) on %s %s",
        correlation_id,
        request.method,
        request.url.path,
    )
    return JSONResponse(
        {
            "error": {
                "code": "InternalServerError",
                "message": "An unexpected error occurred. Quote the correlation id when "
                "reporting it.",
                "target": correlation_id,
            }
        },
        status_code=500,
    )


def create_app(state: ServerState) -> FastAPI:
    app = FastAPI(
        title="xdrlab",
        version=__version__,
        description="The Microsoft Defender XDR API and the Microsoft Graph security API, "
        "served by xdrlab.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.server = state
    app.state.identity = state.identity()
    for route in IDENTITY_ROUTES:
        app.router.routes.append(route)
    install_api(app, app.state.identity, state.lake)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(RequestLog)
    if state.settings.request_log:
        enable_request_log()
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process: settings come from the parent through the environment
    (the parent has already migrated the store and made the signing key)."""
    settings = Settings.model_validate_json(os.environ[SETTINGS_ENVIRONMENT])
    return create_app(open_state(settings))
