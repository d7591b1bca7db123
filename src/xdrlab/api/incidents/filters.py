"""Which properties `$filter` may use on each list, and where each is stored."""

from __future__ import annotations

from typing import Any

from xdrlab.api.incidents.values import (
    ALL_DETERMINATIONS,
    CLASSIFICATIONS,
    INCIDENT_STATUSES,
    SEVERITIES,
    to_graph,
)
from xdrlab.api.odata import FilterField
from xdrlab.store.models import Alert, Incident

GRAPH_TYPES = "microsoft.graph.security."
ALERT_STATUSES = ("New", "InProgress", "Resolved")
SERVICE_SOURCES = (
    "MicrosoftDefenderForEndpoint",
    "MicrosoftDefenderForIdentity",
    "MicrosoftDefenderForCloudApps",
    "MicrosoftDefenderForOffice365",
    "Microsoft365Defender",
    "AzureAdIdentityProtection",
    "MicrosoftAppGovernance",
    "DataLossPrevention",
    "MicrosoftDefenderForCloud",
    "MicrosoftSentinel",
)


def _defender_enum(values: tuple[str, ...]) -> dict[str, str | int]:
    return {value: value for value in values}


def _graph_enum(values: tuple[str, ...]) -> dict[str, str | int]:
    mapping: dict[str, str | int] = {}
    for value in values:
        mapping.setdefault(str(to_graph(value)), value)
    return mapping


DEFENDER_INCIDENT_FIELDS = {
    "lastUpdateTime": FilterField("lastUpdateTime", Incident.last_update_at, "datetime"),
    "createdTime": FilterField("createdTime", Incident.created_at, "datetime"),
    "status": FilterField(
        "status", Incident.status, "enum", enum_values=_defender_enum(INCIDENT_STATUSES)
    ),
    "assignedTo": FilterField("assignedTo", Incident.assigned_to, "string", case_insensitive=True),
}


def _graph_field(name: str, column: Any, values: tuple[str, ...], graph_type: str) -> FilterField:
    """An enum property as Graph spells it (camelCase literals of a `microsoft.graph.security`
    enum type) over a column holding the Defender spelling."""
    return FilterField(
        name, column, "enum", enum_values=_graph_enum(values), enum_type=GRAPH_TYPES + graph_type
    )


DETERMINATIONS = ("NotAvailable", *ALL_DETERMINATIONS)


def _graph_triage_fields(model: type[Incident] | type[Alert]) -> dict[str, FilterField]:
    """The properties incidents and alerts_v2 share, over either table."""
    return {
        "assignedTo": FilterField("assignedTo", model.assigned_to, "string", case_insensitive=True),
        "classification": _graph_field(
            "classification", model.classification, CLASSIFICATIONS, "alertClassification"
        ),
        "determination": _graph_field(
            "determination", model.determination, DETERMINATIONS, "alertDetermination"
        ),
        "createdDateTime": FilterField("createdDateTime", model.created_at, "datetime"),
        "lastUpdateDateTime": FilterField("lastUpdateDateTime", model.last_update_at, "datetime"),
        "severity": _graph_field("severity", model.severity, SEVERITIES, "alertSeverity"),
    }


GRAPH_INCIDENT_FIELDS = {
    **_graph_triage_fields(Incident),
    "status": _graph_field("status", Incident.status, INCIDENT_STATUSES, "incidentStatus"),
}

GRAPH_ALERT_FIELDS = {
    **_graph_triage_fields(Alert),
    "serviceSource": _graph_field(
        "serviceSource", Alert.service_source, SERVICE_SOURCES, "serviceSource"
    ),
    "status": _graph_field("status", Alert.status, ALERT_STATUSES, "alertStatus"),
}
