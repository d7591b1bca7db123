"""Incidents and alerts in the Microsoft Graph security API's shape (camelCase enums, string ids,
polymorphic evidence)."""

from __future__ import annotations

from typing import Any

from xdrlab.api.incidents.defender_json import timestamp
from xdrlab.api.incidents.values import to_graph
from xdrlab.store.models import Alert, Incident, IncidentComment

PORTAL = "https://security.microsoft.com"
EVIDENCE = "#microsoft.graph.security."


def incident_web_url(row: Incident) -> str:
    return f"{PORTAL}/incidents/{row.id}?tid={row.tenant_id}"


def incident(row: Incident, *, expand_alerts: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row.id),
        "tenantId": row.tenant_id,
        "status": to_graph(row.status),
        "incidentWebUrl": incident_web_url(row),
        "redirectIncidentId": None
        if row.redirect_incident_id is None
        else str(row.redirect_incident_id),
        "displayName": row.display_name,
        "createdDateTime": timestamp(row.created_at),
        "lastUpdateDateTime": timestamp(row.last_update_at),
        "assignedTo": row.assigned_to,
        "classification": to_graph(row.classification),
        "determination": to_graph(row.determination),
        "severity": to_graph(row.severity),
        "customTags": list(row.tags),
        "systemTags": list(row.system_tags),
        "description": row.description or None,
        "comments": [comment(c) for c in row.comments],
    }
    if expand_alerts:
        body["alerts"] = [alert(a) for a in row.alerts]
    return body


def alert(row: Alert) -> dict[str, Any]:
    return {
        "id": row.id,
        "providerAlertId": row.id,
        "incidentId": str(row.incident_id),
        "status": to_graph(row.status),
        "severity": to_graph(row.severity),
        "classification": to_graph(row.classification),
        "determination": to_graph(row.determination),
        "serviceSource": to_graph(row.service_source),
        "detectionSource": to_graph(row.detection_source),
        "detectorId": None,
        "tenantId": row.tenant_id,
        "title": row.title,
        "description": row.description,
        "recommendedActions": None,
        "category": row.category,
        "assignedTo": row.assigned_to,
        "alertWebUrl": f"{PORTAL}/alerts/{row.id}?tid={row.tenant_id}",
        "incidentWebUrl": f"{PORTAL}/incidents/{row.incident_id}?tid={row.tenant_id}",
        "actorDisplayName": row.actor_name,
        "threatDisplayName": row.threat_family_name,
        "threatFamilyName": row.threat_family_name,
        "mitreTechniques": list(row.mitre_techniques),
        "createdDateTime": timestamp(row.created_at),
        "lastUpdateDateTime": timestamp(row.last_update_at),
        "resolvedDateTime": timestamp(row.resolved_at),
        "firstActivityDateTime": timestamp(row.first_activity_at),
        "lastActivityDateTime": timestamp(row.last_activity_at),
        "comments": [],
        "evidence": [
            *(_device_evidence(row, d) for d in row.devices),
            *(_entity_evidence(row, e) for e in row.entities),
        ],
        "systemTags": [],
    }


def _common(row: Alert, kind: str, role: str | None) -> dict[str, Any]:
    return {
        "@odata.type": f"{EVIDENCE}{kind}",
        "createdDateTime": timestamp(row.created_at),
        "verdict": "malicious" if role == "Impacted" else "suspicious",
        "remediationStatus": "none",
        "remediationStatusDetails": None,
        "roles": [],
        "detailedRoles": [],
        "tags": [],
    }


def _device_evidence(row: Alert, device: dict[str, Any]) -> dict[str, Any]:
    return {
        **_common(row, "deviceEvidence", "Impacted"),
        "firstSeenDateTime": device.get("firstSeen"),
        "mdeDeviceId": device.get("mdatpDeviceId"),
        "azureAdDeviceId": device.get("aadDeviceId"),
        "deviceDnsName": device.get("deviceDnsName"),
        "osPlatform": device.get("osPlatform"),
        "osBuild": device.get("osBuild"),
        "version": device.get("version"),
        "healthStatus": to_graph(device.get("healthStatus")),
        "riskScore": to_graph(device.get("riskScore")),
        "rbacGroupId": device.get("rbacGroupId"),
        "rbacGroupName": device.get("rbacGroupName"),
    }


def _file_details(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "sha1": e.get("sha1"),
        "sha256": e.get("sha256"),
        "fileName": e.get("fileName"),
        "filePath": e.get("filePath"),
    }


def _entity_evidence(row: Alert, e: dict[str, Any]) -> dict[str, Any]:
    kind = e.get("entityType")
    role = e.get("evidenceRole")
    if kind == "User":
        return {
            **_common(row, "userEvidence", role),
            "userAccount": {
                "accountName": e.get("accountName"),
                "domainName": e.get("domainName"),
                "userSid": e.get("userSid"),
                "azureAdUserId": e.get("aadUserId"),
                "userPrincipalName": e.get("userPrincipalName"),
            },
        }
    if kind == "Ip":
        return {**_common(row, "ipEvidence", role), "ipAddress": e.get("ipAddress")}
    if kind == "Url":
        return {**_common(row, "urlEvidence", role), "url": e.get("url")}
    if kind == "File":
        return {**_common(row, "fileEvidence", role), "fileDetails": _file_details(e)}
    if kind == "Process":
        return {
            **_common(row, "processEvidence", role),
            "processId": e.get("processId"),
            "processCommandLine": e.get("processCommandLine"),
            "processCreationDateTime": e.get("processCreationTime"),
            "parentProcessId": e.get("parentProcessId"),
            "parentProcessCreationDateTime": e.get("parentProcessCreationTime"),
            "imageFile": _file_details(e),
        }
    if kind == "MailBox":
        return {
            **_common(row, "mailboxEvidence", role),
            "primaryAddress": e.get("mailboxAddress"),
            "displayName": e.get("mailboxDisplayName"),
        }
    if kind == "MailMessage":
        return {
            **_common(row, "analyzedMessageEvidence", role),
            "subject": e.get("subject"),
            "senderIp": e.get("ipAddress"),
            "p1Sender": {"emailAddress": e.get("sender")},
            "recipientEmailAddress": e.get("recipient"),
            "deliveryAction": e.get("deliveryAction"),
            "networkMessageId": e.get("networkMessageId"),
        }
    if kind == "Registry":
        return {
            **_common(row, "registryValueEvidence", role),
            "registryHive": e.get("registryHive"),
            "registryKey": e.get("registryKey"),
            "registryValueType": e.get("registryValueType"),
            "registryValue": e.get("registryValue"),
        }
    return {
        **_common(
            row, "securityGroupEvidence" if kind == "SecurityGroup" else "alertEvidence", role
        )
    }


def comment(row: IncidentComment) -> dict[str, Any]:
    """A `microsoft.graph.security.alertComment`."""
    return {
        "comment": row.comment,
        "createdByDisplayName": row.created_by,
        "createdDateTime": timestamp(row.created_at),
    }
