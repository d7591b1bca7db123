"""`/security/incidents` and `/security/alerts_v2` — the Microsoft Graph security surface."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from xdrlab.api.auth import Caller
from xdrlab.api.errors import GRAPH_ERRORS, ApiError, Surface
from xdrlab.api.guard import (
    GRAPH_ALERTS_READ,
    GRAPH_INCIDENTS_READ,
    GRAPH_INCIDENTS_WRITE,
    api_context,
    guard,
)
from xdrlab.api.incidents import graph_json, service
from xdrlab.api.incidents.filters import GRAPH_ALERT_FIELDS, GRAPH_INCIDENT_FIELDS
from xdrlab.api.incidents.paging import read_page
from xdrlab.api.incidents.params import IncidentId
from xdrlab.api.incidents.updates import graph_changes, graph_comment, updated_incident
from xdrlab.store.models import Alert

router = APIRouter(tags=["Incidents and alerts (Graph security API)"], responses=GRAPH_ERRORS)

# Graph security page sizes: incidents 20 by default and at most 50; alerts_v2 100 and 2,000.
INCIDENTS_TOP, INCIDENTS_MAX_TOP = 20, 50
ALERTS_TOP, ALERTS_MAX_TOP = 100, 2000


def _context(request: Request, entity_set: str) -> str:
    version = request.url.path.split("/")[1]
    return f"{request.base_url}{version}/$metadata#security/{entity_set}"


def _incidents_context(request: Request, *, with_alerts: bool, entity: bool = False) -> str:
    """As Graph names them: `incidents`, `incidents/$entity`, and with `$expand=alerts`
    `incidents(alerts())` and `incidents(alerts())/$entity`."""
    entity_set = "incidents(alerts())" if with_alerts else "incidents"
    return _context(request, f"{entity_set}/$entity" if entity else entity_set)


def _incident_not_found() -> ApiError:
    return ApiError(404, "NotFound", "The requested incident was not found.")


def _expand_alerts(expand: str | None) -> bool:
    if expand is None:
        return False
    if expand.strip() != "alerts":
        raise ApiError(
            400, "BadRequest", f"Invalid $expand '{expand}': only 'alerts' is supported."
        )
    return True


@router.get("/security/incidents", summary="List incidents")
def list_incidents(
    request: Request,
    filter_: str | None = Query(None, alias="$filter"),
    top: str | None = Query(None, alias="$top"),
    skip: str | None = Query(None, alias="$skip"),
    expand: str | None = Query(None, alias="$expand"),
    caller: Caller = Depends(guard("incidents.list", GRAPH_INCIDENTS_READ, Surface.GRAPH)),
) -> dict[str, Any]:
    page = read_page(
        request, filter_, top, skip, GRAPH_INCIDENT_FIELDS, INCIDENTS_TOP, INCIDENTS_MAX_TOP
    )
    with_alerts = _expand_alerts(expand)
    api = api_context(request)
    with api.sessions() as session:
        rows = service.list_incidents(
            session, caller.tenant_id, page.condition, top=page.top + 1, skip=page.skip
        )
        body: dict[str, Any] = {
            "@odata.context": _incidents_context(request, with_alerts=with_alerts),
            "value": [
                graph_json.incident(row, expand_alerts=with_alerts) for row in rows[: page.top]
            ],
        }
    if len(rows) > page.top:
        body["@odata.nextLink"] = page.next_link(request)
    return body


@router.get("/security/incidents/{incident_id}", summary="Get an incident")
def get_incident(
    request: Request,
    incident_id: IncidentId,
    expand: str | None = Query(None, alias="$expand"),
    caller: Caller = Depends(guard("incidents.get", GRAPH_INCIDENTS_READ, Surface.GRAPH)),
) -> dict[str, Any]:
    with_alerts = _expand_alerts(expand)
    api = api_context(request)
    with api.sessions() as session:
        row = service.get_incident(session, caller.tenant_id, incident_id)
        if row is None:
            raise _incident_not_found()
        return {
            "@odata.context": _incidents_context(request, with_alerts=with_alerts, entity=True),
            **graph_json.incident(row, expand_alerts=with_alerts),
        }


@router.patch("/security/incidents/{incident_id}", summary="Update an incident")
def update_incident(
    request: Request,
    incident_id: IncidentId,
    body: dict[str, Any] = Body(..., examples=[{"status": "resolved", "customTags": ["Demo"]}]),
    caller: Caller = Depends(guard("incidents.update", GRAPH_INCIDENTS_WRITE, Surface.GRAPH)),
) -> dict[str, Any]:
    changes = graph_changes(body)
    with updated_incident(request, caller, incident_id, changes, _incident_not_found) as row:
        return {
            "@odata.context": _context(request, "incidents/$entity"),
            **graph_json.incident(row),
        }


@router.post("/security/incidents/{incident_id}/comments", summary="Comment on an incident")
def add_comment(
    request: Request,
    incident_id: IncidentId,
    body: dict[str, Any] = Body(
        ...,
        examples=[{"@odata.type": "microsoft.graph.security.alertComment", "comment": "Triaged"}],
    ),
    caller: Caller = Depends(guard("incidents.update", GRAPH_INCIDENTS_WRITE, Surface.GRAPH)),
) -> dict[str, Any]:
    """Production answers 200 with every comment of the incident, the new one last."""
    changes = graph_comment(body)
    with updated_incident(request, caller, incident_id, changes, _incident_not_found) as row:
        return {
            "@odata.context": _context(request, f"incidents('{incident_id}')/comments"),
            "value": [
                {"@odata.type": "#microsoft.graph.security.alertComment", **graph_json.comment(c)}
                for c in row.comments
            ],
        }


@router.get("/security/alerts_v2", summary="List alerts")
def list_alerts(
    request: Request,
    filter_: str | None = Query(None, alias="$filter"),
    top: str | None = Query(None, alias="$top"),
    skip: str | None = Query(None, alias="$skip"),
    caller: Caller = Depends(guard("alerts.list", GRAPH_ALERTS_READ, Surface.GRAPH)),
) -> dict[str, Any]:
    page = read_page(request, filter_, top, skip, GRAPH_ALERT_FIELDS, ALERTS_TOP, ALERTS_MAX_TOP)
    api = api_context(request)
    with api.sessions() as session:
        rows = service.list_alerts(
            session, caller.tenant_id, page.condition, top=page.top + 1, skip=page.skip
        )
        body: dict[str, Any] = {
            "@odata.context": _context(request, "alerts_v2"),
            "value": [graph_json.alert(row) for row in rows[: page.top]],
        }
    if len(rows) > page.top:
        body["@odata.nextLink"] = page.next_link(request)
    return body


@router.get("/security/alerts_v2/{alert_id}", summary="Get an alert")
def get_alert(
    request: Request,
    alert_id: str,
    caller: Caller = Depends(guard("incidents.get", GRAPH_ALERTS_READ, Surface.GRAPH)),
) -> dict[str, Any]:
    api = api_context(request)
    with api.sessions() as session:
        row = session.get(Alert, (caller.tenant_id, alert_id))
        if row is None:
            raise ApiError(404, "NotFound", "The requested alert was not found.")
        return {"@odata.context": _context(request, "alerts_v2/$entity"), **graph_json.alert(row)}
