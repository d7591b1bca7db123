"""The token endpoint (v1 `/{tenant}/oauth2/token`, v2 `/{tenant}/oauth2/v2.0/token`).

Steps, in the order production applies them:
  resolve tenant -> parse form -> select grant -> (grant: version checks -> find client ->
  authenticate client -> resolve resource -> authorise -> mint) -> audit -> respond no-store.
"""

from __future__ import annotations

import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab.identity import audit, errors
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.cached_client_credentials import issue_from_cache
from xdrlab.identity.oauth2.grants.authorization_code import AuthorizationCodeGrant
from xdrlab.identity.oauth2.grants.base import Grant, GrantResult
from xdrlab.identity.oauth2.grants.client_credentials import ClientCredentialsGrant
from xdrlab.identity.oauth2.grants.device_code import DeviceCodeGrant
from xdrlab.identity.oauth2.grants.password import PasswordGrant
from xdrlab.identity.oauth2.grants.refresh_token import RefreshTokenGrant
from xdrlab.identity.oauth2.request import TokenRequest, parse_basic, parse_form
from xdrlab.identity.render import NO_CACHE, correlation_id_from, error_response
from xdrlab.identity.tenant_path import resolve_tenant_segment

GRANTS: dict[str, Grant] = {
    name: grant
    for grant in (
        ClientCredentialsGrant(),
        AuthorizationCodeGrant(),
        RefreshTokenGrant(),
        DeviceCodeGrant(),
        PasswordGrant(),
    )
    for name in grant.GRANT_TYPES
}


def handle_token_request(
    ctx: IdentityContext,
    *,
    version: int,
    segment: str,
    content_type: str | None,
    body: bytes,
    authorization: str | None,
    base_url: str,
    correlation_id: str,
) -> GrantResult:
    """Run one token request to completion: a result, or an IdentityError (audited either way)."""
    with ctx.sessions() as session:
        tenant_id: str | None = None
        form: dict[str, str] = {}
        try:
            tenant = resolve_tenant_segment(session, segment)
            tenant_id = tenant.tenant.id if tenant.tenant else None
            form = parse_form(content_type, body)
            grant_type = form.get("grant_type") or None
            if grant_type is None:
                raise errors.MISSING_PARAMETER(name="grant_type")
            grant = GRANTS.get(grant_type)
            if grant is None:
                raise errors.UNSUPPORTED_GRANT_TYPE(grant_type=grant_type)
            request = TokenRequest(
                version=version,
                tenant=tenant,
                form=form,
                base_url=base_url,
                correlation_id=correlation_id,
                basic_credentials=parse_basic(authorization),
            )
            result = grant(ctx, session, request)
            audit.record(
                session,
                ctx.clock,
                **result.issued_event(
                    grant_type=grant_type, version=version, correlation_id=correlation_id
                ),
            )
            session.commit()
            return result
        except IdentityError as error:
            session.rollback()
            audit.record(
                session,
                ctx.clock,
                category="SignIn",
                activity="Token refused",
                tenant_id=tenant_id,
                actor=form.get("client_id", ""),
                result="failure",
                correlation_id=correlation_id,
                message=f"AADSTS{error.entry.code}",
                reason=error.detail,
                grant_type=form.get("grant_type", ""),
                endpoint=f"v{version}",
            )
            session.commit()
            raise


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def token_endpoint(request: Request) -> Response:
    ctx: IdentityContext = request.app.state.identity
    version = 2 if "/v2.0/" in request.scope["path"] else 1
    correlation_id = correlation_id_from(request.headers.get("client-request-id"))
    trace_id = str(uuid.uuid4())
    try:
        if request.method != "POST":
            raise errors.POST_REQUIRED(method=request.method)
        body = await request.body()
        segment = request.path_params["tenant"]
        content_type = request.headers.get("content-type")
        authorization = request.headers.get("authorization")
        # Client credentials with a secret, from the directory cache; None for anything else
        # (including every refusal), which the full path then handles.
        result = await issue_from_cache(
            ctx,
            version=version,
            segment=segment,
            content_type=content_type,
            body=body,
            authorization=authorization,
            correlation_id=correlation_id,
        )
        if result is None:
            result = await run_in_threadpool(
                handle_token_request,
                ctx,
                version=version,
                segment=segment,
                content_type=content_type,
                body=body,
                authorization=authorization,
                base_url=_base_url(request),
                correlation_id=correlation_id,
            )
    except IdentityError as error:
        return error_response(
            error,
            base_url=_base_url(request),
            now=ctx.clock.now(),
            trace_id=trace_id,
            correlation_id=correlation_id,
        )
    headers = {**NO_CACHE, "x-ms-request-id": trace_id, "client-request-id": correlation_id}
    return JSONResponse(result.body, headers=headers)
