"""The device code grant (RFC 8628 section 3.4): the device polls until the user approved.

Both spellings are accepted: `urn:ietf:params:oauth:grant-type:device_code` (MSAL Python, which
also repeats the value as `code`) and plain `device_code` (msal-node, v1 pollers). Polling
faster than the interval answers `slow_down` and adds five seconds to it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from xdrlab.identity import device, errors, scopes
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2.client_auth import authenticate_client, requested_client_id
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.identity.oauth2.user_tokens import mint, requested_from
from xdrlab.store.models import Tenant, User

# Polls this much earlier than the interval are still fine (timers and network jitter).
_POLL_TOLERANCE = dt.timedelta(seconds=1)


class DeviceCodeGrant:
    GRANT_TYPES: tuple[str, ...] = ("urn:ietf:params:oauth:grant-type:device_code", "device_code")

    def __call__(
        self, ctx: IdentityContext, session: Session, request: TokenRequest
    ) -> GrantResult:
        value = request.get("device_code") or request.get("code")
        if value is None:
            raise errors.MISSING_PARAMETER(name="device_code")
        row = device.find_by_device_code(session, value)
        if row is None or row.client_id != requested_client_id(request).lower():
            raise errors.GRANT_MALFORMED("unknown device code", name="device_code")
        now = ctx.clock.now()
        if row.expires_at <= now:
            raise errors.DEVICE_CODE_EXPIRED(f"expired at {row.expires_at.isoformat()}")
        if row.status == "redeemed":
            raise errors.GRANT_MALFORMED("device code already redeemed", name="device_code")
        if row.status == "declined":
            raise errors.DEVICE_DECLINED("the user declined")
        if row.status == "pending":
            interval = dt.timedelta(seconds=row.interval_seconds)
            too_fast = (
                row.last_polled_at is not None
                and now - row.last_polled_at < interval - _POLL_TOLERANCE
            )
            row.last_polled_at = now
            if too_fast:
                row.interval_seconds += 5
            session.commit()  # polling state outlives the refusal
            if too_fast:
                raise errors.DEVICE_SLOW_DOWN(
                    "polled before the interval elapsed", interval=str(row.interval_seconds)
                )
            raise errors.DEVICE_AUTHORIZATION_PENDING()

        assert row.status == "approved" and row.user_id and row.approved_tenant_id
        if request.tenant.tenant is not None and request.tenant.tenant.id != row.approved_tenant_id:
            raise errors.GRANT_MALFORMED("approved in another tenant", name="device_code")
        tenant = session.get(Tenant, row.approved_tenant_id)
        user = session.get(User, row.user_id)
        assert tenant is not None
        if user is None or not user.account_enabled:
            raise errors.ACCOUNT_DISABLED("user disabled or removed since approval")
        client = authenticate_client(ctx, session, request, tenant, allow_public=True)
        recorded = scopes.stored(
            list(row.scopes), row.resource, row.endpoint_version, tenant_label=tenant.id
        )
        requested = requested_from(request, client_name=client.app.display_name, fallback=recorded)
        row.status = "redeemed"
        session.flush()
        return mint(
            ctx,
            session,
            request,
            client=client,
            user=user,
            requested=requested,
            auth_time=row.auth_time or now,
            audit={"credential": client.credential_id, "user_code": row.user_code},
        )
