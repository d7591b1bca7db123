"""Minting access tokens with the claims, header and issuer the platform uses.

Version follows the resource, not the endpoint: first-party APIs such as the Defender XDR API
and Microsoft Graph accept v1 tokens, so a v2-endpoint request still yields a v1-shaped token.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

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
    token = encode_rs256(payload, key.private_key, key.kid, x5t=token_version == 1)
    return IssuedToken(token, payload, not_before, expires_on, lifetime)


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@functools.lru_cache(maxsize=16)
def _encoded_header(kid: str, x5t: bool) -> bytes:
    """The JOSE header, once per key: sorted keys, compact, as PyJWT writes it."""
    header = {"alg": "RS256", "kid": kid, "typ": "JWT"}
    if x5t:
        header["x5t"] = kid  # v1 tokens name the key twice, as production's do
    return _b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode())


_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def encode_rs256(
    payload: dict[str, Any], private_key: rsa.RSAPrivateKey, kid: str, *, x5t: bool
) -> str:
    """A JWS compact serialization signed RS256 (RFC 7515/7518), byte for byte what
    `jwt.encode(payload, key, "RS256", headers={"typ": "JWT", "kid": kid[, "x5t": kid]})`
    gives, without PyJWT's per-call header assembly and checks: a token request is mostly
    the signature, and this keeps the rest small. Each call signs anew."""
    claims = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = _encoded_header(kid, x5t) + b"." + claims
    signature = private_key.sign(signing_input, _PKCS1V15, _SHA256)
    return (signing_input + b"." + _b64url(signature)).decode()


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
