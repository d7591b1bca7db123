"""The incidents point at the rows: the same devices, times, hashes, command lines, accounts and
message ids; AlertInfo and AlertEvidence agree with the alert specs."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from tests.demo.conftest import NOW, Generated
from xdrlab.demo.telemetry.alerts import DETECTION_SOURCES, SERVICE_SOURCES
from xdrlab.demo.telemetry.model import AlertSpec, EntitySpec, IncidentSpec

PHISHING = "phishing-to-lateral-movement"
SPRAY = "password-spray-inbox-rule"


def _alert(incident: IncidentSpec, category: str) -> AlertSpec:
    return next(a for a in incident.alerts if a.category == category)


def _entities(alert: AlertSpec, kind: str) -> list[EntitySpec]:
    return [e for e in alert.entities if e.entity_type == kind]


def test_stories_are_recent_and_complete(demo: Generated) -> None:
    stories = {i.story for i in demo.result.incidents}
    assert {PHISHING, SPRAY} <= stories
    assert any(i.status == "Resolved" for i in demo.result.incidents)
    main = demo.result.incident(PHISHING)
    assert main.severity == "High"
    assert {a.category for a in main.alerts} >= {
        "InitialAccess",
        "Execution",
        "CredentialAccess",
        "LateralMovement",
    }
    for incident in demo.result.incidents:
        for alert in incident.alerts:
            assert alert.first_activity <= alert.last_activity <= alert.created < NOW
    assert NOW - timedelta(days=7) < main.created


def test_macro_document_is_in_the_mail_and_on_the_device(demo: Generated) -> None:
    main = demo.result.incident(PHISHING)
    initial = _alert(main, "InitialAccess")
    doc = next(e for e in _entities(initial, "File") if e.fields["fileName"].endswith(".docm"))
    message = _entities(initial, "MailMessage")[0]
    nmid = message.evidence["NetworkMessageId"]
    sha256 = doc.fields["sha256"]
    rows = demo.query(
        "select e.RecipientEmailAddress, e.Subject, e.DeliveryAction, a.FileName from {EmailEvents} e "
        "join {EmailAttachmentInfo} a using (NetworkMessageId) where a.SHA256 = ?",
        sha256,
    )
    assert rows == [
        (
            message.fields["recipient"],
            message.fields["subject"],
            "Delivered",
            doc.fields["fileName"],
        )
    ]
    assert demo.query("select count(*) from {EmailEvents} where NetworkMessageId = ?", nmid) == [
        (1,)
    ]
    execution = _alert(main, "Execution")
    device = execution.devices[0]
    rows = demo.query(
        "select DeviceName, InitiatingProcessFileName, FolderPath from {DeviceFileEvents} "
        "where SHA256 = ? and ActionType = 'FileCreated'",
        sha256,
    )
    assert rows == [
        (device.device_name, "OUTLOOK.EXE", doc.fields["filePath"] + "\\" + doc.fields["fileName"])
    ]
    clicks = demo.query("select AccountUpn from {UrlClickEvents} where NetworkMessageId = ?", nmid)
    assert clicks == [(message.fields["recipient"],)]


def test_encoded_powershell_ran_from_word_on_the_alerted_device(demo: Generated) -> None:
    execution = _alert(demo.result.incident(PHISHING), "Execution")
    device = execution.devices[0]
    ps = next(
        e
        for e in _entities(execution, "Process")
        if "-EncodedCommand" in e.fields["processCommandLine"]
    )
    rows = demo.query(
        "select DeviceId, DeviceName, Timestamp, ProcessId, InitiatingProcessFileName, InitiatingProcessId, AccountName "
        "from {DeviceProcessEvents} where ProcessCommandLine = ?",
        ps.fields["processCommandLine"],
    )
    assert rows == [
        (
            device.device_id,
            device.device_name,
            ps.fields["processCreationTime"],
            ps.fields["processId"],
            "WINWORD.EXE",
            ps.fields["parentProcessId"],
            ps.fields["accountName"],
        )
    ]
    assert execution.first_activity <= ps.fields["processCreationTime"] <= execution.last_activity
    script = base64.b64decode(ps.fields["processCommandLine"].rsplit(" ", 1)[1]).decode("utf-16-le")
    assert "DownloadFile" in script
    # What a hunting query for Office spawning encoded PowerShell in the last week finds.
    hits = demo.query(
        "select count(*) from {DeviceProcessEvents} where Timestamp > ? "
        "and lower(InitiatingProcessFileName) in ('winword.exe', 'excel.exe') "
        "and FileName = 'powershell.exe' and ProcessCommandLine ilike '%-EncodedCommand%'",
        NOW - timedelta(days=7),
    )
    assert hits == [(1,)]


def test_payload_download_and_beacons(demo: Generated) -> None:
    execution = _alert(demo.result.incident(PHISHING), "Execution")
    device = execution.devices[0]
    payload = next(e for e in _entities(execution, "File") if e.fields["fileName"].endswith(".exe"))
    url = _entities(execution, "Url")[0].fields["url"]
    rows = demo.query(
        "select DeviceId, FileOriginUrl from {DeviceFileEvents} where SHA256 = ? and FolderPath like 'C:%'",
        payload.fields["sha256"],
    )
    assert (device.device_id, url) in rows
    ip = _entities(execution, "Ip")[0].fields["ipAddress"]
    beacons = demo.query(
        "select count(*), count(distinct DeviceId) from {DeviceNetworkEvents} where RemoteIP = ?",
        ip,
    )
    assert beacons[0][0] > 10 and beacons[0][1] == 2


def test_lsass_dump_and_lateral_movement(demo: Generated) -> None:
    main = demo.result.incident(PHISHING)
    cred = _alert(main, "CredentialAccess")
    dumper = _entities(cred, "Process")[0]
    rows = demo.query(
        "select FileName, DeviceId from {DeviceProcessEvents} where ProcessCommandLine = ?",
        dumper.fields["processCommandLine"],
    )
    assert rows == [("rundll32.exe", cred.devices[0].device_id)]
    assert "comsvcs.dll, MiniDump" in dumper.fields["processCommandLine"]
    lateral = [a for a in main.alerts if a.category == "LateralMovement"]
    psexec = next(a for a in lateral if "PsExec" in a.title)
    source, target = psexec.devices
    admin = _entities(psexec, "User")[0].fields["accountName"]
    logons = demo.query(
        "select RemoteIP, RemoteDeviceName from {DeviceLogonEvents} where DeviceId = ? and LogonType = 'Network' "
        "and AccountName = ? and ActionType = 'LogonSuccess' and RemoteDeviceName = ?",
        target.device_id,
        admin,
        source.device_name,
    )
    assert logons == [(source.local_ip, source.device_name)]
    services = demo.query(
        "select count(*) from {DeviceEvents} where DeviceId = ? and ActionType = 'ServiceInstalled'",
        target.device_id,
    )
    assert services == [(1,)]
    rdp = next(a for a in lateral if a is not psexec)
    dc = rdp.devices[1]
    assert demo.query(
        "select count(*) from {DeviceLogonEvents} where DeviceId = ? and LogonType = 'RemoteInteractive' and AccountName = ?",
        dc.device_id,
        admin,
    ) == [(1,)]


def test_password_spray_and_inbox_rule(demo: Generated) -> None:
    spray = demo.result.incident(SPRAY)
    user = _entities(spray.alerts[0], "User")[0].fields
    ip = _entities(spray.alerts[0], "Ip")[0].fields["ipAddress"]
    failed, succeeded = demo.query(
        "select count(*) filter (where ActionType = 'LogonFailed'), "
        "count(*) filter (where ActionType = 'LogonSuccess' and AccountUpn = ?) from {IdentityLogonEvents} where IPAddress = ?",
        user["userPrincipalName"],
        ip,
    )[0]
    assert failed > 20 and succeeded == 1
    rules = demo.query(
        "select RawEventData from {CloudAppEvents} where ActionType = 'New-InboxRule' and AccountObjectId = ?",
        user["aadUserId"],
    )
    assert len(rules) == 1
    raw = json.loads(str(rules[0][0]))
    assert any(p["Name"] == "ForwardTo" for p in raw["Parameters"])


def test_the_attacker_deletes_the_invoice_thread_it_read(demo: Generated) -> None:
    spray = demo.result.incident(SPRAY)
    user = _entities(spray.alerts[0], "User")[0].fields
    ip = _entities(spray.alerts[0], "Ip")[0].fields["ipAddress"]
    read = {
        item["InternetMessageId"]
        for (raw,) in demo.query(
            "select RawEventData from {CloudAppEvents} where ActionType = 'MailItemsAccessed' "
            "and AccountObjectId = ? and IPAddress = ?",
            user["aadUserId"],
            ip,
        )
        for folder in json.loads(str(raw))["Folders"]
        for item in folder["FolderItems"]
    }
    rows = demo.query(
        "select ActionType, ObjectId, ActivityObjects from {CloudAppEvents} "
        "where ActionType in ('MoveToDeletedItems', 'HardDelete') and AccountObjectId = ? "
        "and IPAddress = ? order by Timestamp",
        user["aadUserId"],
        ip,
    )
    assert [r[0] for r in rows] == ["MoveToDeletedItems"] * 2 + ["HardDelete"] * 2
    deleted = {r[1] for r in rows}
    assert len(deleted) == 2 and deleted <= read
    folders = {"MoveToDeletedItems": ["Inbox", "Deleted Items"], "HardDelete": ["Deleted Items"]}
    for action, message_id, objects in rows:
        parsed = json.loads(str(objects))
        (actor,) = [o for o in parsed if o["Type"] == "User"]
        (email,) = [o for o in parsed if o["Type"] == "Email"]
        assert actor["Id"] == user["userPrincipalName"] and actor["Role"] == "Actor"
        assert email["Id"] == message_id and "Invoice" in email["Name"]
        assert email["Role"] == "Target object"
        folder = [o for o in parsed if o["Type"] == "Folder"]
        assert [o["Name"] for o in folder] == folders[action]
        assert all(o["Id"].startswith("LgAAAA") for o in folder)


def test_file_evidence_is_the_file_entity_with_its_host(demo: Generated) -> None:
    devices = {d.device_id: d for i in demo.result.incidents for a in i.alerts for d in a.devices}
    for incident in demo.result.incidents:
        for alert in incident.alerts:
            files = {e.fields["sha256"]: e.fields for e in _entities(alert, "File")}
            rows = demo.query(
                "select SHA256, AdditionalFields from {AlertEvidence} "
                "where AlertId = ? and EntityType = 'File'",
                alert.alert_id,
            )
            assert len(rows) == len(files), alert.title
            for sha256, additional in rows:
                spec, fields = files[sha256], json.loads(str(additional))
                assert fields["Type"] == "file"
                assert (fields["Name"], fields["Directory"]) == (
                    spec["fileName"],
                    spec["filePath"],
                )
                assert {h["Algorithm"]: h["Value"] for h in fields["FileHashes"]} == {
                    "SHA1": spec["sha1"],
                    "SHA256": spec["sha256"],
                }
                device = devices[spec["deviceId"]]
                assert fields["Host"]["MdatpDeviceId"] == device.device_id
                assert fields["Host"]["FQDN"] == device.device_name


def test_alert_tables_agree_with_the_specs(demo: Generated) -> None:
    alerts = [a for i in demo.result.incidents for a in i.alerts]
    info = {
        row[0]: row[1:]
        for row in demo.query(
            "select AlertId, Timestamp, Title, Category, Severity, ServiceSource, DetectionSource, AttackTechniques from {AlertInfo}"
        )
    }
    assert set(info) == {a.alert_id for a in alerts}
    for alert in alerts:
        created, title, category, severity, service, detection, techniques = info[alert.alert_id]
        assert (created, title, category, severity) == (
            alert.created,
            alert.title,
            alert.category,
            alert.severity,
        )
        assert service == SERVICE_SOURCES[alert.service_source]
        assert detection == DETECTION_SOURCES[alert.detection_source]
        assert [t.rsplit("(", 1)[1].rstrip(")") for t in json.loads(str(techniques))] == list(
            alert.mitre_techniques
        )
        evidence = demo.query(
            "select EntityType, EvidenceRole, SHA256, ProcessCommandLine, AccountName, RemoteIP, RemoteUrl, NetworkMessageId, DeviceId "
            "from {AlertEvidence} where AlertId = ? and EntityType <> 'Machine'",
            alert.alert_id,
        )
        expected = sorted(
            (
                e.entity_type,
                e.evidence_role,
                e.fields.get("sha256") or "",
                e.fields.get("processCommandLine") or "",
                e.fields.get("accountName") or "",
                e.fields.get("ipAddress") or "",
                e.fields.get("url") or "",
                e.evidence.get("NetworkMessageId", ""),
            )
            for e in alert.entities
        )
        assert sorted(row[:8] for row in evidence) == expected, alert.title
        machines = demo.query(
            "select DeviceId, DeviceName from {AlertEvidence} where AlertId = ? and EntityType = 'Machine'",
            alert.alert_id,
        )
        assert sorted(machines) == sorted((d.device_id, d.device_name) for d in alert.devices)


def test_alerted_devices_and_users_exist(demo: Generated) -> None:
    known = {
        row[0]: row[1]
        for row in demo.query("select distinct DeviceId, DeviceName from {DeviceInfo}")
    }
    for incident in demo.result.incidents:
        for alert in incident.alerts:
            for device in alert.devices:
                assert known[device.device_id] == device.device_name
    upns = {row[0] for row in demo.query("select distinct AccountUpn from {IdentityInfo}")}
    assert set(demo.result.users) == upns
    assert all(u.endswith("@contoso.onmicrosoft.com") for u in upns)


def test_endpoint_alert_ids_look_real(demo: Generated) -> None:
    for incident in demo.result.incidents:
        for alert in incident.alerts:
            if alert.service_source == "MicrosoftDefenderForEndpoint":
                head, tail = alert.alert_id.split("_")
                assert head.startswith("da") and len(head) == 20 and int(tail) != 0
