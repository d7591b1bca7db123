"""Users of a tenant: sign-in names, argon2 password hashes, directory roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity.credentials import hash_password
from xdrlab.identity.roles import DIRECTORY_ROLES, canonical_role
from xdrlab.identity.tenants import DirectoryError
from xdrlab.store.models import BrowserSession, RefreshToken, Tenant, User


def _roles(names: list[str]) -> list[str]:
    roles = []
    for name in names:
        role = canonical_role(name)
        if role is None:
            known = ", ".join(DIRECTORY_ROLES)
            raise DirectoryError(f"unknown role '{name}' (known roles: {known})")
        roles.append(role)
    return sorted(set(roles))


def create_user(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    upn: str,
    password: str,
    *,
    display_name: str = "",
    roles: list[str] | None = None,
) -> User:
    upn = upn.strip().lower()
    local, _, domain = upn.partition("@")
    if not local or domain not in {d.name for d in tenant.domains}:
        verified = ", ".join(d.name for d in tenant.domains)
        raise DirectoryError(f"'{upn}' must end in one of the tenant's domains ({verified})")
    if session.scalar(select(User).where(User.user_principal_name == upn)) is not None:
        raise DirectoryError(f"user '{upn}' already exists")
    if len(password) < 8:
        raise DirectoryError("passwords need at least 8 characters")
    user = User(
        tenant_id=tenant.id,
        user_principal_name=upn,
        display_name=display_name or local,
        password_hash=hash_password(password),
        roles=_roles(roles or []),
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def set_roles(session: Session, user: User, roles: list[str]) -> None:
    user.roles = _roles(roles)
    session.flush()


def list_users(session: Session, tenant: Tenant) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.tenant_id == tenant.id).order_by(User.user_principal_name)
        )
    )


def require_user(session: Session, upn: str) -> User:
    user = session.scalar(select(User).where(User.user_principal_name == upn.strip().lower()))
    if user is None:
        raise DirectoryError(f"no user '{upn}'")
    return user


def revoke_sessions(session: Session, clock: Clock, user: User) -> tuple[int, int]:
    """Sign the user out everywhere: revoke their browser sessions and every refresh token
    issued to them (revokeSignInSessions). Returns (sessions, refresh tokens) revoked."""
    now = clock.now()
    browsers = session.scalars(
        select(BrowserSession).where(
            BrowserSession.user_id == user.id, BrowserSession.revoked_at.is_(None)
        )
    ).all()
    tokens = session.scalars(
        select(RefreshToken).where(
            RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None)
        )
    ).all()
    for browser in browsers:
        browser.revoked_at = now
    for token in tokens:
        token.revoked_at = now
    session.flush()
    return len(browsers), len(tokens)
