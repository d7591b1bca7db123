"""Token-signing keys: generation, rotation, and the JWKS documents that publish them.

The `current` key signs; `previous` keys stay published so tokens they signed keep validating
until they expire. Private keys are stored encrypted under the server's master key. Each key
carries a self-signed certificate, and `kid` = `x5t` = base64url(SHA-1(certificate)), as the
platform's keys do.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xdrlab.clock import Clock
from xdrlab.identity.credentials import b64url
from xdrlab.store.models import SigningKey

KEY_VALIDITY = dt.timedelta(days=5 * 365)


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    status: str
    private_key: rsa.RSAPrivateKey
    certificate_der: bytes

    def jwk(self, issuer: str | None) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk: dict[str, Any] = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": public["n"],
            "e": public["e"],
            "x5c": [base64.b64encode(self.certificate_der).decode()],
        }
        if issuer is not None:
            jwk["issuer"] = issuer
        return jwk


def _self_signed(key: rsa.RSAPrivateKey, now: dt.datetime) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xdrlab token signing")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + KEY_VALIDITY)
        .sign(key, hashes.SHA256())
    )


def create_signing_key(session: Session, master_key: bytes, clock: Clock, bits: int) -> str:
    """Make a new key the current one; the old current key becomes `previous` (still published)
    and older previous keys are retired (no longer published). Returns the new `kid`."""
    now = clock.now()
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = _self_signed(key, now).public_bytes(serialization.Encoding.DER)
    kid = b64url(hashlib.sha1(der).digest())  # noqa: S324 - x5t is SHA-1 by definition
    for old in session.scalars(select(SigningKey).where(SigningKey.status != "retired")):
        if old.status == "previous":
            old.status, old.retired_at = "retired", now
        else:
            old.status = "previous"
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(master_key),
    )
    session.add(
        SigningKey(
            kid=kid, status="current", private_key_pem=pem, certificate_der=der, created_at=now
        )
    )
    session.flush()
    return kid


class KeyRing:
    """The published keys, loaded from the store and refreshed every few seconds, so a rotation
    made by the admin CLI in another process reaches a running server without a restart."""

    def __init__(
        self, sessions: sessionmaker[Session], master_key: bytes, refresh_seconds: float = 5.0
    ) -> None:
        self._sessions = sessions
        self._master_key = master_key
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self._keys: tuple[LoadedKey, ...] = ()

    def _load(self) -> tuple[LoadedKey, ...]:
        with self._sessions() as session:
            rows = session.scalars(
                select(SigningKey)
                .where(SigningKey.status.in_(("current", "previous")))
                .order_by(SigningKey.created_at.desc())
            ).all()
            keys = []
            for row in rows:
                cached = next((k for k in self._keys if k.kid == row.kid), None)
                if cached is not None:
                    keys.append(
                        LoadedKey(row.kid, row.status, cached.private_key, row.certificate_der)
                    )
                    continue
                private = serialization.load_pem_private_key(row.private_key_pem, self._master_key)
                assert isinstance(private, rsa.RSAPrivateKey)
                keys.append(LoadedKey(row.kid, row.status, private, row.certificate_der))
        return tuple(keys)

    def keys(self) -> tuple[LoadedKey, ...]:
        if time.monotonic() - self._loaded_at > self._refresh_seconds:
            with self._lock:
                if time.monotonic() - self._loaded_at > self._refresh_seconds:
                    self._keys = self._load()
                    self._loaded_at = time.monotonic()
        return self._keys

    def is_fresh(self) -> bool:
        """False when the next `keys()` reads the store (so a caller on the event loop can
        have that done in a worker thread)."""
        return time.monotonic() - self._loaded_at <= self._refresh_seconds

    def invalidate(self) -> None:
        self._loaded_at = -1e9

    def current(self) -> LoadedKey:
        for key in self.keys():
            if key.status == "current":
                return key
        raise RuntimeError("no current signing key; run `xdrlab keys rotate`")

    def jwks(self, issuer: str | None = None) -> dict[str, Any]:
        return {"keys": [key.jwk(issuer) for key in self.keys()]}
