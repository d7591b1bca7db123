"""PATCH bodies of both surfaces, validated into `IncidentChanges` before anything changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

from xdrlab.api.auth import Caller
from xdrlab.api.errors import ApiError
from xdrlab.api.guard import api_context
from xdrlab.api.incidents.service import IncidentChanges, update_incident
from xdrlab.api.incidents.values import (
    ALL_DETERMINATIONS,
    CLASSIFICATIONS,
    INCIDENT_STATUSES,
    canonical,
    canonical_determination,
    from_graph,
)
from xdrlab.store.models import Incident

DEFENDER_FIELDS = ("status", "assignedTo", "classification", "determination", "tags", "comment")
GRAPH_FIELDS = ("status", "assignedTo", "classification", "determination", "customTags")


def _invalid(message: str) -> ApiError:
    return ApiError(400, "InvalidRequestBody", message)


def _string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"Property '{name}' must be a string.")
    return value


def _enum(
    body: dict[str, Any], name: str, allowed: tuple[str, ...], parse: Callable[[str], str | None]
) -> str | None:
    raw = _string(body, name)
    if raw is None:
        return None
    value = parse(raw)
    if value is None:
        raise _invalid(
            f"Invalid value '{raw}' for property '{name}'. Allowed values: {', '.join(allowed)}."
        )
    return value


def _tags(body: dict[str, Any], name: str) -> tuple[str, ...] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise _invalid(f"Property '{name}' must be a list of strings.")
    return tuple(value)


def _object(body: Any, known: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("Request body is incorrect: a JSON object is expected.")
    unknown = [name for name in body if name not in known and not name.startswith("@odata.")]
    if unknown:
        raise _invalid(
            f"Request body is incorrect: unknown property '{unknown[0]}'. "
            f"Properties are case-sensitive: {', '.join(known)}."
        )
    return body


def _determination(raw: str) -> str | None:
    return canonical_determination(raw)


def defender_changes(body: Any) -> IncidentChanges:
    """`{"status": "Resolved", "assignedTo": "...", "classification": ..., "determination": ...,
    "tags": [...], "comment": "..."}` as the Defender API takes it."""
    body = _object(body, DEFENDER_FIELDS)
    assigned = _string(body, "assignedTo")
    return IncidentChanges(
        status=_enum(body, "status", INCIDENT_STATUSES, lambda v: canonical(v, INCIDENT_STATUSES)),
        assigned_to=assigned or None,
        unassign=assigned == "",
        classification=_enum(
            body, "classification", CLASSIFICATIONS, lambda v: canonical(v, CLASSIFICATIONS)
        ),
        determination=_enum(body, "determination", ALL_DETERMINATIONS, _determination),
        tags=_tags(body, "tags"),
        comment=_string(body, "comment"),
    )


def graph_changes(body: Any) -> IncidentChanges:
    """The Graph security incident PATCH: camelCase enums and `customTags`."""
    body = _object(body, GRAPH_FIELDS)
    assigned = _string(body, "assignedTo")
    return IncidentChanges(
        status=_enum(
            body,
            "status",
            ("active", "inProgress", "resolved", "redirected"),
            lambda v: from_graph(v, INCIDENT_STATUSES, "Active"),
        ),
        assigned_to=assigned or None,
        unassign=assigned == "",
        classification=_enum(
            body,
            "classification",
            ("unknown", "truePositive", "informationalExpectedActivity", "falsePositive"),
            lambda v: from_graph(v, CLASSIFICATIONS, "Unknown"),
        ),
        determination=_enum(
            body,
            "determination",
            ALL_DETERMINATIONS,
            lambda v: "NotAvailable" if v == "unknown" else canonical_determination(v),
        ),
        tags=_tags(body, "customTags"),
    )


def graph_comment(body: Any) -> IncidentChanges:
    """`POST /security/incidents/{id}/comments`: `{"@odata.type": "...alertComment",
    "comment": "..."}`; the comment must be non-empty text."""
    body = _object(body, ("comment",))
    comment = _string(body, "comment")
    if not comment or not comment.strip():
        raise _invalid("Property 'comment' is required and must not be empty.")
    return IncidentChanges(comment=comment)


@contextmanager
def updated_incident(
    request: Request,
    caller: Caller,
    incident_id: int,
    changes: IncidentChanges,
    not_found: Callable[[], ApiError],
) -> Iterator[Incident]:
    """The caller's incident with `changes` applied, inside one write transaction that commits
    when the block (which renders the answer) ends; `not_found()` is raised for an incident the
    caller's tenant does not have."""
    api = api_context(request)
    with api.sessions.begin() as session:
        row = update_incident(
            session,
            caller.tenant_id,
            incident_id,
            changes,
            author=caller.display,
            now=api.clock.now(),
        )
        if row is None:
            raise not_found()
        yield row
