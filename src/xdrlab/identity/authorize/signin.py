"""Checking a user's name and password on the sign-in page, with smart-lockout-like counting.

After `LOCKOUT_THRESHOLD` wrong passwords in a row the account is locked for `LOCKOUT_DURATION`;
every further wrong password once the lock has expired locks it again, and a right password
resets the count. A locked account is refused even with the right password (AADSTS50053).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity import errors
from xdrlab.identity.credentials import password_matches
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.roles import DIRECTORY_ROLES
from xdrlab.store.models import Tenant, User

LOCKOUT_THRESHOLD = 10
LOCKOUT_DURATION = dt.timedelta(minutes=1)
# Roles that may grant consent for the whole tenant (and so approve any app).
CONSENT_ADMIN_ROLES = frozenset({"Global Administrator"})
assert set(DIRECTORY_ROLES) >= CONSENT_ADMIN_ROLES


def find_user(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.user_principal_name == login.strip().lower()))


def check_user(session: Session, tenant: Tenant | None, login: str) -> User:
    """The user a sign-in name names, in `tenant` when the request named one (else anywhere).
    Raises AADSTS50034 when there is no such user there."""
    user = find_user(session, login)
    if user is None or (tenant is not None and user.tenant_id != tenant.id):
        label = tenant.display_name if tenant is not None else "organizations"
        raise errors.USER_NOT_FOUND(f"no user {login!r}", tenant=label)
    return user


def check_password(
    session: Session, clock: Clock, tenant: Tenant | None, login: str, password: str
) -> User:
    """The user, once the password is right and the account may sign in. Raises the AADSTS
    error the page shows (50034, 50057, 50053, 50126); failures are counted (the caller
    commits either way)."""
    user = check_user(session, tenant, login)
    now = clock.now()
    if not user.account_enabled:
        raise errors.ACCOUNT_DISABLED(f"user {user.user_principal_name} is disabled")
    if user.locked_until is not None and user.locked_until > now:
        raise errors.ACCOUNT_LOCKED(f"locked until {user.locked_until.isoformat()}")
    if not password_matches(password, user.password_hash):
        user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
        if user.failed_sign_ins >= LOCKOUT_THRESHOLD:
            user.locked_until = now + LOCKOUT_DURATION
        session.flush()
        raise errors.INVALID_USERNAME_OR_PASSWORD(
            f"wrong password for {user.user_principal_name} ({user.failed_sign_ins} in a row)"
        )
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    return user


def can_consent_for_tenant(user: User) -> bool:
    return any(role in CONSENT_ADMIN_ROLES for role in user.roles or [])


def can_consent(tenant: Tenant, user: User) -> bool:
    """Whether the user may consent for themselves: the tenant lets users consent, or they are
    an admin who may consent for everyone."""
    return bool(tenant.users_can_consent) or can_consent_for_tenant(user)


def page_message(error: IdentityError) -> str:
    """What the sign-in page says for a credential error (production's page wording)."""
    return _PAGE_MESSAGES.get(error.entry.code, error.description)


_PAGE_MESSAGES = {
    50034: "We couldn't find an account with that username. Check it and try again, or ask "
    "your admin to add you to the organisation.",
    50126: "Your account or password is incorrect.",
    50053: "Your account is temporarily locked to prevent unauthorized use. Try again later.",
    50057: "Your account has been disabled. Contact your admin to enable it, then try again.",
}
