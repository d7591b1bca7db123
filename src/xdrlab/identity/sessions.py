"""Browser sessions of the sign-in pages, and the CSRF tokens their forms carry.

The session cookie holds a random id signed with a key derived from the server's master key; the
database keeps only a hash of the id (`BrowserSession`). Signing in always makes a new id (no
session fixation) and revokes the one the browser had. Cookies are HttpOnly, SameSite=Lax,
and Secure when the page was served over TLS.

CSRF: every browser gets a random binding cookie; each form carries an HMAC of it
(a signed double-submit token). A cross-site page can neither read the cookie nor compute the
HMAC. The binding is replaced at sign-in, so a token from before sign-in is no longer valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from xdrlab.clock import Clock
from xdrlab.identity.credentials import b64url
from xdrlab.identity.oauth2.artifacts import artifact_hash, new_artifact
from xdrlab.store.models import BrowserSession, User

SESSION_COOKIE = "xdrlab_session"
CSRF_COOKIE = "xdrlab_csrf"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME = dt.timedelta(hours=12)
COOKIE_PATH = "/"


def _key(master_key: bytes, purpose: str) -> bytes:
    return hmac.new(master_key, f"xdrlab browser {purpose}".encode(), hashlib.sha256).digest()


def _mac(master_key: bytes, purpose: str, value: str) -> str:
    return b64url(hmac.new(_key(master_key, purpose), value.encode(), hashlib.sha256).digest())


def sign(master_key: bytes, value: str) -> str:
    return f"{value}.{_mac(master_key, 'session', value)}"


def unsign(master_key: bytes, signed: str | None) -> str | None:
    if not signed or "." not in signed:
        return None
    value, _, mac = signed.rpartition(".")
    return value if hmac.compare_digest(mac, _mac(master_key, "session", value)) else None


@dataclass
class SignedIn:
    """The browser's live session and its user."""

    row: BrowserSession
    user: User

    @property
    def session_id(self) -> str:
        return self.row.id_hash


def current(
    session: Session, clock: Clock, master_key: bytes, cookie: str | None
) -> SignedIn | None:
    """The live session the cookie names, or None (no cookie, bad signature, unknown, expired,
    revoked, or the user was disabled since)."""
    value = unsign(master_key, cookie)
    if value is None:
        return None
    row = session.get(BrowserSession, artifact_hash(value))
    now = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.account_enabled:
        return None
    row.last_seen_at = now
    return SignedIn(row, user)


def start(
    session: Session, clock: Clock, master_key: bytes, user: User, previous: str | None
) -> tuple[str, SignedIn]:
    """A new session for `user` (after a password check). Returns the cookie value. The session
    the browser had before, if any, is revoked."""
    end(session, clock, master_key, previous)
    value = new_artifact()
    now = clock.now()
    row = BrowserSession(
        id_hash=artifact_hash(value),
        user_id=user.id,
        tenant_id=user.tenant_id,
        auth_time=now,
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return sign(master_key, value), SignedIn(row, user)


def end(session: Session, clock: Clock, master_key: bytes, cookie: str | None) -> bool:
    """Revoke the session the cookie names; True if there was a live one."""
    value = unsign(master_key, cookie)
    if value is None:
        return False
    row = session.get(BrowserSession, artifact_hash(value))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = clock.now()
    session.flush()
    return True


# -- cookies and CSRF ---------------------------------------------------------------------------


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        secure=is_tls(request),
        samesite="lax",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path=COOKIE_PATH, httponly=True, secure=is_tls(request), samesite="lax"
    )


@dataclass
class Csrf:
    """The browser's CSRF binding for this response: `token` goes in forms; `new_binding` is
    set as a cookie when the browser had none (or it was replaced)."""

    binding: str
    token: str
    new_binding: bool


def csrf_for(master_key: bytes, request: Request, *, renew: bool = False) -> Csrf:
    binding = request.cookies.get(CSRF_COOKIE)
    fresh = renew or not binding or len(binding) < 32
    if fresh:
        binding = new_artifact()
    assert binding is not None
    return Csrf(binding, _mac(master_key, "csrf", binding), fresh)


def csrf_valid(master_key: bytes, request: Request, token: str | None) -> bool:
    binding = request.cookies.get(CSRF_COOKIE)
    if not binding or not token:
        return False
    return hmac.compare_digest(token, _mac(master_key, "csrf", binding))


def apply_csrf(request: Request, response: Response, csrf: Csrf) -> None:
    if csrf.new_binding:
        set_cookie(request, response, CSRF_COOKIE, csrf.binding)
