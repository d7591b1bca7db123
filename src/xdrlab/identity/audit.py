"""Audit events: every sign-in and every change to the directory leaves one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.store.models import AuditEvent


def record(
    session: Session,
    clock: Clock,
    *,
    category: str,
    activity: str,
    tenant_id: str | None = None,
    actor: str = "",
    target: str = "",
    result: str = "success",
    message: str = "",
    correlation_id: str | None = None,
    **detail: Any,
) -> None:
    """Add an audit event to the session's transaction (committed with the change it
    describes). A Core insert, not an ORM object: it runs on every token request."""
    session.execute(
        insert(AuditEvent).values(
            timestamp=clock.now(),
            tenant_id=tenant_id,
            category=category,
            activity=activity,
            actor=actor,
            target=target,
            result=result,
            message=message,
            correlation_id=correlation_id,
            detail=detail,
        )
    )
