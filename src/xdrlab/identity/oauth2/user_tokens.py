"""What every user-context grant does once it knows the user: check consent, mint the delegated
access token, the id_token and client_info, start or continue a refresh-token family, and shape
the v1 or v2 response."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity import errors, scopes
from xdrlab.identity.catalogue import MICROSOFT_GRAPH
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2.artifacts import artifact_hash, new_artifact
from xdrlab.identity.oauth2.client_auth import AuthenticatedClient
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.identity.oauth2.resources import RequestedResource
from xdrlab.identity.oauth2.responses import user_token_response
from xdrlab.identity.oidc.id_token import client_info, id_token
from xdrlab.identity.scopes import RequestedScopes
from xdrlab.identity.tokens import delegated_claims, sign
from xdrlab.store.models import RefreshToken, User, new_guid

# Production: refresh tokens stay usable for 90 days of inactivity; each use rotates them.
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=90)


def requested_from(
    request: TokenRequest, *, client_name: str, fallback: RequestedScopes | None = None
) -> RequestedScopes:
    """What the token request asks for (`scope` on v2, `resource` on v1); a grant that
    recorded what was asked earlier (code, device code, refresh token) passes it as
    `fallback` for requests that leave the parameter out."""
    label = request.tenant.segment
    if request.version == 2:
        if request.get("resource") is not None:
            raise errors.RESOURCE_NOT_SUPPORTED_V2()
        scope = request.get("scope")
        if scope is None and fallback is not None:
            return fallback
        return scopes.parse_scope(scope, tenant_label=label, client_name=client_name)
    resource = request.get("resource")
    if resource is None and fallback is not None:
        return fallback
    if resource is None:
        raise errors.MISSING_PARAMETER(name="resource")
    return scopes.from_resource_parameter(resource, request.get("scope"), tenant_label=label)


def stored_items(requested: RequestedScopes) -> list[str]:
    """How a refresh token records what it was issued for: v2 scope items; a v1 `resource`
    becomes `<resource>/.default`, which means the same."""
    if requested.version == 2 or requested.resource is None:
        return list(requested.items)
    return [f"{requested.audience}/.default", *requested.oidc]


def revoke_family(session: Session, clock: Clock, family_id: str) -> None:
    """Revoke every refresh token of a family (code replay, refresh-token reuse)."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def issue_refresh_token(
    session: Session,
    clock: Clock,
    *,
    family_id: str,
    tenant_id: str,
    client_id: str,
    user_id: str,
    items: list[str],
    auth_time: dt.datetime,
) -> str:
    value = new_artifact(48)
    now = clock.now()
    session.add(
        RefreshToken(
            token_hash=artifact_hash(value),
            family_id=family_id,
            tenant_id=tenant_id,
            client_id=client_id,
            user_id=user_id,
            scopes=items,
            auth_time=auth_time,
            created_at=now,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
        )
    )
    session.flush()
    return value


def mint(
    ctx: IdentityContext,
    session: Session,
    request: TokenRequest,
    *,
    client: AuthenticatedClient,
    user: User,
    requested: RequestedScopes,
    auth_time: dt.datetime,
    nonce: str | None = None,
    family_id: str | None = None,
    always_refresh_token: bool = False,
    audit: dict[str, Any] | None = None,
) -> GrantResult:
    """The token response for `user`: raises AADSTS65001 (`consent_required`) when the scopes
    were not consented. A refresh token is returned for `offline_access` (v2) or always (v1,
    and the refresh grant), in the family `family_id` (a new one when None)."""
    tenant = client.tenant
    app = client.app
    scp = scopes.granted_scp(session, tenant, app, user, requested)
    if requested.resource is not None:
        target = RequestedResource(requested.resource, requested.audience or "")
    else:  # sign-in only: Microsoft Graph with the OIDC scopes, as production does
        target = RequestedResource(MICROSOFT_GRAPH, MICROSOFT_GRAPH.identifier_uris[0])
        scp = [s for s in requested.oidc if s != "offline_access"]
    claims = delegated_claims(
        ctx,
        tenant_id=tenant.id,
        client_id=app.app_id,
        acr=client.acr,
        user=user,
        requested=target,
        scp=scp,
    )
    access = sign(ctx, claims, token_version=target.resource.token_version)

    refresh = None
    family_id = family_id or new_guid()
    if always_refresh_token or requested.wants_refresh_token:
        refresh = issue_refresh_token(
            session,
            ctx.clock,
            family_id=family_id,
            tenant_id=tenant.id,
            client_id=app.app_id,
            user_id=user.id,
            items=stored_items(requested),
            auth_time=auth_time,
        )
    identity = None
    if requested.wants_id_token:
        identity = id_token(
            ctx,
            endpoint_version=request.version,
            tenant_id=tenant.id,
            client_id=app.app_id,
            user=user,
            nonce=nonce,
            auth_time=auth_time,
            email="email" in requested.oidc,
        )
    info = client_info(user) if request.get("client_info") == "1" else None
    body = user_token_response(
        request.version,
        access,
        resource=target.audience,
        scope=scopes.scope_echo(requested, scp) if requested.resource else " ".join(scp),
        refresh_token=refresh,
        id_token=identity,
        client_info=info,
    )
    return GrantResult(
        body,
        tenant.id,
        app.app_id,
        {
            "resource": target.resource.display_name,
            "audience": target.audience,
            "user": user.user_principal_name,
            "scp": scp,
            "family": family_id if refresh is not None else None,
            "uti": claims["uti"],
            **(audit or {}),
        },
    )
