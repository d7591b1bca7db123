"""`/api/incidents`: list (OData), get, update — the Defender API surface."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from starlette.requests import Request

from xdrlab.api.auth import Caller
from xdrlab.api.errors import DEFENDER_ERRORS, ApiError, Surface
from xdrlab.api.guard import (
    DEFENDER_INCIDENTS_READ,
    DEFENDER_INCIDENTS_WRITE,
    api_context,
    guard,
)
from xdrlab.api.incidents import defender_json, service
from xdrlab.api.incidents.filters import DEFENDER_INCIDENT_FIELDS
from xdrlab.api.incidents.paging import Page, read_page
from xdrlab.api.incidents.params import IncidentId
from xdrlab.api.incidents.updates import defender_changes, updated_incident

router = APIRouter(tags=["Incidents (Defender API)"], responses=DEFENDER_ERRORS)

METADATA = "api/$metadata#Incidents"
MAX_TOP = 100


def _not_found(incident_id: int) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"Incident {incident_id} was not found")


@router.get("/api/incidents", summary="List incidents")
def list_incidents(
    request: Request,
    filter_: str | None = Query(None, alias="$filter", description="OData filter"),
    top: str | None = Query(None, alias="$top", description="Page size, at most 100"),
    skip: str | None = Query(None, alias="$skip", description="Incidents to skip"),
    caller: Caller = Depends(guard("incidents.list", DEFENDER_INCIDENTS_READ, Surface.DEFENDER)),
) -> dict[str, Any]:
    page: Page = read_page(request, filter_, top, skip, DEFENDER_INCIDENT_FIELDS, MAX_TOP, MAX_TOP)
    api = api_context(request)
    with api.sessions() as session:
        rows = service.list_incidents(
            session, caller.tenant_id, page.condition, top=page.top + 1, skip=page.skip
        )
        body: dict[str, Any] = {
            "@odata.context": f"{request.base_url}{METADATA}",
            "value": [defender_json.incident(row) for row in rows[: page.top]],
        }
    if len(rows) > page.top:
        body["@odata.nextLink"] = page.next_link(request)
    return body


@router.get("/api/incidents/{incident_id}", summary="Get an incident")
def get_incident(
    request: Request,
    incident_id: IncidentId,
    caller: Caller = Depends(guard("incidents.get", DEFENDER_INCIDENTS_READ, Surface.DEFENDER)),
) -> dict[str, Any]:
    api = api_context(request)
    with api.sessions() as session:
        row = service.get_incident(session, caller.tenant_id, incident_id)
        if row is None:
            raise _not_found(incident_id)
        return {
            "@odata.context": f"{request.base_url}{METADATA}/$entity",
            **defender_json.incident(row),
        }


@router.patch("/api/incidents/{incident_id}", summary="Update an incident")
def update_incident(
    request: Request,
    incident_id: IncidentId,
    body: dict[str, Any] = Body(
        ...,
        examples=[
            {"status": "Resolved", "classification": "TruePositive", "determination": "Malware"}
        ],
    ),
    caller: Caller = Depends(guard("incidents.update", DEFENDER_INCIDENTS_WRITE, Surface.DEFENDER)),
) -> dict[str, Any]:
    changes = defender_changes(body)
    with updated_incident(
        request, caller, incident_id, changes, lambda: _not_found(incident_id)
    ) as row:
        return {
            "@odata.context": f"{request.base_url}{METADATA}/$entity",
            **defender_json.incident(row),
        }
