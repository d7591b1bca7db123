"""Alert ids, how the hunting tables name alert sources and techniques, and the AlertInfo and
AlertEvidence rows that describe each AlertSpec (one evidence row per entity, plus one
``Machine`` row per device).

A ``File`` row's AdditionalFields is the file entity as Defender records it: ``Name``,
``Directory``, ``FileHashes`` (one ``filehash`` object per algorithm) and the ``Host`` the file
was found on, as a nested ``host`` object."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from xdrlab.demo.telemetry.frame import dumps, from_rows
from xdrlab.demo.telemetry.model import AlertSpec, DeviceSpec, EntitySpec, IncidentSpec

# API serviceSource / detectionSource → the names AlertInfo and AlertEvidence use.
SERVICE_SOURCES = {
    "MicrosoftDefenderForEndpoint": "Microsoft Defender for Endpoint",
    "MicrosoftDefenderForOffice365": "Microsoft Defender for Office 365",
    "MicrosoftDefenderForIdentity": "Microsoft Defender for Identity",
    "MicrosoftCloudAppSecurity": "Microsoft Defender for Cloud Apps",
    "Microsoft365Defender": "Microsoft Defender XDR",
    "AzureAdIdentityProtection": "Microsoft Entra ID Protection",
}
DETECTION_SOURCES = {
    "EDR": "EDR",
    "WindowsDefenderAv": "Antivirus",
    "WindowsDefenderSmartScreen": "SmartScreen",
    "OfficeATP": "Microsoft Defender for Office 365",
    "AutomatedInvestigation": "Automated investigation",
    "MCAS": "Microsoft Defender for Cloud Apps",
    "AzureATP": "Microsoft Defender for Identity",
    "CustomDetection": "Custom detection",
    "MTP": "Microsoft Defender XDR",
}
TECHNIQUES = {
    "T1566.001": "Spearphishing Attachment",
    "T1204.002": "Malicious File",
    "T1059.001": "PowerShell",
    "T1027": "Obfuscated Files or Information",
    "T1105": "Ingress Tool Transfer",
    "T1547.001": "Registry Run Keys / Startup Folder",
    "T1003.001": "LSASS Memory",
    "T1218.011": "Rundll32",
    "T1087.002": "Domain Account",
    "T1069.002": "Domain Groups",
    "T1018": "Remote System Discovery",
    "T1021.002": "SMB/Windows Admin Shares",
    "T1021.001": "Remote Desktop Protocol",
    "T1569.002": "Service Execution",
    "T1543.003": "Windows Service",
    "T1071.001": "Web Protocols",
    "T1110.003": "Password Spraying",
    "T1078.004": "Cloud Accounts",
    "T1564.008": "Email Hiding Rules",
    "T1114.003": "Email Forwarding Rule",
    "T1204.001": "Malicious Link",
    "T1566.002": "Spearphishing Link",
}

_TICKS_AT_EPOCH = 621_355_968_000_000_000
_EPOCH = datetime(1970, 1, 1)


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()


def alert_id(service_source: str, created: datetime, *salt: object) -> str:
    """Ids shaped like production ones: ``da{ticks}_{int32}`` for endpoint alerts, prefixed
    GUID-like ids for the other products."""
    digest = _digest(service_source, created.isoformat(), *salt)
    if service_source == "MicrosoftDefenderForEndpoint":
        ticks = (
            _TICKS_AT_EPOCH
            + (created - _EPOCH).days * 864_000_000_000
            + ((created - _EPOCH).seconds * 10_000_000 + (created - _EPOCH).microseconds * 10)
        )
        return f"da{ticks}_{int.from_bytes(digest[:4], 'big', signed=True)}"
    h = digest.hex()
    guid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    prefix = {
        "MicrosoftDefenderForOffice365": "fa",
        "MicrosoftCloudAppSecurity": "ca",
        "MicrosoftDefenderForIdentity": "aa",
    }.get(service_source, "ed")
    return prefix + (guid.upper() if prefix == "ca" else guid)


def technique_names(ids: tuple[str, ...]) -> list[str]:
    return [f"{TECHNIQUES.get(t, t)} ({t})" for t in ids]


def alert_info_rows(alert: AlertSpec) -> dict[str, Any]:
    return {
        "Timestamp": alert.created,
        "AlertId": alert.alert_id,
        "Title": alert.title,
        "Category": alert.category,
        "Severity": alert.severity,
        "ServiceSource": SERVICE_SOURCES.get(alert.service_source, alert.service_source),
        "DetectionSource": DETECTION_SOURCES.get(alert.detection_source, alert.detection_source),
        "AttackTechniques": dumps(technique_names(alert.mitre_techniques)),
    }


def _host(device: DeviceSpec) -> dict[str, Any]:
    """A device as the nested ``host`` object of an evidence entity."""
    host_name, _, dns_domain = device.device_name.partition(".")
    host: dict[str, Any] = {
        "Type": "host",
        "HostName": host_name,
        "DnsDomain": dns_domain,
        "OSFamily": "Windows",
        "OSVersion": device.os_version,
        "FQDN": device.device_name,
        "MdatpDeviceId": device.device_id,
    }
    if device.aad_device_id:
        host["AadDeviceId"] = device.aad_device_id
    return host


def _file_fields(f: Mapping[str, Any], hosts: Mapping[str, DeviceSpec]) -> dict[str, Any]:
    """AdditionalFields of a ``File`` evidence row: the file entity with its hashes and host."""
    fields: dict[str, Any] = {"Type": "file", "Name": f["fileName"]}
    if f.get("filePath"):
        fields["Directory"] = f["filePath"]
    fields["FileHashes"] = [
        {"Algorithm": algorithm, "Value": f[key], "Type": "filehash"}
        for key, algorithm in (("sha1", "SHA1"), ("sha256", "SHA256"))
        if f.get(key)
    ]
    device = hosts.get(f.get("deviceId") or "")
    if device is not None:
        fields["Host"] = _host(device)
    return fields


def _entity_columns(entity: EntitySpec, hosts: Mapping[str, DeviceSpec]) -> dict[str, Any]:
    f = entity.fields
    row: dict[str, Any] = {}
    if "fileName" in f:
        row["FileName"] = f["fileName"]
        if "filePath" in f:
            row["FolderPath"] = f"{f['filePath']}\\{f['fileName']}"
    for key, column in (
        ("sha1", "SHA1"),
        ("sha256", "SHA256"),
        ("processCommandLine", "ProcessCommandLine"),
        ("ipAddress", "RemoteIP"),
        ("url", "RemoteUrl"),
        ("accountName", "AccountName"),
        ("domainName", "AccountDomain"),
        ("userSid", "AccountSid"),
        ("aadUserId", "AccountObjectId"),
        ("userPrincipalName", "AccountUpn"),
        ("subject", "EmailSubject"),
        ("deviceId", "DeviceId"),
        ("registryValue", "RegistryValueData"),
    ):
        if f.get(key) is not None:
            row[column] = f[key]
    if entity.entity_type == "MailBox" and f.get("mailboxAddress"):
        row["AccountUpn"] = f["mailboxAddress"]
    if entity.entity_type == "MailMessage" and f.get("recipient"):
        row["AccountUpn"] = f["recipient"]
    if f.get("registryKey"):
        hive = {
            "HKEY_CURRENT_USER": "HKEY_CURRENT_USER",
            "HKEY_LOCAL_MACHINE": "HKEY_LOCAL_MACHINE",
        }.get(f.get("registryHive") or "", f.get("registryHive") or "")
        row["RegistryKey"] = f"{hive}\\{f['registryKey']}" if hive else f["registryKey"]
    extra = {
        k: v for k, v in f.items() if v is not None and k not in {"processId", "parentProcessId"}
    }
    if "processId" in f:
        extra["processId"] = f["processId"]
    if entity.entity_type == "File" and "fileName" in f:
        row["AdditionalFields"] = dumps(_file_fields(f, hosts))
    else:
        row["AdditionalFields"] = dumps({"Type": entity.entity_type.lower(), **extra})
    row.update(entity.evidence)
    return row


def alert_tables(incidents: tuple[IncidentSpec, ...]) -> dict[str, pa.Table]:
    info: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    # every alerted device, so an entity on a device names it even in an alert without devices
    hosts = {
        d.device_id: d for incident in incidents for alert in incident.alerts for d in alert.devices
    }
    for incident in incidents:
        for alert in incident.alerts:
            base = alert_info_rows(alert)
            info.append(base)
            common = {
                "Timestamp": alert.created,
                "AlertId": alert.alert_id,
                "Title": alert.title,
                "Categories": dumps([alert.category]),
                "AttackTechniques": base["AttackTechniques"],
                "ServiceSource": base["ServiceSource"],
                "DetectionSource": base["DetectionSource"],
                "Severity": alert.severity,
            }
            first = alert.devices[0] if alert.devices else None
            for device in alert.devices:
                evidence.append(
                    {
                        **common,
                        "EntityType": "Machine",
                        "EvidenceRole": "Impacted",
                        "DeviceId": device.device_id,
                        "DeviceName": device.device_name,
                        "LocalIP": device.local_ip,
                        "AdditionalFields": dumps(
                            {
                                "Type": "machine",
                                "HostName": device.device_name.split(".", 1)[0],
                                "OSFamily": "Windows",
                            }
                        ),
                    }
                )
            for entity in alert.entities:
                row = {
                    **common,
                    "EntityType": entity.entity_type,
                    "EvidenceRole": entity.evidence_role,
                }
                if first is not None and entity.entity_type in ("File", "Process", "Registry"):
                    row["DeviceId"] = first.device_id
                    row["DeviceName"] = first.device_name
                row.update(_entity_columns(entity, hosts))
                evidence.append(row)
    return {
        "AlertInfo": from_rows("AlertInfo", info),
        "AlertEvidence": from_rows("AlertEvidence", evidence),
    }
