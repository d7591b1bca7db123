"""Authorization codes: issued by the authorization endpoint after sign-in (and consent), redeemed
once at the token endpoint. Only a hash of the code is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity.oauth2.artifacts import artifact_hash, new_artifact
from xdrlab.store.models import AuthorizationCode

# Production's codes live about ten minutes.
CODE_LIFETIME = dt.timedelta(minutes=10)


def issue_code(
    session: Session,
    clock: Clock,
    *,
    tenant_id: str,
    client_id: str,
    user_id: str,
    redirect_uri: str,
    scopes: list[str],
    resource: str | None,
    endpoint_version: int,
    nonce: str | None,
    code_challenge: str | None,
    code_challenge_method: str | None,
    session_id: str | None,
    auth_time: dt.datetime,
) -> str:
    """Record a new authorization code and return its value (the only time it exists in clear).

    - `tenant_id`: the signed-in user's tenant (the code is redeemable there, or on an alias);
    - `client_id`: the app id the code was issued to; `user_id`: the user's object id;
    - `redirect_uri`: exactly as the authorize request gave it (redemption must repeat it);
    - `scopes`: the v2 `scope` items as requested (resource scopes, `.default`, OIDC scopes);
      for a v1 request, the `scope` items if any (e.g. `openid`) with `resource` set;
    - `endpoint_version`: 1 for `/oauth2/authorize`, 2 for `/oauth2/v2.0/authorize`;
    - `nonce`: echoed in the id_token; `code_challenge`/`code_challenge_method`: PKCE
      (`S256` or `plain`; a challenge without a method means `plain`, RFC 7636 section 4.3);
    - `session_id`: the browser session (hash or id) the code came from, for auditing;
    - `auth_time`: when the user last entered credentials.

    The caller commits the session."""
    value = new_artifact()
    now = clock.now()
    method = None
    if code_challenge is not None:
        method = code_challenge_method or "plain"
    session.add(
        AuthorizationCode(
            code_hash=artifact_hash(value),
            tenant_id=tenant_id,
            client_id=client_id.lower(),
            user_id=user_id,
            session_id=session_id,
            redirect_uri=redirect_uri,
            scopes=list(scopes),
            resource=resource,
            endpoint_version=endpoint_version,
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=method,
            auth_time=auth_time,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    session.flush()
    return value


def find_code(session: Session, value: str) -> AuthorizationCode | None:
    """The stored code for a presented value (redeemed or not), or None."""
    return session.get(AuthorizationCode, artifact_hash(value))
