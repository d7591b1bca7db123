"""Background identity and cloud-app activity: Kerberos and NTLM seen by Defender for Identity,
Entra ID sign-ins, and Microsoft 365 activity (mail access, sends, SharePoint and Teams)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.demo.telemetry.fleet import Org
from xdrlab.demo.telemetry.frame import assemble
from xdrlab.demo.telemetry.rng import Stream, guids
from xdrlab.demo.telemetry.timeline import Window

_STRING = pa.string()


@dataclass(frozen=True)
class Logon:
    weight: int
    action: str
    application: str
    logon_type: str
    protocol: str
    port: int = 0
    failure: str = ""
    cloud: bool = False


LOGONS = [
    Logon(40, "LogonSuccess", "Active Directory", "Resource access", "Kerberos", 88),
    Logon(10, "LogonSuccess", "Active Directory", "Credentials validation", "Kerberos", 88),
    Logon(4, "LogonSuccess", "Active Directory", "Credentials validation", "Ntlm", 445),
    Logon(
        2,
        "LogonFailed",
        "Active Directory",
        "Credentials validation",
        "Kerberos",
        88,
        "WrongPassword",
    ),
    Logon(20, "LogonSuccess", "Microsoft Entra ID", "Interactive", "", cloud=True),
    Logon(
        1,
        "LogonFailed",
        "Microsoft Entra ID",
        "Interactive",
        "",
        failure="InvalidUserNameOrPassword",
        cloud=True,
    ),
]


def identity_logons(org: Org, window: Window, stream: Stream) -> pa.Table:
    n = stream.n
    people = [p for p in org.people if not p.is_admin]
    ws = org.workstations
    p = stream.weighted("kind", [x.weight for x in LOGONS])
    who = stream.below("who", len(people))
    dc_pick = stream.below("dc", 2)
    dcs = [org.server("dc01"), org.server("dc02")]

    def per(attr: str, typ: pa.DataType = _STRING) -> pa.Array:
        return pc.take(pa.array([getattr(x, attr) for x in LOGONS], typ), p)

    def person(attr: str) -> pa.Array:
        return pc.take(pa.array([getattr(x, attr) for x in people]), who)

    def device(attr: str) -> pa.Array:
        return pc.take(pa.array([getattr(ws[i % len(ws)], attr) for i in range(len(people))]), who)

    cloud = per("cloud", pa.bool_())
    empty = pa.scalar("", pa.string())
    return assemble(
        "IdentityLogonEvents",
        n,
        {
            "Timestamp": window.times(stream),
            "ActionType": per("action"),
            "Application": per("application"),
            "LogonType": per("logon_type"),
            "Protocol": per("protocol"),
            "FailureReason": per("failure"),
            "AccountName": person("account_name"),
            "AccountDomain": pc.if_else(
                cloud, pa.scalar(org.tenant_domain), pa.scalar(org.dns_domain)
            ),
            "AccountUpn": person("upn"),
            "AccountSid": pc.if_else(cloud, empty, person("sid")),
            "AccountObjectId": person("object_id"),
            "AccountDisplayName": person("display_name"),
            "DeviceName": pc.if_else(cloud, empty, device("name")),
            "DeviceType": "Desktop",
            "OSPlatform": pc.if_else(cloud, pa.scalar("Windows 10"), pa.scalar("Windows")),
            "IPAddress": pc.if_else(cloud, pa.scalar(org.public_ip), device("ip")),
            "Port": pc.if_else(
                cloud, pa.scalar(None, pa.int64()), stream.between("port", 49_152, 65_000)
            ),
            "DestinationDeviceName": pc.if_else(
                cloud, empty, pc.take(pa.array([d.name for d in dcs]), dc_pick)
            ),
            "DestinationIPAddress": pc.if_else(
                cloud, empty, pc.take(pa.array([d.ip for d in dcs]), dc_pick)
            ),
            "DestinationPort": pc.if_else(
                cloud, pa.scalar(None, pa.int64()), per("port", pa.int64())
            ),
            "Location": pc.if_else(cloud, pa.scalar("US"), empty),
            "Isp": pc.if_else(cloud, pa.scalar("Contoso Networks"), empty),
            "ReportId": guids(stream, "report"),
            "AdditionalFields": pc.if_else(
                cloud,
                pa.scalar(
                    '{"ARG.CLOUD_SERVICE":"Microsoft 365","Request.UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}'
                ),
                pa.scalar('{"Count":"1","Category":"Initial Access","AttackTechniques":""}'),
            ),
        },
    ).sort_by("Timestamp")


@dataclass(frozen=True)
class CloudAction:
    weight: int
    action: str
    application: str
    app_id: int
    workload: str
    object_type: str
    object_name: str
    activity: str = "Basic"
    admin: bool = False


def cloud_actions(org: Org) -> list[CloudAction]:
    sp = org.netbios.lower()
    site = f"https://{sp}.sharepoint.com/sites/Team/Shared Documents/"
    return [
        CloudAction(
            40,
            "MailItemsAccessed",
            "Microsoft Exchange Online",
            20893,
            "Exchange",
            "Folder",
            "Inbox",
        ),
        CloudAction(
            12,
            "Send",
            "Microsoft Exchange Online",
            20893,
            "Exchange",
            "Email",
            "RE: Purchase order",
        ),
        CloudAction(
            20,
            "FileAccessed",
            "Microsoft SharePoint Online",
            20892,
            "SharePoint",
            "File",
            site + "Project plan.docx",
        ),
        CloudAction(
            8,
            "FileModified",
            "Microsoft SharePoint Online",
            20892,
            "SharePoint",
            "File",
            site + "Forecast FY25.xlsx",
        ),
        CloudAction(
            10,
            "FileSyncUploadedFull",
            "Microsoft OneDrive for Business",
            15600,
            "OneDrive",
            "File",
            "Documents/Project plan.docx",
        ),
        CloudAction(
            15, "MessageSent", "Microsoft Teams", 28375, "MicrosoftTeams", "Chat", "Team chat"
        ),
        CloudAction(
            5, "MeetingDetail", "Microsoft Teams", 28375, "MicrosoftTeams", "Meeting", "Weekly sync"
        ),
        CloudAction(
            1,
            "Set-Mailbox",
            "Microsoft Exchange Online",
            20893,
            "Exchange",
            "Mailbox",
            "Shared mailbox",
            "Run",
            True,
        ),
    ]


def cloud_app_events(
    org: Org, actions: list[CloudAction], window: Window, stream: Stream
) -> pa.Table:
    n = stream.n
    people = [p for p in org.people if not p.is_admin]
    p = stream.weighted("action", [a.weight for a in actions])
    who = stream.below("who", len(people))

    def per(attr: str, typ: pa.DataType = _STRING) -> pa.Array:
        return pc.take(pa.array([getattr(a, attr) for a in actions], typ), p)

    def person(attr: str) -> pa.Array:
        return pc.take(pa.array([getattr(x, attr) for x in people]), who)

    upn = person("upn")
    action = per("action")
    workload = per("workload")
    object_name = per("object_name")
    ip = org.public_ip
    raw = pc.binary_join_element_wise(
        '{"Operation":"',
        action,
        '","Workload":"',
        workload,
        '","UserId":"',
        upn,
        f'","ClientIP":"{ip}","ResultStatus":"Succeeded","ObjectId":"',
        object_name,
        '"}',
        "",
    )
    # the acting user, then the object acted on (its type as the ObjectType column names it)
    objects = pc.binary_join_element_wise(
        '[{"Type":"User","Role":"Actor","Name":"',
        person("display_name"),
        '","Id":"',
        upn,
        '"},{"Type":"',
        per("object_type"),
        '","Role":"Target object","Name":"',
        object_name,
        '"}]',
        "",
    )
    return assemble(
        "CloudAppEvents",
        n,
        {
            "Timestamp": window.times(stream),
            "ActionType": action,
            "Application": per("application"),
            "ApplicationId": per("app_id", pa.int64()),
            "AccountObjectId": person("object_id"),
            "AccountId": person("object_id"),
            "AccountDisplayName": person("display_name"),
            "IsAdminOperation": per("admin", pa.bool_()),
            "DeviceType": "Desktop",
            "OSPlatform": "Windows 10",
            "IPAddress": ip,
            "IsAnonymousProxy": False,
            "CountryCode": "US",
            "City": "Seattle",
            "Isp": "Contoso Networks",
            "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "ActivityType": per("activity"),
            "ActivityObjects": objects,
            "ObjectName": object_name,
            "ObjectType": per("object_type"),
            "ObjectId": object_name,
            "ReportId": guids(stream, "report"),
            "AccountType": "Regular",
            "IsExternalUser": False,
            "IsImpersonated": False,
            "IPCategory": "Corporate",
            "RawEventData": raw,
            "AdditionalFields": "{}",
            "AuditSource": "Defender for Cloud Apps access control",
            "UncommonForUser": "[]",
        },
    ).sort_by("Timestamp")
