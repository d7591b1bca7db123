"""The everyday incidents of a healthy tenant: an antivirus test file, a phish purged after
delivery, a blocked potentially unwanted app — most of them already resolved."""

from __future__ import annotations

from datetime import datetime, timedelta

from xdrlab.demo.telemetry.alerts import alert_id
from xdrlab.demo.telemetry.fleet import Org, stable_guid
from xdrlab.demo.telemetry.frame import dumps
from xdrlab.demo.telemetry.model import AlertSpec, EntitySpec, IncidentSpec
from xdrlab.demo.telemetry.rng import py_random
from xdrlab.demo.telemetry.software import IMAGES, file_hashes
from xdrlab.demo.telemetry.story import SYSTEM, Account, Proc, Rows


def build(org: Org, now: datetime, seed: int, rows: Rows) -> list[IncidentSpec]:
    """Small alerts, most of them already handled."""
    rnd = py_random(seed, "everyday")
    out: list[IncidentSpec] = []
    ws = org.workstations

    # 1. EICAR test file, an analyst testing the antivirus (resolved, security testing).
    device = ws[rnd.randrange(len(ws))]
    person = org.people[device.owner]
    when = datetime.combine((now - timedelta(days=12)).date(), datetime.min.time()) + timedelta(
        hours=14, minutes=rnd.randrange(60)
    )
    md5, sha1, sha256 = file_hashes("eicar")
    chrome = Proc(
        IMAGES["chrome"],
        5_000 + 4 * rnd.randrange(500),
        f'"{IMAGES["chrome"].path}" ',
        when - timedelta(hours=1),
        Account.of(org, person, 0x100000 + rnd.randrange(1 << 20)),
        Proc(
            IMAGES["explorer"],
            4_400,
            "C:\\Windows\\Explorer.EXE",
            when - timedelta(hours=5),
            Account.of(org, person, 0x100000),
        ),
    )
    path = f"C:\\Users\\{person.account_name}\\Downloads\\eicar.com.txt"
    rows.event(
        "DeviceFileEvents",
        device,
        when,
        chrome,
        ActionType="FileCreated",
        FileName="eicar.com.txt",
        FolderPath=path,
        SHA1=sha1,
        SHA256=sha256,
        MD5=md5,
        FileSize=68,
        FileOriginUrl="https://secure.eicar.org/eicar.com.txt",
    )
    msmpeng = Proc(
        IMAGES["msmpeng"],
        3_900,
        f'"{IMAGES["msmpeng"].path}"',
        when - timedelta(days=2),
        SYSTEM,
        Proc(
            IMAGES["services"],
            700,
            "C:\\Windows\\system32\\services.exe",
            when - timedelta(days=2),
            SYSTEM,
        ),
    )
    rows.event(
        "DeviceEvents",
        device,
        when + timedelta(seconds=1),
        msmpeng,
        ActionType="AntivirusDetection",
        FileName="eicar.com.txt",
        FolderPath=path,
        SHA1=sha1,
        SHA256=sha256,
        MD5=md5,
        AdditionalFields=dumps(
            {
                "ThreatName": "Virus:DOS/EICAR_Test_File",
                "WasRemediated": True,
                "Action": "quarantine",
                "Category": "Virus",
            }
        ),
    )
    created = when + timedelta(minutes=1, microseconds=rnd.randrange(1_000_000))
    alert = AlertSpec(
        alert_id("MicrosoftDefenderForEndpoint", created, seed, "eicar"),
        "'EICAR_Test_File' malware was prevented",
        "Microsoft Defender Antivirus detected and quarantined a test file.",
        "Malware",
        "Informational",
        "MicrosoftDefenderForEndpoint",
        "WindowsDefenderAv",
        (),
        created,
        when,
        when + timedelta(seconds=1),
        "Resolved",
        (device.spec,),
        (
            EntitySpec(
                "File",
                "Related",
                {
                    "sha1": sha1,
                    "sha256": sha256,
                    "fileName": "eicar.com.txt",
                    "filePath": path.rsplit("\\", 1)[0],
                    "deviceId": device.id,
                },
                {"FileSize": 68, "ThreatFamily": "EICAR_Test_File"},
            ),
        ),
        threat_family_name="EICAR_Test_File",
        classification="InformationalExpectedActivity",
        determination="SecurityTesting",
        assigned_to=org.people[-1].upn,
        resolved=created + timedelta(hours=2),
    )
    out.append(
        IncidentSpec(
            "'EICAR_Test_File' malware was prevented on one endpoint",
            "Informational",
            "Resolved",
            created,
            created + timedelta(hours=2),
            (alert,),
            "InformationalExpectedActivity",
            "SecurityTesting",
            org.people[-1].upn,
            story="eicar-test",
        )
    )

    # 2. A phish blocked at the door, reported by a user (resolved true positive).
    person = [p for p in org.people if not p.is_admin][rnd.randrange(len(org.people) - 1)]
    when = datetime.combine((now - timedelta(days=8)).date(), datetime.min.time()) + timedelta(
        hours=10, minutes=rnd.randrange(60)
    )
    nmid = stable_guid(seed, "everyday", "phish")
    subject = "Action required: verify your mailbox"
    url = "https://m1crosoft-verify.example.com/login"
    rows.add(
        "EmailEvents",
        {
            "Timestamp": when,
            "NetworkMessageId": nmid,
            "InternetMessageId": f"<{nmid[:18]}@m1crosoft-verify.example.com>",
            "SenderMailFromAddress": "it-desk@m1crosoft-verify.example.com",
            "SenderFromAddress": "it-desk@m1crosoft-verify.example.com",
            "SenderDisplayName": "IT Service Desk",
            "SenderMailFromDomain": "m1crosoft-verify.example.com",
            "SenderFromDomain": "m1crosoft-verify.example.com",
            "SenderIPv4": "198.51.100.9",
            "RecipientEmailAddress": person.upn,
            "RecipientObjectId": person.object_id,
            "Subject": subject,
            "EmailClusterId": 2_718_281_828,
            "EmailDirection": "Inbound",
            "DeliveryAction": "Delivered",
            "DeliveryLocation": "Inbox/folder",
            "AuthenticationDetails": '{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}',
            "AttachmentCount": 0,
            "UrlCount": 1,
            "EmailLanguage": "en",
            "ReportId": f"{nmid}-1",
            "AdditionalFields": "{}",
            "LatestDeliveryLocation": "Quarantine",
            "LatestDeliveryAction": "Moved to quarantine",
        },
    )
    rows.add(
        "EmailUrlInfo",
        {
            "Timestamp": when,
            "NetworkMessageId": nmid,
            "Url": url,
            "UrlDomain": "m1crosoft-verify.example.com",
            "UrlLocation": "Body",
            "ReportId": f"{nmid}-1",
        },
    )
    zap = when + timedelta(minutes=47)
    rows.add(
        "EmailPostDeliveryEvents",
        {
            "Timestamp": zap,
            "NetworkMessageId": nmid,
            "InternetMessageId": f"<{nmid[:18]}@m1crosoft-verify.example.com>",
            "Action": "Moved to quarantine",
            "ActionType": "Phish ZAP",
            "ActionTrigger": "SpecialAction",
            "ActionResult": "Success",
            "RecipientEmailAddress": person.upn,
            "DeliveryLocation": "Quarantine",
            "ThreatTypes": "Phish",
            "DetectionMethods": '{"Phish":["URL detonation reputation"]}',
            "ReportId": f"{nmid}-2",
        },
    )
    created = zap + timedelta(minutes=2, microseconds=rnd.randrange(1_000_000))
    alert = AlertSpec(
        alert_id("MicrosoftDefenderForOffice365", created, seed, "phish"),
        "Email messages containing phish URLs removed after delivery",
        "Emails with a phishing link were delivered and later removed by zero-hour auto purge.",
        "InitialAccess",
        "Informational",
        "MicrosoftDefenderForOffice365",
        "OfficeATP",
        ("T1566.002",),
        created,
        when,
        zap,
        "Resolved",
        (),
        (
            EntitySpec(
                "MailMessage",
                "Related",
                {
                    "sender": "it-desk@m1crosoft-verify.example.com",
                    "recipient": person.upn,
                    "subject": subject,
                    "deliveryAction": "Delivered",
                },
                {"NetworkMessageId": nmid},
            ),
            EntitySpec("Url", "Related", {"url": url}),
            EntitySpec(
                "MailBox",
                "Impacted",
                {
                    "mailboxDisplayName": person.display_name,
                    "mailboxAddress": person.upn,
                    "userPrincipalName": person.upn,
                },
            ),
        ),
        classification="TruePositive",
        determination="Phishing",
        assigned_to="Automation",
        resolved=created + timedelta(minutes=20),
    )
    out.append(
        IncidentSpec(
            "Email messages containing phish URLs removed after delivery involving one user",
            "Informational",
            "Resolved",
            created,
            created + timedelta(minutes=20),
            (alert,),
            "TruePositive",
            "Phishing",
            "Automation",
            story="zapped-phish",
        )
    )

    # 3. Potentially unwanted app blocked (low, still open).
    device = ws[rnd.randrange(len(ws))]
    person = org.people[device.owner]
    when = datetime.combine((now - timedelta(days=1)).date(), datetime.min.time()) + timedelta(
        hours=11, minutes=rnd.randrange(60)
    )
    md5, sha1, sha256 = file_hashes(f"pua/{seed}")
    edge = Proc(
        IMAGES["msedge"],
        6_000 + 4 * rnd.randrange(500),
        f'"{IMAGES["msedge"].path}" --profile-directory=Default',
        when - timedelta(minutes=30),
        Account.of(org, person, 0x100000 + rnd.randrange(1 << 20)),
        Proc(
            IMAGES["explorer"],
            4_400,
            "C:\\Windows\\Explorer.EXE",
            when - timedelta(hours=3),
            Account.of(org, person, 0x100000),
        ),
    )
    path = f"C:\\Users\\{person.account_name}\\Downloads\\FreePDFConverterSetup.exe"
    rows.event(
        "DeviceFileEvents",
        device,
        when,
        edge,
        ActionType="FileCreated",
        FileName="FreePDFConverterSetup.exe",
        FolderPath=path,
        SHA1=sha1,
        SHA256=sha256,
        MD5=md5,
        FileSize=3_421_184,
        FileOriginUrl="http://free-pdf-converter.example.net/download",
    )
    rows.event(
        "DeviceEvents",
        device,
        when + timedelta(seconds=2),
        msmpeng,
        ActionType="AntivirusDetection",
        FileName="FreePDFConverterSetup.exe",
        FolderPath=path,
        SHA1=sha1,
        SHA256=sha256,
        MD5=md5,
        AdditionalFields=dumps(
            {
                "ThreatName": "PUA:Win32/InstallCore",
                "WasRemediated": True,
                "Action": "quarantine",
                "Category": "PUA",
            }
        ),
    )
    created = when + timedelta(minutes=1, microseconds=rnd.randrange(1_000_000))
    alert = AlertSpec(
        alert_id("MicrosoftDefenderForEndpoint", created, seed, "pua"),
        "'InstallCore' unwanted software was prevented",
        "Microsoft Defender Antivirus blocked a potentially unwanted application.",
        "Malware",
        "Low",
        "MicrosoftDefenderForEndpoint",
        "WindowsDefenderAv",
        (),
        created,
        when,
        when + timedelta(seconds=2),
        "New",
        (device.spec,),
        (
            EntitySpec(
                "File",
                "Related",
                {
                    "sha1": sha1,
                    "sha256": sha256,
                    "fileName": "FreePDFConverterSetup.exe",
                    "filePath": path.rsplit("\\", 1)[0],
                    "deviceId": device.id,
                },
                {"FileSize": 3_421_184, "ThreatFamily": "InstallCore"},
            ),
            EntitySpec(
                "User",
                "Impacted",
                {
                    "accountName": person.account_name,
                    "domainName": org.netbios,
                    "userSid": person.sid,
                    "aadUserId": person.object_id,
                    "userPrincipalName": person.upn,
                },
            ),
        ),
        threat_family_name="InstallCore",
    )
    out.append(
        IncidentSpec(
            "'InstallCore' unwanted software was prevented on one endpoint",
            "Low",
            "Active",
            created,
            created,
            (alert,),
            story="pua-blocked",
        )
    )
    return out
