"""ID tokens for user flows, and the `client_info` MSAL builds accounts from."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from xdrlab.identity.context import IdentityContext
from xdrlab.identity.credentials import b64url
from xdrlab.identity.tokens import pairwise_subject, sign
from xdrlab.store.models import User


def id_token(
    ctx: IdentityContext,
    *,
    endpoint_version: int,
    tenant_id: str,
    client_id: str,
    user: User,
    nonce: str | None,
    auth_time: dt.datetime,
    email: bool,
) -> str:
    """A signed ID token: `aud` is the client, `nonce` is echoed verbatim (MSAL compares it),
    `oid`/`tid`/`sub` name the user; v2 adds `preferred_username`, v1 `upn`/`unique_name`/`amr`.
    The issuer follows the endpoint the client used."""
    v1 = endpoint_version == 1
    claims: dict[str, Any] = {
        "aud": client_id,
        "iss": ctx.v1_issuer(tenant_id) if v1 else ctx.v2_issuer(tenant_id),
    }
    if v1:
        claims["amr"] = ["pwd"]
    claims["auth_time"] = int(auth_time.timestamp())
    if email:
        claims["email"] = user.user_principal_name
    claims["name"] = user.display_name
    if nonce is not None:
        claims["nonce"] = nonce
    claims["oid"] = user.id
    if not v1:
        claims["preferred_username"] = user.user_principal_name
    claims.update(sub=pairwise_subject(user.id, client_id), tid=tenant_id)
    if v1:
        claims.update(unique_name=user.user_principal_name, upn=user.user_principal_name)
    claims.update(uti=b64url(secrets.token_bytes(16)), ver="1.0" if v1 else "2.0")
    return sign(ctx, claims, token_version=endpoint_version).access_token


def client_info(user: User) -> str:
    """base64url `{"uid": <object id>, "utid": <tenant id>}` (MSAL's home account id)."""
    raw = json.dumps({"uid": user.id, "utid": user.tenant_id}, separators=(",", ":"))
    return b64url(raw.encode())
