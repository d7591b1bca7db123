"""Which properties `$filter` may use on each list, and where each is stored."""

from __future__ import annotations

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

GRAPH_INCIDENT_FIELDS = {
    "assignedTo": FilterField("assignedTo", Incident.assigned_to, "string", case_insensitive=True),
    "classification": FilterField(
        "classification",
        Incident.classification,
        "enum",
        enum_values=_graph_enum(CLASSIFICATIONS),
        enum_type=f"{GRAPH_TYPES}alertClassification",
    ),
    "createdDateTime": FilterField("createdDateTime", Incident.created_at, "datetime"),
    "determination": FilterField(
        "determination",
        Incident.determination,
        "enum",
        enum_values=_graph_enum(("NotAvailable", *ALL_DETERMINATIONS)),
        enum_type=f"{GRAPH_TYPES}alertDetermination",
    ),
    "lastUpdateDateTime": FilterField("lastUpdateDateTime", Incident.last_update_at, "datetime"),
    "severity": FilterField(
        "severity",
        Incident.severity,
        "enum",
        enum_values=_graph_enum(SEVERITIES),
        enum_type=f"{GRAPH_TYPES}alertSeverity",
    ),
    "status": FilterField(
        "status",
        Incident.status,
        "enum",
        enum_values=_graph_enum(INCIDENT_STATUSES),
        enum_type=f"{GRAPH_TYPES}incidentStatus",
    ),
}

GRAPH_ALERT_FIELDS = {
    "assignedTo": FilterField("assignedTo", Alert.assigned_to, "string", case_insensitive=True),
    "classification": FilterField(
        "classification",
        Alert.classification,
        "enum",
        enum_values=_graph_enum(CLASSIFICATIONS),
        enum_type=f"{GRAPH_TYPES}alertClassification",
    ),
    "determination": FilterField(
        "determination",
        Alert.determination,
        "enum",
        enum_values=_graph_enum(("NotAvailable", *ALL_DETERMINATIONS)),
        enum_type=f"{GRAPH_TYPES}alertDetermination",
    ),
    "createdDateTime": FilterField("createdDateTime", Alert.created_at, "datetime"),
    "lastUpdateDateTime": FilterField("lastUpdateDateTime", Alert.last_update_at, "datetime"),
    "severity": FilterField(
        "severity",
        Alert.severity,
        "enum",
        enum_values=_graph_enum(SEVERITIES),
        enum_type=f"{GRAPH_TYPES}alertSeverity",
    ),
    "serviceSource": FilterField(
        "serviceSource",
        Alert.service_source,
        "enum",
        enum_values=_graph_enum(SERVICE_SOURCES),
        enum_type=f"{GRAPH_TYPES}serviceSource",
    ),
    "status": FilterField(
        "status",
        Alert.status,
        "enum",
        enum_values=_graph_enum(ALERT_STATUSES),
        enum_type=f"{GRAPH_TYPES}alertStatus",
    ),
}
