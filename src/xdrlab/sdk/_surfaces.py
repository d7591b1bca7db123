"""The two surfaces behind one interface: where each operation lives, what its bodies look like,
and how names and enum values are spelled (Defender `Active`/`createdTime`, Graph
`active`/`createdDateTime`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from xdrlab.sdk._config import Endpoints
from xdrlab.sdk._filters import Spelling
from xdrlab.sdk._hunting import Timespan, format_timespan
from xdrlab.sdk._kusto import parse_datetime
from xdrlab.sdk._models import (
    Alert,
    AlertStatus,
    Classification,
    Comment,
    Determination,
    Incident,
    IncidentStatus,
    Severity,
    Surface,
)

# Defender spellings that are not the Graph value with its first letter raised, per property.
_TO_DEFENDER: dict[str, dict[str, str]] = {
    "severity": {"unknown": "UnSpecified"},
    "determination": {
        "unknown": "NotAvailable",
        "compromisedUser": "CompromisedAccount",
        "confirmedUserActivity": "ConfirmedActivity",
        "insufficientData": "NoEnoughDataToValidate",
    },
}
_FROM_DEFENDER: dict[str, dict[str, str]] = {
    "severity": {"UnSpecified": "unknown"},
    "determination": {
        "NotAvailable": "unknown",
        "CompromisedAccount": "compromisedUser",
        "CompromisedUser": "compromisedUser",
        "ConfirmedActivity": "confirmedUserActivity",
        "ConfirmedUserActivity": "confirmedUserActivity",
        "NoEnoughDataToValidate": "insufficientData",
        "InsufficientData": "insufficientData",
    },
}


def to_defender(prop: str, value: StrEnum | str) -> str:
    text = str(value)
    special = _TO_DEFENDER.get(prop, {}).get(text)
    return special if special is not None else text[:1].upper() + text[1:]


def _graph_value(prop: str, value: StrEnum | str) -> str:
    return str(value)


def _enum(kind: type[StrEnum], value: Any) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        return str(value)  # a value this SDK does not know yet


def _from_defender(prop: str, kind: type[StrEnum], value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    special = _FROM_DEFENDER.get(prop, {}).get(text)
    return _enum(kind, special if special is not None else text[:1].lower() + text[1:])


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


@dataclass(frozen=True)
class Changes:
    """An incident update; None leaves a property as it is ("" unassigns `assigned_to`)."""

    status: IncidentStatus | str | None = None
    assigned_to: str | None = None
    classification: Classification | str | None = None
    determination: Determination | str | None = None
    tags: list[str] | None = None
    comment: str | None = None


class SurfaceSpec:
    surface: Surface
    max_page_size: int
    filter_names: Mapping[str, Mapping[str, str]]

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints

    @property
    def scope(self) -> str:
        raise NotImplementedError

    def spelling(self, entity: str) -> Spelling:
        raise NotImplementedError

    def hunting_request(self, query: str, timespan: Timespan | None) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def incidents_url(self, incident_id: int | None = None) -> str:
        raise NotImplementedError

    def list_params(self, filter_text: str | None, page_size: int) -> dict[str, str]:
        params = {"$top": str(page_size)}
        if filter_text:
            params["$filter"] = filter_text
        return params

    def incident(self, body: Mapping[str, Any]) -> Incident:
        raise NotImplementedError

    def alert(self, body: Mapping[str, Any]) -> Alert:
        raise NotImplementedError

    def update_body(self, changes: Changes) -> dict[str, Any]:
        raise NotImplementedError


class DefenderSurface(SurfaceSpec):
    surface = Surface.DEFENDER
    max_page_size = 100
    filter_names = {
        "incident": {
            "status": "status",
            "assigned_to": "assignedTo",
            "created": "createdTime",
            "last_updated": "lastUpdateTime",
        },
        "alert": {},
    }

    @property
    def scope(self) -> str:
        return self.endpoints.scope(self.endpoints.defender_resource)

    def spelling(self, entity: str) -> Spelling:
        return self.filter_names[entity], to_defender

    def hunting_request(self, query: str, timespan: Timespan | None) -> tuple[str, dict[str, Any]]:
        if timespan is not None:
            raise ValueError(
                "the Defender API takes no timespan: filter on Timestamp in the query, or use "
                "the Graph surface"
            )
        return f"{self.endpoints.api_base}/api/advancedhunting/run", {"Query": query}

    def incidents_url(self, incident_id: int | None = None) -> str:
        base = f"{self.endpoints.api_base}/api/incidents"
        return base if incident_id is None else f"{base}/{int(incident_id)}"

    def incident(self, body: Mapping[str, Any]) -> Incident:
        return Incident(
            id=int(body["incidentId"]),
            display_name=str(body.get("incidentName") or ""),
            status=_from_defender("status", IncidentStatus, body.get("status")),
            severity=_from_defender("severity", Severity, body.get("severity")),
            classification=_from_defender(
                "classification", Classification, body.get("classification")
            ),
            determination=_from_defender("determination", Determination, body.get("determination")),
            assigned_to=body.get("assignedTo"),
            created=parse_datetime(body.get("createdTime")),
            last_updated=parse_datetime(body.get("lastUpdateTime")),
            tags=list(body.get("tags") or []),
            comments=[
                Comment(
                    str(c.get("comment") or ""),
                    c.get("createdBy"),
                    parse_datetime(c.get("createdTime")),
                )
                for c in body.get("comments") or []
            ],
            alerts=[self.alert(a) for a in body.get("alerts") or []],
            redirect_incident_id=_int(body.get("redirectIncidentId")),
            description=body.get("description"),
            raw=dict(body),
        )

    def alert(self, body: Mapping[str, Any]) -> Alert:
        return Alert(
            id=str(body["alertId"]),
            incident_id=_int(body.get("incidentId")),
            title=str(body.get("title") or ""),
            status=_from_defender("status", AlertStatus, body.get("status")),
            severity=_from_defender("severity", Severity, body.get("severity")),
            classification=_from_defender(
                "classification", Classification, body.get("classification")
            ),
            determination=_from_defender("determination", Determination, body.get("determination")),
            category=body.get("category"),
            service_source=body.get("serviceSource"),
            detection_source=body.get("detectionSource"),
            assigned_to=body.get("assignedTo"),
            description=body.get("description"),
            created=parse_datetime(body.get("creationTime")),
            last_updated=parse_datetime(body.get("lastUpdatedTime")),
            resolved=parse_datetime(body.get("resolvedTime")),
            first_activity=parse_datetime(body.get("firstActivity")),
            last_activity=parse_datetime(body.get("lastActivity")),
            mitre_techniques=list(body.get("mitreTechniques") or []),
            raw=dict(body),
        )

    def update_body(self, changes: Changes) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for prop, value in (
            ("status", changes.status),
            ("classification", changes.classification),
            ("determination", changes.determination),
        ):
            if value is not None:
                body[prop] = to_defender(prop, value)
        if changes.assigned_to is not None:
            body["assignedTo"] = changes.assigned_to
        if changes.tags is not None:
            body["tags"] = list(changes.tags)
        if changes.comment is not None:
            body["comment"] = changes.comment
        return body


class GraphSurface(SurfaceSpec):
    surface = Surface.GRAPH
    max_page_size = 50
    filter_names = {
        "incident": {
            "status": "status",
            "severity": "severity",
            "classification": "classification",
            "determination": "determination",
            "assigned_to": "assignedTo",
            "created": "createdDateTime",
            "last_updated": "lastUpdateDateTime",
        },
        "alert": {
            "status": "status",
            "severity": "severity",
            "classification": "classification",
            "determination": "determination",
            "service_source": "serviceSource",
            "assigned_to": "assignedTo",
            "created": "createdDateTime",
            "last_updated": "lastUpdateDateTime",
        },
    }
    alerts_max_page_size = 2000

    @property
    def scope(self) -> str:
        return self.endpoints.scope(self.endpoints.graph_resource)

    @property
    def security(self) -> str:
        return f"{self.endpoints.graph_base}/{self.endpoints.graph_version}/security"

    def spelling(self, entity: str) -> Spelling:
        return self.filter_names[entity], _graph_value

    def hunting_request(self, query: str, timespan: Timespan | None) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"Query": query}
        if timespan is not None:
            body["Timespan"] = format_timespan(timespan)
        return f"{self.security}/runHuntingQuery", body

    def incidents_url(self, incident_id: int | None = None) -> str:
        base = f"{self.security}/incidents"
        return base if incident_id is None else f"{base}/{int(incident_id)}"

    def alerts_url(self, alert_id: str | None = None) -> str:
        base = f"{self.security}/alerts_v2"
        return base if alert_id is None else f"{base}/{quote(alert_id, safe='')}"

    def comments_url(self, incident_id: int) -> str:
        return f"{self.incidents_url(incident_id)}/comments"

    def incident(self, body: Mapping[str, Any]) -> Incident:
        return Incident(
            id=int(body["id"]),
            display_name=str(body.get("displayName") or ""),
            status=_enum(IncidentStatus, body.get("status")),
            severity=_enum(Severity, body.get("severity")),
            classification=_enum(Classification, body.get("classification")),
            determination=_enum(Determination, body.get("determination")),
            assigned_to=body.get("assignedTo"),
            created=parse_datetime(body.get("createdDateTime")),
            last_updated=parse_datetime(body.get("lastUpdateDateTime")),
            tags=list(body.get("customTags") or []),
            comments=[
                Comment(
                    str(c.get("comment") or ""),
                    c.get("createdByDisplayName"),
                    parse_datetime(c.get("createdDateTime")),
                )
                for c in body.get("comments") or []
            ],
            alerts=[self.alert(a) for a in body.get("alerts") or []],
            redirect_incident_id=_int(body.get("redirectIncidentId")),
            description=body.get("description"),
            web_url=body.get("incidentWebUrl"),
            raw=dict(body),
        )

    def alert(self, body: Mapping[str, Any]) -> Alert:
        return Alert(
            id=str(body["id"]),
            incident_id=_int(body.get("incidentId")),
            title=str(body.get("title") or ""),
            status=_enum(AlertStatus, body.get("status")),
            severity=_enum(Severity, body.get("severity")),
            classification=_enum(Classification, body.get("classification")),
            determination=_enum(Determination, body.get("determination")),
            category=body.get("category"),
            service_source=body.get("serviceSource"),
            detection_source=body.get("detectionSource"),
            assigned_to=body.get("assignedTo"),
            description=body.get("description"),
            created=parse_datetime(body.get("createdDateTime")),
            last_updated=parse_datetime(body.get("lastUpdateDateTime")),
            resolved=parse_datetime(body.get("resolvedDateTime")),
            first_activity=parse_datetime(body.get("firstActivityDateTime")),
            last_activity=parse_datetime(body.get("lastActivityDateTime")),
            mitre_techniques=list(body.get("mitreTechniques") or []),
            raw=dict(body),
        )

    def update_body(self, changes: Changes) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for prop, value in (
            ("status", changes.status),
            ("classification", changes.classification),
            ("determination", changes.determination),
        ):
            if value is not None:
                body[prop] = str(value)
        if changes.assigned_to is not None:
            body["assignedTo"] = changes.assigned_to
        if changes.tags is not None:
            body["customTags"] = list(changes.tags)
        return body


def surface_spec(surface: Surface | str, endpoints: Endpoints) -> SurfaceSpec:
    chosen = Surface(surface)
    return DefenderSurface(endpoints) if chosen is Surface.DEFENDER else GraphSurface(endpoints)
