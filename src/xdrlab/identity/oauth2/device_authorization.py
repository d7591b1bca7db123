"""The device authorization endpoint (`/{tenant}/oauth2/devicecode`, v1, and
`/{tenant}/oauth2/v2.0/devicecode`, v2): a device asks for a user code to show.

v2 answers with `verification_uri` and integer `expires_in`/`interval`; v1 with
`verification_url` and the numbers as strings. The verification URI is xdrlab's own device page.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab.identity import audit, device, errors
from xdrlab.identity.apps import find_app
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.client_auth import find_client, requested_client_id
from xdrlab.identity.oauth2.request import TokenRequest, parse_basic, parse_form
from xdrlab.identity.oauth2.user_tokens import requested_from
from xdrlab.identity.render import NO_CACHE, correlation_id_from, error_response
from xdrlab.identity.tenant_path import resolve_tenant_segment


def _message(uri: str, user_code: str) -> str:
    return (
        f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} "
        "to authenticate."
    )


def start_device_authorization(
    ctx: IdentityContext, session: Session, request: TokenRequest
) -> dict[str, Any]:
    """Check the client and what it asks for, record a pending device code, and build the body."""
    tenant = request.tenant.tenant
    client_id = requested_client_id(request)
    if tenant is not None:
        app, _ = find_client(session, request, tenant)
    else:
        found = find_app(session, client_id)
        if found is None:
            raise errors.APP_NOT_FOUND_IN_TENANT(client_id=client_id, tenant=request.tenant.segment)
        if not found.is_multi_tenant:
            raise errors.SINGLE_TENANT_ON_COMMON(client_id=found.app_id, name=found.display_name)
        if not found.enabled:
            raise errors.APP_DISABLED(client_id=found.app_id, name=found.display_name)
        app = found
    requested = requested_from(request, client_name=app.display_name)
    created = device.create(
        session,
        ctx.clock,
        tenant_id=tenant.id if tenant is not None else None,
        client_id=app.app_id,
        scopes=list(requested.items),
        resource=requested.audience if request.version == 1 else None,
        endpoint_version=request.version,
    )
    uri = device.verification_uri(request.base_url)
    audit.record(
        session,
        ctx.clock,
        category="SignIn",
        activity="Device code issued",
        tenant_id=tenant.id if tenant is not None else None,
        actor=app.app_id,
        correlation_id=request.correlation_id,
        user_code=created.user_code,
        endpoint=f"v{request.version}",
    )
    body: dict[str, Any] = {"user_code": created.user_code, "device_code": created.device_code}
    if request.version == 1:
        body.update(
            verification_url=uri,
            expires_in=str(created.expires_in),
            interval=str(created.interval),
        )
    else:
        body.update(verification_uri=uri, expires_in=created.expires_in, interval=created.interval)
    body["message"] = _message(uri, created.user_code)
    return body


async def device_authorization_endpoint(request: Request) -> Response:
    ctx: IdentityContext = request.app.state.identity
    version = 2 if "/v2.0/" in request.url.path else 1
    correlation_id = correlation_id_from(request.headers.get("client-request-id"))
    trace_id = str(uuid.uuid4())
    base_url = str(request.base_url).rstrip("/")
    body = await request.body()

    def run() -> dict[str, Any]:
        with ctx.sessions() as session:
            tenant = resolve_tenant_segment(session, request.path_params["tenant"])
            token_request = TokenRequest(
                version=version,
                tenant=tenant,
                form=parse_form(request.headers.get("content-type"), body),
                base_url=base_url,
                correlation_id=correlation_id,
                basic_credentials=parse_basic(request.headers.get("authorization")),
            )
            answer = start_device_authorization(ctx, session, token_request)
            session.commit()
            return answer

    try:
        if request.method != "POST":
            raise errors.POST_REQUIRED(method=request.method)
        answer = await run_in_threadpool(run)
    except IdentityError as error:
        return error_response(
            error,
            base_url=base_url,
            now=ctx.clock.now(),
            trace_id=trace_id,
            correlation_id=correlation_id,
        )
    headers = {**NO_CACHE, "x-ms-request-id": trace_id, "client-request-id": correlation_id}
    return JSONResponse(answer, headers=headers)
