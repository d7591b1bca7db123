"""What every grant shares: its `grant_type` names and the handler signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2.request import TokenRequest


@dataclass
class GrantResult:
    body: dict[str, Any]
    tenant_id: str
    client_id: str
    audit: dict[str, Any]

    def issued_event(self, *, grant_type: str, version: int, correlation_id: str) -> dict[str, Any]:
        """The "Token issued" audit event (arguments of audit.record / AuditWriter.record)."""
        return {
            "category": "SignIn",
            "activity": "Token issued",
            "tenant_id": self.tenant_id,
            "actor": self.client_id,
            "correlation_id": correlation_id,
            "grant_type": grant_type,
            "endpoint": f"v{version}",
            **self.audit,
        }


class Grant(Protocol):
    GRANT_TYPES: tuple[str, ...]

    def __call__(
        self, ctx: IdentityContext, session: Session, request: TokenRequest
    ) -> GrantResult: ...
