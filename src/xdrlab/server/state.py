"""Opening the state folder: directories, master key, database schema, signing keys."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from xdrlab.clock import Clock, SystemClock
from xdrlab.identity.audit import AuditWriter
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.directory_cache import DirectoryCache
from xdrlab.identity.keys import KeyRing, create_signing_key
from xdrlab.lake.store import Lake
from xdrlab.settings import Settings
from xdrlab.store.db import make_engine, migrate, session_factory
from xdrlab.store.models import SigningKey


@dataclass
class ServerState:
    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    master_key: bytes

    @property
    def lake(self) -> Lake:
        """The hunting lake: Parquet files under `lake/` in the state folder."""
        return Lake(self.settings.state_dir / "lake")

    @property
    def secret_hash_key(self) -> bytes:
        return derive(self.master_key, "client-secrets")

    @property
    def key_encryption_key(self) -> bytes:
        return derive(self.master_key, "signing-keys")

    def identity(self) -> IdentityContext:
        return IdentityContext(
            self.settings,
            self.clock,
            self.sessions,
            self.secret_hash_key,
            KeyRing(self.sessions, self.key_encryption_key),
            DirectoryCache(self.engine, self.sessions),
            AuditWriter(self.engine, self.clock),
        )


def _master_key(state_dir: Path) -> bytes:
    """32 random bytes kept in `master.key` (mode 0600): the key under which client secrets are
    hashed and signing keys encrypted. Losing it invalidates every secret."""
    path = state_dir / "master.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    raw = path.read_bytes()
    if len(raw) != 32:
        raise RuntimeError(f"{path} is damaged (expected 32 bytes)")
    return raw


def derive(master_key: bytes, purpose: str) -> bytes:
    """A subkey of the master key for one purpose, so no two uses share key material."""
    return hmac.new(master_key, purpose.encode(), hashlib.sha256).digest()


def open_state(settings: Settings, clock: Clock | None = None) -> ServerState:
    """Create or open the state folder and bring the control plane up to date."""
    clock = clock or SystemClock()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    master = _master_key(settings.state_dir)
    engine = make_engine(settings.database)
    migrate(engine)
    sessions = session_factory(engine)
    state = ServerState(settings, clock, engine, sessions, master)
    with sessions.begin() as session:
        has_key = session.scalar(select(SigningKey).where(SigningKey.status == "current"))
        if has_key is None:
            create_signing_key(session, state.key_encryption_key, clock, settings.signing_key_bits)
    return state
