"""Minting access tokens with the claims, header and issuer the platform uses.

Version follows the resource, not the endpoint: first-party APIs such as the Defender XDR API
and Microsoft Graph accept v1 tokens, so a v2-endpoint request still yields a v1-shaped token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import jwt

from xdrlab.identity.context import IdentityContext
from xdrlab.identity.credentials import b64url
from xdrlab.identity.oauth2.resources import RequestedResource
from xdrlab.identity.roles import DIRECTORY_ROLES
from xdrlab.store.models import User


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    claims: dict[str, Any]
    not_before: int
    expires_on: int
    expires_in: int


def app_only_claims(
    ctx: IdentityContext,
    *,
    tenant_id: str,
    client_id: str,
    acr: str,
    service_principal_id: str,
    requested: RequestedResource,
    roles: list[str],
) -> dict[str, Any]:
    """The payload of an application-context token, minus the time claims."""
    v1 = requested.resource.token_version == 1
    issuer = ctx.v1_issuer(tenant_id) if v1 else ctx.v2_issuer(tenant_id)
    claims: dict[str, Any] = {
        "aud": requested.audience if v1 else requested.resource.app_id,
        "iss": issuer,
    }
    if v1:
        claims.update(appid=client_id, appidacr=acr, idp=issuer)
    else:
        claims.update(azp=client_id, azpacr=acr)
    claims.update(idtyp="app", oid=service_principal_id)
    if roles:
        claims["roles"] = roles
    claims.update(
        sub=service_principal_id,
        tid=tenant_id,
        uti=b64url(secrets.token_bytes(16)),
        ver="1.0" if v1 else "2.0",
    )
    return claims


def sign(ctx: IdentityContext, claims: dict[str, Any], *, token_version: int) -> IssuedToken:
    """Add `iat`/`nbf` (backdated, as production does) and `exp`, and sign with the current key."""
    now = ctx.clock.now()
    lifetime = ctx.settings.access_token_lifetime_seconds
    issued = int(now.timestamp())
    not_before = issued - ctx.settings.token_backdate_seconds
    expires_on = issued + lifetime
    timed = {k: v for k, v in claims.items() if k not in ("aud", "iss")}
    payload = {
        "aud": claims["aud"],
        "iss": claims["iss"],
        "iat": not_before,
        "nbf": not_before,
        "exp": expires_on,
        **timed,
    }
    key = ctx.keys.current()
    headers = {"typ": "JWT", "kid": key.kid}
    if token_version == 1:
        headers["x5t"] = key.kid
    token = jwt.encode(payload, key.private_key, algorithm="RS256", headers=headers)
    return IssuedToken(token, payload, not_before, expires_on, lifetime)


def pairwise_subject(user_id: str, client_id: str) -> str:
    """`sub` of user tokens: stable for one user and one app, different across apps."""
    digest = hashlib.sha256(f"{user_id.lower()}:{client_id.lower()}".encode()).digest()
    return b64url(digest)


def delegated_claims(
    ctx: IdentityContext,
    *,
    tenant_id: str,
    client_id: str,
    acr: str,
    user: User,
    requested: RequestedResource,
    scp: list[str],
) -> dict[str, Any]:
    """The payload of a user-context (delegated) token, minus the time claims: `scp` holds the
    consented scope values, `wids` the user's directory role template ids."""
    v1 = requested.resource.token_version == 1
    issuer = ctx.v1_issuer(tenant_id) if v1 else ctx.v2_issuer(tenant_id)
    claims: dict[str, Any] = {
        "aud": requested.audience if v1 else requested.resource.app_id,
        "iss": issuer,
    }
    if v1:
        claims.update(acr="1", amr=["pwd"], appid=client_id, appidacr=acr)
    else:
        claims.update(azp=client_id, azpacr=acr)
    claims.update(idtyp="user", name=user.display_name, oid=user.id)
    if not v1:
        claims["preferred_username"] = user.user_principal_name
    claims.update(
        scp=" ".join(scp),
        sub=pairwise_subject(user.id, client_id),
        tid=tenant_id,
    )
    if v1:
        claims.update(unique_name=user.user_principal_name, upn=user.user_principal_name)
    claims.update(uti=b64url(secrets.token_bytes(16)), ver="1.0" if v1 else "2.0")
    wids = [DIRECTORY_ROLES[role] for role in user.roles if role in DIRECTORY_ROLES]
    if wids:
        claims["wids"] = wids
    return claims
