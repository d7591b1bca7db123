"""Bearer artifacts the token service hands out and later takes back (authorization codes,
refresh tokens, device codes, session ids): random values, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets


def new_artifact(nbytes: int = 32) -> str:
    """A fresh unguessable value (URL-safe)."""
    return secrets.token_urlsafe(nbytes)


def artifact_hash(value: str) -> str:
    """How an artifact is looked up: SHA-256 hex. The value is high-entropy, so a fast hash is
    enough; a stolen database holds nothing that can be replayed."""
    return hashlib.sha256(value.encode()).hexdigest()
