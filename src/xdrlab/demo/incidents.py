"""Turning the telemetry generator's incident specs into control-plane incidents and alerts.

The specs point at lake rows (device ids, hashes, command lines, times), and so do the rows
made here: what `GET /api/incidents/{id}` shows is what advanced hunting finds.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xdrlab.demo.telemetry.model import AlertSpec, DeviceSpec, EntitySpec, IncidentSpec
from xdrlab.store.models import Alert, Incident
from xdrlab.timefmt import iso7


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def device_json(device: DeviceSpec) -> dict[str, Any]:
    """A device in the Defender API's JSON-example shape (`mdatpDeviceId`, integer `osBuild`)."""
    return {
        "mdatpDeviceId": device.device_id,
        "aadDeviceId": device.aad_device_id,
        "deviceDnsName": device.device_name,
        "osPlatform": device.os_platform,
        "version": device.os_version,
        "osProcessor": device.os_processor,
        "osBuild": device.os_build,
        "healthStatus": device.health_status,
        "riskScore": device.risk_score,
        "rbacGroupName": device.rbac_group_name,
        "rbacGroupId": zlib.crc32(device.rbac_group_name.encode()) % 10_000,
        "firstSeen": iso7(device.first_seen),
        "tags": [],
    }


def entity_json(entity: EntitySpec) -> dict[str, Any]:
    fields = {
        key: iso7(value) if isinstance(value, dt.datetime) else value
        for key, value in entity.fields.items()
    }
    return {"entityType": entity.entity_type, "evidenceRole": entity.evidence_role, **fields}


def _alert(tenant_id: str, spec: AlertSpec) -> Alert:
    resolved = spec.status == "Resolved"
    return Alert(
        id=spec.alert_id,
        tenant_id=tenant_id,
        title=spec.title,
        description=spec.description,
        category=spec.category,
        severity=spec.severity,
        status=spec.status,
        service_source=spec.service_source,
        detection_source=spec.detection_source,
        investigation_state="PendingApproval" if not resolved else "SuccessfullyRemediated",
        threat_family_name=spec.threat_family_name,
        actor_name=spec.actor_name,
        mitre_techniques=list(spec.mitre_techniques),
        devices=[device_json(d) for d in spec.devices],
        entities=[entity_json(e) for e in spec.entities],
        created_at=_utc(spec.created),
        last_update_at=_utc(spec.created),
        resolved_at=_utc(spec.last_activity) if resolved else None,
        first_activity_at=_utc(spec.first_activity),
        last_activity_at=_utc(spec.last_activity),
    )


def load_incidents(session: Session, tenant_id: str, specs: tuple[IncidentSpec, ...]) -> int:
    """Add the incidents unless the tenant has some already; returns how many were added."""
    existing = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.tenant_id == tenant_id)
    )
    if existing:
        return 0
    for spec in specs:
        incident = Incident(
            tenant_id=tenant_id,
            display_name=spec.title,
            severity=spec.severity,
            status=spec.status,
            classification=spec.classification,
            determination=spec.determination,
            assigned_to=spec.assigned_to,
            detection_source=spec.alerts[0].detection_source if spec.alerts else "",
            tags=list(spec.tags),
            created_at=_utc(spec.created),
            last_update_at=_utc(spec.last_update),
        )
        incident.alerts = [_alert(tenant_id, a) for a in spec.alerts]
        session.add(incident)
    session.flush()
    return len(specs)
