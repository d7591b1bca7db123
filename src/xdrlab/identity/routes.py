"""HTTP routes of the identity platform: token endpoints, discovery, JWKS, error pages."""

from __future__ import annotations

import html
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from xdrlab.identity import errors
from xdrlab.identity.cloud_metadata import metadata_endpoint
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.device_authorization import device_authorization_endpoint
from xdrlab.identity.oauth2.token_endpoint import token_endpoint
from xdrlab.identity.oidc import discovery
from xdrlab.identity.pages.routes import ROUTES as PAGE_ROUTES
from xdrlab.identity.render import correlation_id_from, error_response
from xdrlab.identity.tenant_path import resolve_tenant_segment
from xdrlab.identity.tenants import TenantRef
from xdrlab.identity.userrealm import userrealm_endpoint

DISCOVERY_HEADERS = {
    "Cache-Control": "max-age=86400, private",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
}

Builder = Callable[[IdentityContext, str, TenantRef], dict[str, object]]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _refusal(request: Request, error: IdentityError) -> Response:
    ctx: IdentityContext = request.app.state.identity
    return error_response(
        error,
        base_url=_base(request),
        now=ctx.clock.now(),
        trace_id=str(uuid.uuid4()),
        correlation_id=correlation_id_from(request.headers.get("client-request-id")),
    )


async def _tenant(request: Request, segment: str) -> TenantRef:
    ctx: IdentityContext = request.app.state.identity

    def resolve() -> TenantRef:
        with ctx.sessions() as session:
            ref = resolve_tenant_segment(session, segment)
            if ref.tenant is not None:  # load what the documents need before the session ends
                _ = [d.name for d in ref.tenant.domains]
            return ref

    return await run_in_threadpool(resolve)


def _document(build: Builder) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            ref = await _tenant(request, request.path_params["tenant"])
        except IdentityError as error:
            return _refusal(request, error)
        body = build(request.app.state.identity, _base(request), ref)
        return JSONResponse(body, headers=DISCOVERY_HEADERS)

    return endpoint


def _jwks(version: int) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        ctx: IdentityContext = request.app.state.identity
        try:
            ref = await _tenant(request, request.path_params["tenant"])
        except IdentityError as error:
            return _refusal(request, error)
        issuer = None
        if version == 2:
            issuer = ctx.v2_issuer(ref.tenant.id if ref.tenant else discovery.TEMPLATE)
        keys = await run_in_threadpool(ctx.keys.jwks, issuer)
        return JSONResponse(keys, headers=DISCOVERY_HEADERS)

    return endpoint


async def instance_discovery(request: Request) -> Response:
    """Answers for this host only; any other authority is `invalid_instance`, as production
    answers for hosts it does not serve. Host names are compared without the port: MSAL drops
    the port when it builds the `authorization_endpoint` it asks about."""
    authorization_endpoint = request.query_params.get("authorization_endpoint", "")
    url = urlsplit(authorization_endpoint)
    base = _base(request)
    if (url.hostname or "").lower() != (urlsplit(base).hostname or "").lower():
        return _refusal(
            request, errors.INVALID_INSTANCE(f"unknown authority {authorization_endpoint!r}")
        )
    segment = url.path.strip("/").split("/", 1)[0] or "common"
    return JSONResponse(discovery.instance_metadata(base, segment), headers=DISCOVERY_HEADERS)


async def error_page(request: Request) -> Response:
    """Where `error_uri` points: the catalogue entry for a code, in words."""
    code = request.query_params.get("code", "")
    entries = [
        e for e in vars(errors).values() if isinstance(e, errors.Aadsts) and str(e.code) == code
    ]
    if not entries:
        body = f"<p>No error with code {html.escape(code)} is known.</p>"
    else:
        items = "".join(
            f"<li><code>{html.escape(e.error)}</code>: {html.escape(e.message)}</li>"
            for e in entries
        )
        body = f"<h1>AADSTS{html.escape(code)}</h1><ul>{items}</ul>"
    page = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>Error lookup</title>{body}</html>"
    )
    return HTMLResponse(page, status_code=200 if entries else 404)


ROUTES = [
    *PAGE_ROUTES,
    Route("/{tenant}/oauth2/token", token_endpoint, methods=["POST", "GET"]),
    Route("/{tenant}/oauth2/v2.0/token", token_endpoint, methods=["POST", "GET"]),
    Route("/{tenant}/oauth2/devicecode", device_authorization_endpoint, methods=["POST", "GET"]),
    Route(
        "/{tenant}/oauth2/v2.0/devicecode", device_authorization_endpoint, methods=["POST", "GET"]
    ),
    Route("/common/userrealm/{user}", userrealm_endpoint, methods=["GET"]),
    Route("/common/UserRealm/{user}", userrealm_endpoint, methods=["GET"]),
    Route(
        "/{tenant}/.well-known/openid-configuration",
        _document(discovery.openid_configuration_v1),
        methods=["GET"],
    ),
    Route(
        "/{tenant}/v2.0/.well-known/openid-configuration",
        _document(discovery.openid_configuration_v2),
        methods=["GET"],
    ),
    Route("/{tenant}/discovery/keys", _jwks(1), methods=["GET"]),
    Route("/{tenant}/discovery/v2.0/keys", _jwks(2), methods=["GET"]),
    Route("/common/discovery/instance", instance_discovery, methods=["GET"]),
    Route("/metadata/endpoints", metadata_endpoint, methods=["GET"]),
    Route("/error", error_page, methods=["GET"]),
]
