"""Building blocks for hand-written attack stories: processes with their ancestry, and rows of
the endpoint tables that carry a process's full initiating-process columns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xdrlab.demo.telemetry.fleet import Device, Org, Person
from xdrlab.demo.telemetry.frame import table_def
from xdrlab.demo.telemetry.software import Image


@dataclass(frozen=True)
class Account:
    name: str
    domain: str
    sid: str
    upn: str = ""
    object_id: str = ""
    integrity: str = "Medium"
    elevation: str = "TokenElevationTypeLimited"
    logon_id: int = 999

    @staticmethod
    def of(org: Org, person: Person, logon_id: int, elevated: bool = False) -> Account:
        return Account(
            person.account_name,
            org.netbios.lower(),
            person.sid,
            person.upn,
            person.object_id,
            "High" if elevated else "Medium",
            "TokenElevationTypeFull" if elevated else "TokenElevationTypeLimited",
            logon_id,
        )


SYSTEM = Account(
    "system", "nt authority", "S-1-5-18", integrity="System", elevation="TokenElevationTypeDefault"
)


@dataclass(frozen=True)
class Proc:
    image: Image
    pid: int
    command: str
    created: datetime
    account: Account
    parent: Proc | None = None

    def file_columns(self, prefix: str = "", version_prefix: str = "Process") -> dict[str, Any]:
        i = self.image
        return {
            f"{prefix}FileName": i.name,
            f"{prefix}FolderPath": i.path,
            f"{prefix}SHA1": i.sha1,
            f"{prefix}SHA256": i.sha256,
            f"{prefix}MD5": i.md5,
            f"{prefix}FileSize": i.file_size,
            f"{version_prefix}VersionInfoCompanyName": i.company,
            f"{version_prefix}VersionInfoProductName": i.product,
            f"{version_prefix}VersionInfoProductVersion": i.version,
            f"{version_prefix}VersionInfoInternalFileName": i.internal_name,
            f"{version_prefix}VersionInfoOriginalFileName": i.original_file_name,
            f"{version_prefix}VersionInfoFileDescription": i.description,
        }

    def initiating(self) -> dict[str, Any]:
        a = self.account
        row = self.file_columns("InitiatingProcess", "InitiatingProcess")
        row.update(
            {
                "InitiatingProcessId": self.pid,
                "InitiatingProcessCommandLine": self.command,
                "InitiatingProcessCreationTime": self.created,
                "InitiatingProcessAccountDomain": a.domain,
                "InitiatingProcessAccountName": a.name,
                "InitiatingProcessAccountSid": a.sid,
                "InitiatingProcessAccountUpn": a.upn,
                "InitiatingProcessAccountObjectId": a.object_id,
                "InitiatingProcessIntegrityLevel": a.integrity,
                "InitiatingProcessTokenElevation": a.elevation,
                "InitiatingProcessLogonId": a.logon_id,
                "InitiatingProcessSignerType": self.image.signer,
                "InitiatingProcessSignatureStatus": self.image.signature_status,
                "InitiatingProcessSessionId": 0 if a.sid.startswith("S-1-5-18") else 1,
                "IsInitiatingProcessRemoteSession": False,
            }
        )
        if self.parent is not None:
            row.update(
                {
                    "InitiatingProcessParentId": self.parent.pid,
                    "InitiatingProcessParentFileName": self.parent.image.name,
                    "InitiatingProcessParentCreationTime": self.parent.created,
                }
            )
        return row


class Rows:
    """Rows of several tables, collected while a story is told."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._report = 900_000

    def add(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        self.tables[table].append(row)
        return row

    def _device(self, device: Device, when: datetime) -> dict[str, Any]:
        self._report += 1
        return {
            "Timestamp": when,
            "DeviceId": device.id,
            "DeviceName": device.name,
            "ReportId": self._report,
        }

    def process(self, device: Device, child: Proc, **more: Any) -> dict[str, Any]:
        assert child.parent is not None
        a = child.account
        row = self._device(device, child.created)
        row.update(child.parent.initiating())
        row.update(child.file_columns())
        row.update(
            {
                "ActionType": "ProcessCreated",
                "ProcessId": child.pid,
                "ProcessCommandLine": child.command,
                "ProcessCreationTime": child.created,
                "ProcessIntegrityLevel": a.integrity,
                "ProcessTokenElevation": a.elevation,
                "AccountDomain": a.domain,
                "AccountName": a.name,
                "AccountSid": a.sid,
                "AccountUpn": a.upn,
                "AccountObjectId": a.object_id,
                "LogonId": a.logon_id,
            }
        )
        names = {c.name for c in table_def("DeviceProcessEvents").columns}
        row = {k: v for k, v in row.items() if k in names}
        row.update(more)
        return self.add("DeviceProcessEvents", row)

    def event(
        self, table: str, device: Device, when: datetime, actor: Proc, **columns: Any
    ) -> dict[str, Any]:
        row = self._device(device, when)
        row.update(actor.initiating())
        if table == "DeviceImageLoadEvents":
            for key in (
                "InitiatingProcessSignerType",
                "InitiatingProcessSignatureStatus",
                "InitiatingProcessLogonId",
            ):
                row.pop(key, None)
        names = {c.name for c in table_def(table).columns}
        row = {k: v for k, v in row.items() if k in names}
        row.update(columns)
        return self.add(table, row)
