"""What the demo telemetry generator hands back: devices, incidents, alerts and their evidence.

Every spec points at rows the generator wrote to the lake (same device ids, timestamps, hashes,
command lines, accounts, message ids), so the incidents API and advanced hunting agree.
All datetimes are naive UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DeviceSpec:
    device_id: str  # 40-hex MDE device id (mdatpDeviceId / DeviceId column)
    device_name: str  # FQDN, e.g. "ws-0042.contoso.com" (deviceDnsName / DeviceName)
    aad_device_id: str | None
    os_platform: str  # "Windows11", "Windows10", "WindowsServer2022", ...
    os_build: int
    os_version: str  # e.g. "22H2"
    os_processor: str  # "x64"
    health_status: str  # "Active"
    risk_score: str  # "None", "Low", "Medium", "High"
    rbac_group_name: str
    first_seen: datetime
    exposure_level: str = "Low"  # "None", "Low", "Medium", "High"
    device_type: str = "Workstation"  # "Workstation" | "Server"
    public_ip: str = ""
    local_ip: str = ""
    machine_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntitySpec:
    entity_type: str  # Defender entityType: User, Ip, Url, File, Process, MailBox, MailMessage, ...
    evidence_role: str  # "Impacted" | "Related" (AlertEvidence.EvidenceRole)
    # Keys of the Defender API entity object (sha1, sha256, fileName, filePath, processId,
    # processCommandLine, processCreationTime, parentProcessId, parentProcessCreationTime,
    # ipAddress, url, accountName, domainName, userSid, aadUserId, userPrincipalName,
    # mailboxDisplayName, mailboxAddress, clusterBy, sender, recipient, subject, deliveryAction,
    # securityGroupId, securityGroupName, registryHive, registryKey, registryValueType,
    # registryValue, deviceId) — only the ones that apply.
    fields: Mapping[str, Any] = field(default_factory=dict)
    # Extra AlertEvidence columns the API entity has no key for (NetworkMessageId, FileSize,
    # DeviceName, RegistryValueName, ThreatFamily, ...), by hunting column name.
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertSpec:
    alert_id: str  # production-looking ids, e.g. "da638123456789012345_-1234567890"
    title: str
    description: str
    category: str  # InitialAccess, Execution, CredentialAccess, LateralMovement, ...
    severity: str  # Informational | Low | Medium | High
    service_source: str  # MicrosoftDefenderForEndpoint | MicrosoftDefenderForOffice365 | ...
    detection_source: str  # EDR | WindowsDefenderAv | OfficeATP | AutomatedInvestigation | ...
    mitre_techniques: tuple[str, ...]
    created: datetime
    first_activity: datetime
    last_activity: datetime
    status: str  # New | InProgress | Resolved
    devices: tuple[DeviceSpec, ...]
    entities: tuple[EntitySpec, ...]
    threat_family_name: str | None = None
    actor_name: str | None = None
    classification: str | None = None  # TruePositive | FalsePositive | ... (None: not classified)
    determination: str | None = None
    assigned_to: str | None = None
    resolved: datetime | None = None


@dataclass(frozen=True)
class IncidentSpec:
    title: str  # incidentName
    severity: str  # UnSpecified | Informational | Low | Medium | High
    status: str  # Active | InProgress | Resolved
    created: datetime
    last_update: datetime
    alerts: tuple[AlertSpec, ...]
    classification: str = (
        "Unknown"  # Unknown | TruePositive | FalsePositive | InformationalExpectedActivity
    )
    determination: str = "NotAvailable"
    assigned_to: str | None = None
    tags: tuple[str, ...] = ()
    story: str = ""  # which generated story this is ("phishing-to-lateral-movement", ...)
