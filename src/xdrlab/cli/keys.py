"""Admin commands for token-signing keys and the audit log."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from xdrlab.cli._common import JsonOption, StateOption, emit, transaction
from xdrlab.identity import audit
from xdrlab.identity.keys import create_signing_key
from xdrlab.store.models import AuditEvent, SigningKey

keys_app = typer.Typer(help="Token-signing keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@keys_app.command("list")
def keys_list(state: Path | None = StateOption, as_json: bool = JsonOption) -> None:
    """List signing keys (current and previous ones are published in JWKS)."""
    with transaction(state) as (_srv, session):
        rows = session.scalars(select(SigningKey).order_by(SigningKey.created_at.desc()))
        emit(
            [
                {
                    "kid": k.kid,
                    "status": k.status,
                    "created": k.created_at.isoformat(),
                    "published": k.status != "retired",
                }
                for k in rows
            ],
            as_json,
            title="Signing keys",
        )


@keys_app.command("rotate")
def keys_rotate(state: Path | None = StateOption, as_json: bool = JsonOption) -> None:
    """Make a new current key; the old one stays published until the next rotation."""
    with transaction(state) as (srv, session):
        kid = create_signing_key(
            session, srv.key_encryption_key, srv.clock, srv.settings.signing_key_bits
        )
        audit.record(
            session,
            srv.clock,
            category="KeyManagement",
            activity="Rotate signing key",
            actor="cli",
            target=kid,
        )
        emit([{"kid": kid, "status": "current"}], as_json, single=True)


@audit_app.command("list")
def audit_list(
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant GUID."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """The newest audit events."""
    with transaction(state) as (_srv, session):
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if tenant:
            query = query.where(AuditEvent.tenant_id == tenant.lower())
        emit(
            [
                {
                    "time": e.timestamp.isoformat(),
                    "tenant": e.tenant_id,
                    "category": e.category,
                    "activity": e.activity,
                    "actor": e.actor,
                    "result": e.result,
                    "message": e.message,
                    "detail": e.detail,
                }
                for e in session.scalars(query)
            ],
            as_json,
            title="Audit events",
        )
