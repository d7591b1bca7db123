"""Hashing and comparison of credentials: client secrets, user passwords, certificate thumbprints.

Client secrets are long random strings, so a keyed fast hash (HMAC-SHA256 under the server's
master key) is as strong as a slow hash and keeps the token endpoint fast. User passwords are
chosen by people and get argon2.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography import x509
from cryptography.hazmat.primitives import serialization

_SECRET_ALPHABET = string.ascii_letters + string.digits + "_.~-"
_password_hasher = PasswordHasher()


def new_client_secret() -> str:
    """A 40-character secret shaped like the platform's: 3 characters, a `8Q~` marker, 34 more."""
    pick = secrets.choice
    return (
        "".join(pick(string.ascii_letters + string.digits) for _ in range(3))
        + "8Q~"
        + "".join(pick(_SECRET_ALPHABET) for _ in range(34))
    )


def hash_client_secret(master_key: bytes, secret: str) -> str:
    # hmac.digest: the one-shot C path, same value as hmac.new(...).hexdigest().
    return hmac.digest(master_key, secret.encode(), "sha256").hex()


def client_secret_matches(master_key: bytes, secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_client_secret(master_key, secret), stored_hash)


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def password_matches(password: str, stored_hash: str) -> bool:
    try:
        return bool(_password_hasher.verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def thumbprints(certificate: x509.Certificate) -> tuple[str, str]:
    """(SHA-1, SHA-256) thumbprints of a certificate as upper-case hex, as the portal shows them."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha1(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper()  # noqa: S324


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint_from_header(value: str) -> str | None:
    """Hex thumbprint from an `x5t` / `x5t#S256` header value (padded or not); None if garbled."""
    bare = value.strip().rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw.hex().upper() if len(raw) in (20, 32) else None
