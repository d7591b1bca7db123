"""Reading and triaging incidents, whichever surface the request came through.

Every query is scoped by tenant id; an incident of another tenant is simply not found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, selectinload

from xdrlab.api.errors import ApiError
from xdrlab.api.incidents.values import DETERMINATIONS_BY_CLASSIFICATION
from xdrlab.store.models import Alert, Incident, IncidentComment


@dataclass(frozen=True)
class IncidentChanges:
    """A validated PATCH: None means "leave as is"."""

    status: str | None = None
    assigned_to: str | None = None
    unassign: bool = False
    classification: str | None = None
    determination: str | None = None
    tags: tuple[str, ...] | None = None
    comment: str | None = None


def _incidents(tenant_id: str) -> Select[Incident]:
    return (
        select(Incident)
        .where(Incident.tenant_id == tenant_id)
        .options(selectinload(Incident.alerts), selectinload(Incident.comments))
    )


def list_incidents(
    session: Session,
    tenant_id: str,
    condition: ColumnElement[bool] | None,
    *,
    top: int,
    skip: int,
) -> Sequence[Incident]:
    """One page, most recent first (id breaks ties so pages never overlap)."""
    query = _incidents(tenant_id)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(Incident.created_at.desc(), Incident.id.desc()).offset(skip).limit(top)
    return session.scalars(query).all()


def get_incident(session: Session, tenant_id: str, incident_id: int) -> Incident | None:
    return session.scalar(_incidents(tenant_id).where(Incident.id == incident_id))


def update_incident(
    session: Session,
    tenant_id: str,
    incident_id: int,
    changes: IncidentChanges,
    *,
    author: str,
    now: dt.datetime,
) -> Incident | None:
    """The tenant's incident with `changes` applied, or None if the tenant has no such one."""
    incident = get_incident(session, tenant_id, incident_id)
    if incident is not None:
        apply_changes(session, incident, changes, author=author, now=now)
    return incident


def list_alerts(
    session: Session,
    tenant_id: str,
    condition: ColumnElement[bool] | None,
    *,
    top: int,
    skip: int,
) -> Sequence[Alert]:
    query = select(Alert).where(Alert.tenant_id == tenant_id)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(Alert.created_at.desc(), Alert.id).offset(skip).limit(top)
    return session.scalars(query).all()


def apply_changes(
    session: Session,
    incident: Incident,
    changes: IncidentChanges,
    *,
    author: str,
    now: dt.datetime,
) -> None:
    """Check the changes against the incident as it would become, then apply them all or none."""
    classification = changes.classification or incident.classification
    determination = changes.determination
    if determination is None and changes.classification is not None:
        # A new classification resets a determination that no longer fits it.
        allowed = DETERMINATIONS_BY_CLASSIFICATION[classification]
        if incident.determination not in allowed:
            determination = allowed[0] if classification == "Unknown" else "Other"
    if determination is not None:
        allowed = DETERMINATIONS_BY_CLASSIFICATION[classification]
        if determination not in allowed:
            raise ApiError(
                400,
                "InvalidRequestBody",
                f"Determination '{determination}' is not valid for classification "
                f"'{classification}'. Allowed values: {', '.join(allowed)}.",
            )
    if changes.status is not None:
        incident.status = changes.status
    if changes.unassign:
        incident.assigned_to = None
    elif changes.assigned_to is not None:
        incident.assigned_to = changes.assigned_to
    if changes.classification is not None:
        incident.classification = changes.classification
    if determination is not None:
        incident.determination = determination
    if changes.tags is not None:
        incident.tags = list(changes.tags)
    if changes.comment:
        incident.comments.append(
            IncidentComment(comment=changes.comment, created_by=author, created_at=now)
        )
    incident.last_update_at = now
    session.flush()
