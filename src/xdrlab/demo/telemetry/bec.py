"""Story: a password spray against Entra ID finds one weak password; the attacker signs in
from abroad, reads mail, creates an inbox rule forwarding invoices to an outside address, then
deletes the invoice thread it read (moved to Deleted Items, then purged) so the victim does not
answer the real supplier."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from xdrlab.demo.telemetry.alerts import alert_id
from xdrlab.demo.telemetry.fleet import Org, stable_guid, stable_hex
from xdrlab.demo.telemetry.model import AlertSpec, EntitySpec, IncidentSpec
from xdrlab.demo.telemetry.rng import py_random
from xdrlab.demo.telemetry.story import Rows

STORY = "password-spray-inbox-rule"
SPRAY_IP = "192.0.2.66"
FORWARD_TO = "invoices.archive@proton-mail.example"


def _folder_id(*parts: object) -> str:
    """An Exchange folder id: base64 of a 46-byte folder entry id (it starts "LgAAAA")."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return base64.b64encode(bytes((0x2E, 0, 0, 0, 0)) + digest + digest[:9]).decode()


def build(org: Org, now: datetime, seed: int, rows: Rows) -> IncidentSpec:
    rnd = py_random(seed, STORY)
    people = [p for p in org.people if not p.is_admin]
    victim = people[rnd.randrange(len(people))]
    start = datetime.combine((now - timedelta(days=2)).date(), datetime.min.time()) + timedelta(
        hours=2, minutes=rnd.randrange(50)
    )
    t = start
    ua = "python-requests/2.31.0"
    targets = [p for p in people]
    rnd.shuffle(targets)
    for round_ in range(3):
        for person in targets:
            t += timedelta(seconds=rnd.randrange(2, 9), microseconds=rnd.randrange(1_000_000))
            ok = person is victim and round_ == 2
            rows.add(
                "IdentityLogonEvents",
                {
                    "Timestamp": t,
                    "ActionType": "LogonSuccess" if ok else "LogonFailed",
                    "Application": "Microsoft Entra ID",
                    "LogonType": "Interactive",
                    "FailureReason": "" if ok else "InvalidUserNameOrPassword",
                    "AccountName": person.account_name,
                    "AccountDomain": org.tenant_domain,
                    "AccountUpn": person.upn,
                    "AccountObjectId": person.object_id,
                    "AccountDisplayName": person.display_name,
                    "DeviceType": "Other",
                    "OSPlatform": "Linux",
                    "IPAddress": SPRAY_IP,
                    "Location": "NL",
                    "Isp": "Example Hosting B.V.",
                    "ReportId": stable_guid(seed, STORY, "spray", round_, person.upn),
                    "AdditionalFields": {"Request.UserAgent": ua, "ErrorCode": 0 if ok else 50126},
                },
            )
            if ok:
                break
        t += timedelta(minutes=rnd.randrange(20, 40))
    signed_in = t
    cloud_base: dict[str, Any] = {
        "Application": "Microsoft Exchange Online",
        "ApplicationId": 20893,
        "AccountObjectId": victim.object_id,
        "AccountId": victim.object_id,
        "AccountDisplayName": victim.display_name,
        "DeviceType": "Desktop",
        "OSPlatform": "Windows 10",
        "IPAddress": SPRAY_IP,
        "IsAnonymousProxy": False,
        "CountryCode": "NL",
        "City": "Amsterdam",
        "Isp": "Example Hosting B.V.",
        "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
        "AccountType": "Regular",
        "IsExternalUser": False,
        "IsImpersonated": False,
        "IPCategory": "Hosting",
        "AdditionalFields": {},
        "UncommonForUser": ["IPAddress", "CountryCode", "ISP"],
        "AuditSource": "Defender for Cloud Apps access control",
    }
    actor = {
        "Type": "User",
        "Role": "Actor",
        "Name": victim.display_name,
        "Id": victim.upn,
    }
    inbox = {
        "Type": "Folder",
        "Role": "Target object",
        "Name": "Inbox",
        "Id": _folder_id(seed, STORY, victim.upn, "Inbox"),
    }
    deleted_items = {
        "Type": "Folder",
        "Role": "Destination object",
        "Name": "Deleted Items",
        "Id": _folder_id(seed, STORY, victim.upn, "Deleted Items"),
    }
    access_times = [
        signed_in + timedelta(minutes=2 + 3 * k, seconds=rnd.randrange(60)) for k in range(5)
    ]
    for k, when in enumerate(access_times):
        rows.add(
            "CloudAppEvents",
            {
                **cloud_base,
                "Timestamp": when,
                "ActionType": "MailItemsAccessed",
                "ActivityType": "Basic",
                "ObjectName": "Inbox",
                "ObjectType": "Folder",
                "ObjectId": "Inbox",
                "ReportId": stable_guid(seed, STORY, "access", k),
                "RawEventData": {
                    "Operation": "MailItemsAccessed",
                    "Workload": "Exchange",
                    "UserId": victim.upn,
                    "ClientIPAddress": SPRAY_IP,
                    "Folders": [
                        {
                            "Path": "\\Inbox",
                            "FolderItems": [
                                {
                                    "InternetMessageId": f"<{stable_guid(seed, STORY, 'item', k, j)}@{org.dns_domain}>"
                                }
                                for j in range(3)
                            ],
                        }
                    ],
                },
                "ActivityObjects": [actor, inbox],
            },
        )
    rule_time = access_times[-1] + timedelta(minutes=4)
    rule_name = ".."
    params = [
        {"Name": "Name", "Value": rule_name},
        {"Name": "SubjectOrBodyContainsWords", "Value": "invoice;payment;wire"},
        {"Name": "ForwardTo", "Value": FORWARD_TO},
        {"Name": "MarkAsRead", "Value": "True"},
        {"Name": "MoveToFolder", "Value": "RSS Subscriptions"},
        {"Name": "StopProcessingRules", "Value": "True"},
    ]
    rows.add(
        "CloudAppEvents",
        {
            **cloud_base,
            "Timestamp": rule_time,
            "ActionType": "New-InboxRule",
            "ActivityType": "Create",
            "ObjectName": rule_name,
            "ObjectType": "Inbox rule",
            "ObjectId": f"{victim.upn}\\{rule_name}",
            "ReportId": stable_guid(seed, STORY, "rule"),
            "RawEventData": {
                "Operation": "New-InboxRule",
                "Workload": "Exchange",
                "UserId": victim.upn,
                "ClientIP": SPRAY_IP,
                "Parameters": params,
                "ResultStatus": "True",
            },
            "ActivityObjects": [
                {"Type": "Mailbox", "Name": victim.upn},
                {"Type": "Inbox rule", "Name": rule_name, "Properties": params},
            ],
        },
    )

    # The invoice thread the attacker read last (the message ids of the last MailItemsAccessed):
    # moved to Deleted Items, then purged from there, so the victim never answers the supplier.
    invoice = 1000 + int(stable_hex(6, seed, STORY, "invoice"), 16) % 9000
    last_read = len(access_times) - 1
    thread = [
        (
            f"<{stable_guid(seed, STORY, 'item', last_read, j)}@{org.dns_domain}>",
            subject,
        )
        for j, subject in enumerate(
            (f"Invoice {invoice} from Litware", f"RE: Invoice {invoice} from Litware")
        )
    ]
    moves: tuple[tuple[str, dict[str, str], dict[str, str] | None], ...] = (
        ("MoveToDeletedItems", inbox, deleted_items),
        ("HardDelete", deleted_items, None),
    )
    for step, (action, source, destination) in enumerate(moves):
        where = {"Id": source["Id"], "Path": "\\" + source["Name"]}
        for j, (message_id, subject) in enumerate(thread):
            raw: dict[str, Any] = {
                "Operation": action,
                "Workload": "Exchange",
                "UserId": victim.upn,
                "ClientIPAddress": SPRAY_IP,
                "Folder": where,
                "AffectedItems": [
                    {"InternetMessageId": message_id, "Subject": subject, "ParentFolder": where}
                ],
            }
            objects = [
                actor,
                {"Type": "Email", "Role": "Target object", "Name": subject, "Id": message_id},
                {**source, "Role": "Parameter"},
            ]
            if destination is not None:
                raw["DestFolder"] = {"Id": destination["Id"], "Path": "\\" + destination["Name"]}
                objects.append(destination)
            rows.add(
                "CloudAppEvents",
                {
                    **cloud_base,
                    "Timestamp": rule_time + timedelta(minutes=2 + 3 * step, seconds=7 + 11 * j),
                    "ActionType": action,
                    "ActivityType": "Delete",
                    "ObjectName": subject,
                    "ObjectType": "Email",
                    "ObjectId": message_id,
                    "ReportId": stable_guid(seed, STORY, "delete", action, j),
                    "RawEventData": raw,
                    "ActivityObjects": objects,
                },
            )

    user_entity = EntitySpec(
        "User",
        "Impacted",
        {
            "accountName": victim.account_name,
            "domainName": org.netbios,
            "userSid": victim.sid,
            "aadUserId": victim.object_id,
            "userPrincipalName": victim.upn,
        },
    )
    ip_entity = EntitySpec(
        "Ip", "Related", {"ipAddress": SPRAY_IP}, {"EvidenceDirection": "Source"}
    )
    spray_created = (signed_in + timedelta(minutes=6)).replace(microsecond=rnd.randrange(1_000_000))
    rule_created = (rule_time + timedelta(minutes=9)).replace(microsecond=rnd.randrange(1_000_000))
    alerts = (
        AlertSpec(
            alert_id("MicrosoftDefenderForIdentity", spray_created, seed, STORY),
            "Password spray",
            f"{len(targets)} accounts failed to sign in from {SPRAY_IP}; one sign-in succeeded.",
            "CredentialAccess",
            "Medium",
            "MicrosoftDefenderForIdentity",
            "AzureATP",
            ("T1110.003",),
            spray_created,
            start,
            signed_in,
            "New",
            (),
            (user_entity, ip_entity),
        ),
        AlertSpec(
            alert_id("MicrosoftCloudAppSecurity", rule_created, seed, STORY),
            "Suspicious inbox manipulation rule",
            f"{victim.display_name} created an inbox rule that forwards mail about invoices to an external address and hides it.",
            "Exfiltration",
            "High",
            "MicrosoftCloudAppSecurity",
            "MCAS",
            ("T1564.008", "T1114.003"),
            rule_created,
            rule_time,
            rule_time,
            "New",
            (),
            (
                user_entity,
                ip_entity,
                EntitySpec(
                    "MailBox",
                    "Impacted",
                    {
                        "mailboxDisplayName": victim.display_name,
                        "mailboxAddress": victim.upn,
                        "userPrincipalName": victim.upn,
                    },
                ),
            ),
        ),
    )
    return IncidentSpec(
        "Password spray and suspicious inbox rule involving one user",
        "High",
        "Active",
        spray_created,
        rule_created + timedelta(minutes=3),
        alerts,
        tags=("BEC",),
        story=STORY,
    )
