"""Rendering pages and answers to the client: templates, security headers, redirects and the
auto-submitting `form_post` page."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from xdrlab.identity.authorize.redirect_uris import origin
from xdrlab.identity.authorize.request import Target
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.render import correlation_id_from

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
STATIC_PATH = "/static/identity"
STYLESHEET = f"{STATIC_PATH}/signin.css"


def security_headers(
    form_origins: Iterable[str] = (), script_nonce: str | None = None
) -> dict[str, str]:
    form_action = " ".join(["'self'", *sorted(set(form_origins))])
    script = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'self'; img-src 'self'; script-src {script}; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store, no-cache",
        "Pragma": "no-cache",
    }


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    form_origins: Iterable[str] = (),
) -> Response:
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {"static_url": STYLESHEET, **context},
        status_code=status,
        headers=security_headers(form_origins),
    )
    return response


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def error_page(
    request: Request, now: dt.datetime, error: IdentityError, status: int = 400
) -> Response:
    """The error page: shown for errors that must not go to a redirect URI."""
    return page(
        request,
        "error.html",
        {
            "title": "Sign in error",
            "code": error.entry.code,
            "message": error.description,
            "trace_id": str(uuid.uuid4()),
            "correlation_id": correlation_id_from(request.headers.get("client-request-id")),
            "timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        status=status,
    )


def error_params(
    request: Request, now: dt.datetime, error: IdentityError, state: str | None
) -> dict[str, str]:
    """Error parameters for a redirect URI, as production words them."""
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    trace_id = str(uuid.uuid4())
    correlation_id = correlation_id_from(request.headers.get("client-request-id"))
    params = {
        "error": error.entry.error,
        "error_description": f"AADSTS{error.entry.code}: {error.description}\r\n"
        f"Trace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}",
        "error_uri": f"{base_url(request)}/error?code={error.entry.code}",
    }
    if state is not None:
        params["state"] = state
    return params


def answer(request: Request, target: Target, params: dict[str, str]) -> Response:
    """Deliver `params` to the redirect URI in the requested response mode."""
    if target.response_mode == "form_post":
        nonce = secrets.token_urlsafe(16)
        return TEMPLATES.TemplateResponse(
            request,
            "form_post.html",
            {"action": target.redirect_uri, "fields": list(params.items()), "nonce": nonce},
            headers=security_headers([origin(target.redirect_uri)], script_nonce=nonce),
        )
    query = urlencode(params)
    if target.response_mode == "fragment":
        location = f"{target.redirect_uri}#{query}"
    else:
        joiner = "&" if "?" in target.redirect_uri else "?"
        location = f"{target.redirect_uri}{joiner}{query}"
    return RedirectResponse(location, status_code=302, headers={"Cache-Control": "no-store"})


def redirect_to(location: str, params: dict[str, str]) -> Response:
    joiner = "&" if "?" in location else "?"
    return RedirectResponse(
        f"{location}{joiner}{urlencode(params)}" if params else location,
        status_code=302,
        headers={"Cache-Control": "no-store"},
    )
