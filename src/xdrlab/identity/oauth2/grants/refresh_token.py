"""The refresh token grant, with rotation and reuse detection.

Each redemption marks the presented token rotated and returns a new one in the same family.
Presenting a rotated token again means two parties hold the family (one of them a thief), so
the whole family is revoked (RFC 9700 section 4.14.2). Production keeps old refresh tokens
valid; real clients always use the newest one, so nothing that works there breaks here.

A refresh token may move to another resource the user consented to (`scope` naming it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from xdrlab.identity import errors, scopes
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2.artifacts import artifact_hash
from xdrlab.identity.oauth2.client_auth import authenticate_client
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.identity.oauth2.user_tokens import (
    REFRESH_TOKEN_LIFETIME,
    mint,
    requested_from,
    revoke_family,
)
from xdrlab.store.models import RefreshToken, Tenant, User


def _stamp(value: dt.datetime) -> str:
    """Production's timestamp in these messages: ISO 8601 with 7 fractional digits and Z."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _span(delta: dt.timedelta) -> str:
    """A .NET TimeSpan as production prints it: `90.00:00:00`."""
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{delta.days}.{hours:02}:{minutes:02}:{seconds:02}"


class RefreshTokenGrant:
    GRANT_TYPES: tuple[str, ...] = ("refresh_token",)

    def __call__(
        self, ctx: IdentityContext, session: Session, request: TokenRequest
    ) -> GrantResult:
        presented = request.require("refresh_token")
        token = session.get(RefreshToken, artifact_hash(presented))
        if token is None:
            raise errors.INVALID_GRANT("unknown refresh token")
        if request.tenant.tenant is not None and request.tenant.tenant.id != token.tenant_id:
            raise errors.GRANT_MALFORMED("refresh token of another tenant", name="refresh_token")
        now = ctx.clock.now()
        if token.revoked_at is not None:
            raise errors.GRANT_REVOKED(
                "refresh token family revoked",
                issued=_stamp(token.created_at),
                revoked=_stamp(token.revoked_at),
            )
        if token.rotated_at is not None:
            revoke_family(session, ctx.clock, token.family_id)
            session.commit()  # the revocation stands although the request fails
            raise errors.GRANT_REVOKED(
                f"rotated refresh token presented again; family {token.family_id} revoked",
                issued=_stamp(token.created_at),
                revoked=_stamp(now),
            )
        tenant = session.get(Tenant, token.tenant_id)
        assert tenant is not None
        client = authenticate_client(ctx, session, request, tenant, allow_public=True)
        if client.app.app_id != token.client_id:
            raise errors.GRANT_MALFORMED(
                f"refresh token issued to {token.client_id}", name="refresh_token"
            )
        if token.expires_at <= now:
            raise errors.REFRESH_TOKEN_EXPIRED(
                issued=_stamp(token.created_at), inactive=_span(REFRESH_TOKEN_LIFETIME)
            )
        user = session.get(User, token.user_id)
        if user is None or not user.account_enabled:
            raise errors.ACCOUNT_DISABLED("user disabled or removed")

        recorded = scopes.stored(
            list(token.scopes), None, request.version, tenant_label=request.tenant.segment
        )
        requested = requested_from(request, client_name=client.app.display_name, fallback=recorded)
        token.rotated_at = now
        session.flush()
        return mint(
            ctx,
            session,
            request,
            client=client,
            user=user,
            requested=requested,
            auth_time=token.auth_time,
            family_id=token.family_id,
            always_refresh_token=True,
            audit={"credential": client.credential_id},
        )
