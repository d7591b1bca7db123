"""Device authorization (RFC 8628): the device asks for a code pair, the user enters the short
`user_code` on the device page (`/devicelogin`) and signs in there, the device polls the token
endpoint with `device_code` until the user approved or declined, or the code expired.

Only a hash of `device_code` is stored; `user_code` is short and typed by people, so it is kept
as is, but it only works while its device authorization is pending and unexpired."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock, SystemClock
from xdrlab.identity.oauth2.artifacts import artifact_hash, new_artifact
from xdrlab.store.models import DeviceCode, User

DEVICE_CODE_LIFETIME = dt.timedelta(minutes=15)
POLL_INTERVAL_SECONDS = 5
USER_CODE_LENGTH = 9
# Production's user codes are nine upper-case letters and digits; leaving out the characters
# people confuse (0/O, 1/I/L) keeps typed codes from failing.
_USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
VERIFICATION_PATH = "/devicelogin"


class DeviceFlowError(ValueError):
    """A user code that cannot be approved or declined (unknown, expired, already used, or the
    user is not in the tenant the device asked for). The message is fit to show on the page."""


@dataclass(frozen=True)
class NewDeviceCode:
    """A device authorization as created: `device_code` exists in clear only here."""

    row: DeviceCode
    device_code: str
    user_code: str
    expires_in: int
    interval: int


def verification_uri(base_url: str) -> str:
    """Where the user goes to enter the code: xdrlab's own device page."""
    return f"{base_url.rstrip('/')}{VERIFICATION_PATH}"


def normalise_user_code(value: str) -> str:
    """User codes are compared upper-case, without spaces or dashes people may add."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def create(
    session: Session,
    clock: Clock,
    *,
    tenant_id: str | None,
    client_id: str,
    scopes: list[str],
    resource: str | None,
    endpoint_version: int,
) -> NewDeviceCode:
    """Start a device authorization. `tenant_id` is None when the device asked on `/common` or
    `/organizations` (the signed-in user's tenant decides); `scopes` are the `scope` items as
    requested, `resource` the v1 `resource`. The caller commits the session."""
    now = clock.now()
    for _ in range(20):
        user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))
        if session.scalar(select(DeviceCode).where(DeviceCode.user_code == user_code)) is None:
            break
    else:  # pragma: no cover - 31**9 codes; only a table full of live codes gets here
        raise RuntimeError("could not find a free user code")
    device_code = new_artifact(48)
    row = DeviceCode(
        device_code_hash=artifact_hash(device_code),
        user_code=user_code,
        tenant_id=tenant_id,
        client_id=client_id.lower(),
        scopes=list(scopes),
        resource=resource,
        endpoint_version=endpoint_version,
        interval_seconds=POLL_INTERVAL_SECONDS,
        status="pending",
        created_at=now,
        expires_at=now + DEVICE_CODE_LIFETIME,
    )
    session.add(row)
    session.flush()
    return NewDeviceCode(
        row,
        device_code,
        user_code,
        int(DEVICE_CODE_LIFETIME.total_seconds()),
        POLL_INTERVAL_SECONDS,
    )


def find_by_device_code(session: Session, device_code: str) -> DeviceCode | None:
    """The device authorization a polling device names (any status), or None."""
    return session.get(DeviceCode, artifact_hash(device_code))


def find_pending(
    session: Session, user_code: str, *, clock: Clock | None = None
) -> DeviceCode | None:
    """The pending, unexpired device authorization for a user code as typed, or None. The page
    shows the requesting app and scopes from it before the user approves."""
    code = normalise_user_code(user_code)
    if not code:
        return None
    row = session.scalar(select(DeviceCode).where(DeviceCode.user_code == code))
    now = (clock or SystemClock()).now()
    if row is None or row.status != "pending" or row.expires_at <= now:
        return None
    return row


def approve(session: Session, clock: Clock, user_code: str, user: User) -> DeviceCode:
    """The signed-in `user` approves the device: the next poll gets tokens for this user.

    Raises DeviceFlowError when the code is not pending (unknown, expired, used) or when the
    device asked for a specific tenant and the user belongs to another. Consent is not checked
    here: the page decides (see `scopes.missing_consent`) and the token endpoint enforces it."""
    row = find_pending(session, user_code, clock=clock)
    if row is None:
        raise DeviceFlowError(_UNKNOWN)
    if row.tenant_id is not None and row.tenant_id != user.tenant_id:
        raise DeviceFlowError(
            "The signed-in account does not belong to the organisation the device asked for."
        )
    now = clock.now()
    row.status = "approved"
    row.user_id = user.id
    row.approved_tenant_id = user.tenant_id
    row.auth_time = now
    session.flush()
    return row


def decline(session: Session, clock: Clock, user_code: str) -> DeviceCode:
    """The user refused to sign the device in: its next poll gets `authorization_declined`."""
    row = find_pending(session, user_code, clock=clock)
    if row is None:
        raise DeviceFlowError(_UNKNOWN)
    row.status = "declined"
    session.flush()
    return row


_UNKNOWN = "That code didn't work. Check the code and try again."
