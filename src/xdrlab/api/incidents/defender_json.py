"""Incidents and alerts in the Defender API's JSON shape (keys in the documented order)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xdrlab.store.models import Alert, Incident
from xdrlab.timefmt import iso7

# Every entity object carries all of these keys; the unused ones are null.
ENTITY_KEYS = (
    "entityType",
    "sha1",
    "sha256",
    "fileName",
    "filePath",
    "processId",
    "processCommandLine",
    "processCreationTime",
    "parentProcessId",
    "parentProcessCreationTime",
    "ipAddress",
    "url",
    "accountName",
    "domainName",
    "userSid",
    "aadUserId",
    "userPrincipalName",
    "mailboxDisplayName",
    "mailboxAddress",
    "clusterBy",
    "sender",
    "recipient",
    "subject",
    "deliveryAction",
    "securityGroupId",
    "securityGroupName",
    "registryHive",
    "registryKey",
    "registryValueType",
    "registryValue",
    "deviceId",
)


def timestamp(value: dt.datetime | None) -> str | None:
    """ISO 8601 UTC with seven fractional digits, as the service prints DateTimeOffset."""
    return None if value is None else iso7(value)


def entity(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: fields.get(key) for key in ENTITY_KEYS}


def alert(row: Alert) -> dict[str, Any]:
    return {
        "alertId": row.id,
        "incidentId": row.incident_id,
        "serviceSource": row.service_source,
        "creationTime": timestamp(row.created_at),
        "lastUpdatedTime": timestamp(row.last_update_at),
        "resolvedTime": timestamp(row.resolved_at),
        "firstActivity": timestamp(row.first_activity_at),
        "lastActivity": timestamp(row.last_activity_at),
        "title": row.title,
        "description": row.description,
        "category": row.category,
        "status": row.status,
        "severity": row.severity,
        "investigationId": row.investigation_id,
        "investigationState": row.investigation_state,
        "classification": row.classification,
        "determination": row.determination,
        "detectionSource": row.detection_source,
        "assignedTo": row.assigned_to,
        "actorName": row.actor_name,
        "threatFamilyName": row.threat_family_name,
        "mitreTechniques": list(row.mitre_techniques),
        "devices": list(row.devices),
        "entities": [entity(e) for e in row.entities],
    }


def incident(row: Incident) -> dict[str, Any]:
    return {
        "incidentId": row.id,
        "redirectIncidentId": row.redirect_incident_id,
        "incidentName": row.display_name,
        "createdTime": timestamp(row.created_at),
        "lastUpdateTime": timestamp(row.last_update_at),
        "assignedTo": row.assigned_to,
        "classification": row.classification,
        "determination": row.determination,
        "detectionSource": row.detection_source,
        "status": row.status,
        "severity": row.severity,
        "tags": list(row.tags),
        "comments": [
            {
                "comment": c.comment,
                "createdBy": c.created_by,
                "createdTime": timestamp(c.created_at),
            }
            for c in row.comments
        ],
        "alerts": [alert(a) for a in row.alerts],
    }
