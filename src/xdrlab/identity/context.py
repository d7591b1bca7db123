"""What the identity services need at run time, bundled once per server process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from xdrlab.clock import Clock
from xdrlab.identity.keys import KeyRing
from xdrlab.settings import Settings

if TYPE_CHECKING:  # both import modules that import this one
    from xdrlab.identity.audit import AuditWriter
    from xdrlab.identity.directory_cache import DirectoryCache

PRODUCTION_V1_ISSUER_BASE = "https://sts.windows.net"
PRODUCTION_V2_ISSUER_BASE = "https://login.microsoftonline.com"


@dataclass
class IdentityContext:
    settings: Settings
    clock: Clock
    sessions: sessionmaker[Session]
    secret_hash_key: bytes  # HMAC key for client secrets
    keys: KeyRing
    directory: DirectoryCache  # the client-credentials rows, checked against the store per use
    audit_log: AuditWriter  # group commit for audit events written without a session

    def v1_issuer(self, tenant_id: str) -> str:
        base = (
            PRODUCTION_V1_ISSUER_BASE
            if self.settings.production_issuers
            else self.settings.base_url
        )
        return f"{base}/{tenant_id}/"

    def v2_issuer(self, tenant_id: str) -> str:
        base = (
            PRODUCTION_V2_ISSUER_BASE
            if self.settings.production_issuers
            else self.settings.base_url
        )
        return f"{base}/{tenant_id}/v2.0"
