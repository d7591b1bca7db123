"""An in-memory copy of the directory rows a client-credentials token is issued from.

Each token request would otherwise read the tenant, the app, its service principal, secrets and
role assignments through the ORM: most of the endpoint's cost. The copy is checked against the
database on every use, by one read of the `directory_version` counter that triggers bump in the
same transaction as any change to those tables (store migration 0004), whichever process makes
it (the server, another worker, the admin CLI). So a removed secret, a disabled app or a revoked
role stops counting at the next request after the change commits, as without the copy; expiry is
compared with the clock at each request.

What is kept: what the database holds already (secret key ids, their keyed hashes, expiry
times; never a secret's value), for (tenant segment, client id) pairs that resolved to an
enabled confidential client. Anything else is not kept, and the request takes the full path,
which gives the error.

On databases other than SQLite (no triggers), or when a trigger is missing, nothing is cached.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.client_auth import find_client_by_id
from xdrlab.identity.tenant_path import resolve_tenant_segment
from xdrlab.store.models import DirectoryVersion

log = logging.getLogger("xdrlab.identity")

# The tables whose changes make the copy stale, and so the triggers migration 0004 creates.
WATCHED_TABLES = (
    "tenants",
    "tenant_domains",
    "applications",
    "client_secrets",
    "service_principals",
    "app_role_assignments",
)
TRIGGERS = frozenset(
    f"directory_version_{table}_{operation}"
    for table in WATCHED_TABLES
    for operation in ("insert", "update", "delete")
)
MAX_ENTRIES = 10_000
_VERSION_QUERY = "SELECT version FROM directory_version WHERE id = 1"


@dataclass(frozen=True)
class CachedSecret:
    id: str
    secret_hash: str  # the keyed hash stored in the database, not the secret
    expires_at: dt.datetime


@dataclass(frozen=True)
class CachedRoleAssignment:
    resource_app_id: str
    app_role_id: str


@dataclass(frozen=True)
class CachedClient:
    """An enabled, confidential client's service principal in one tenant."""

    tenant_id: str
    app_id: str
    service_principal_id: str
    secrets: tuple[CachedSecret, ...]  # in the order the full path checks them
    role_assignments: tuple[CachedRoleAssignment, ...]


def cache_key(segment: str, client_id: str) -> tuple[str, str]:
    """Both lookups are case-insensitive (tenant GUID or domain; client id GUID)."""
    return segment.lower(), client_id.strip().lower()


class DirectoryCache:
    """Thread-safe. `lookup` is cheap enough for the event loop (one indexed read on a held
    connection); `load` reads through the ORM and belongs in a worker thread."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self._engine = engine
        self._sessions = sessions
        self._lock = threading.Lock()
        self._connection: Any = None  # a DB-API connection held for the version reads
        self._enabled: bool | None = None  # decided on first use
        self._version = -1
        self._entries: dict[tuple[str, str], CachedClient] = {}

    @property
    def enabled(self) -> bool:
        with self._lock:
            return self._ensure_enabled()

    def _ensure_enabled(self) -> bool:
        if self._enabled is None:
            self._enabled = self._engine.dialect.name == "sqlite" and self._triggers_present()
        return self._enabled

    def _triggers_present(self) -> bool:
        with self._engine.connect() as connection:
            names = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                ).scalars()
            )
        missing = TRIGGERS - names
        if missing:
            log.warning(
                "directory cache off: triggers missing (%s); every token request reads the store",
                ", ".join(sorted(missing)),
            )
        return not missing

    def _read_version(self) -> int:
        """The counter, on a connection kept for this (a pool checkout costs 20 times more)."""
        if self._connection is None:
            self._connection = self._engine.raw_connection()
        cursor = self._connection.cursor()
        try:
            cursor.execute(_VERSION_QUERY)
            row = cursor.fetchone()
        finally:
            cursor.close()
        # Under the default isolation of sqlite3 a SELECT opens no transaction: the next read
        # sees the newest commit. Roll back anyway in case a driver opened one.
        self._connection.rollback()
        return int(row[0])

    def lookup(self, key: tuple[str, str]) -> CachedClient | None:
        """The cached client for `key` if the copy is current, else None (not known, or the
        directory changed since it was read: every entry is dropped then)."""
        with self._lock:
            if not self._ensure_enabled():
                return None
            version = self._read_version()
            if version != self._version:
                self._entries.clear()
                self._version = version
                return None
            return self._entries.get(key)

    def load(self, key: tuple[str, str]) -> CachedClient | None:
        """Read the client from the store with the full path's own lookups and keep it if it
        is an enabled confidential client in a tenant; None otherwise (the full path, run for
        the request, then gives the refusal)."""
        if not self.enabled:
            return None
        segment, client_id = key
        with self._sessions() as session:
            # The counter first: rows read after it are at least that new, so if they are
            # newer, the next lookup sees a larger counter and drops them. (Read the other way
            # round, rows older than the counter could be kept as current.)
            version = session.execute(
                select(DirectoryVersion.version).where(DirectoryVersion.id == 1)
            ).scalar_one()
            try:
                tenant = resolve_tenant_segment(session, segment).tenant
                if tenant is None:
                    return None
                app, sp = find_client_by_id(session, client_id, tenant)
            except IdentityError:
                return None
            if app.is_public_client:
                return None
            entry = CachedClient(
                tenant_id=tenant.id,
                app_id=app.app_id,
                service_principal_id=sp.id,
                secrets=tuple(CachedSecret(s.id, s.secret_hash, s.expires_at) for s in app.secrets),
                role_assignments=tuple(
                    CachedRoleAssignment(a.resource_app_id, a.app_role_id)
                    for a in sp.app_role_assignments
                ),
            )
        with self._lock:
            if version > self._version:
                self._entries.clear()
                self._version = version
            if version == self._version:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = entry
        return entry

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
