"""The organisation the telemetry describes: its people (with UPNs in the tenant's domain, SIDs,
object ids) and its devices (workstations, each with a primary user, and servers)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from xdrlab.demo.telemetry.model import DeviceSpec
from xdrlab.demo.telemetry.rng import py_random

DEFAULT_USERS: tuple[str, ...] = (
    "Adele Vance",
    "Alex Wilber",
    "Megan Bowen",
    "Lynne Robbins",
    "Nestor Wilke",
    "Isaiah Langer",
    "Lee Gu",
    "Patti Fernandez",
    "Pradeep Gupta",
    "Diego Siciliani",
    "Johanna Lorenz",
    "Joni Sherman",
    "Grady Archie",
    "Miriam Graham",
    "Henrietta Mueller",
    "Lidia Holloway",
    "Christie Cline",
    "Irvin Sayers",
    "Allan Deyoung",
    "Enrico Cattaneo",
    "Debra Berger",
    "Emily Braun",
    "Raul Razo",
    "Brian Johnson",
    "Cameron White",
    "Gerhart Moller",
    "Jordan Miller",
    "Lenora Lewis",
    "Nora Hale",
    "Sofia Alvarez",
)

_DEPARTMENTS = (
    ("Finance", "Accountant"),
    ("Sales", "Account Executive"),
    ("Marketing", "Marketing Manager"),
    ("Engineering", "Software Engineer"),
    ("HR", "HR Specialist"),
    ("Legal", "Paralegal"),
    ("Operations", "Operations Analyst"),
    ("IT", "Systems Administrator"),
)
_CITIES = (("Seattle", "US"), ("Redmond", "US"), ("London", "GB"), ("Berlin", "DE"))


@dataclass(frozen=True)
class Person:
    display_name: str
    account_name: str  # sAMAccountName, lower case: "megan.bowen"
    upn: str
    sid: str
    object_id: str
    department: str
    job_title: str
    city: str
    country: str
    is_admin: bool = False  # an IT admin account (servers, remote admin)

    @property
    def given_name(self) -> str:
        return self.display_name.split(" ", 1)[0]

    @property
    def surname(self) -> str:
        return self.display_name.split(" ", 1)[-1]


@dataclass(frozen=True)
class Device:
    spec: DeviceSpec
    index: int
    is_server: bool
    ip: str  # LocalIP
    mac: str
    owner: int  # index into Org.people (primary user); servers: the admin
    model: str
    vendor: str

    @property
    def name(self) -> str:
        return self.spec.device_name

    @property
    def id(self) -> str:
        return self.spec.device_id

    @property
    def short_name(self) -> str:
        return self.spec.device_name.split(".", 1)[0]


@dataclass(frozen=True)
class Org:
    tenant_domain: str  # UPN suffix: contoso.onmicrosoft.com
    dns_domain: str  # AD DNS domain and device FQDN suffix: contoso.com
    netbios: str  # CONTOSO
    domain_sid: str
    people: tuple[Person, ...]
    devices: tuple[Device, ...]
    public_ip: str  # the office's NAT address (documentation range)

    @property
    def workstations(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if not d.is_server)

    @property
    def servers(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.is_server)

    def server(self, role: str) -> Device:
        for device in self.servers:
            if device.short_name.startswith(f"srv-{role}"):
                return device
        raise KeyError(role)

    def device_of(self, person: int) -> Device:
        for device in self.workstations:
            if device.owner == person:
                return device
        raise KeyError(person)


def stable_guid(*parts: object) -> str:
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def stable_hex(length: int, *parts: object) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:length]


_SERVER_ROLES = (
    ("dc01", "WindowsServer2022", 20348, "21H2", "Domain Controllers"),
    ("dc02", "WindowsServer2022", 20348, "21H2", "Domain Controllers"),
    ("fs01", "WindowsServer2019", 17763, "1809", "Servers"),
    ("sql01", "WindowsServer2022", 20348, "21H2", "Servers"),
    ("web01", "WindowsServer2022", 20348, "21H2", "Servers"),
    ("app01", "WindowsServer2019", 17763, "1809", "Servers"),
)


def build_org(
    seed: int, events: int, tenant_domain: str, users: tuple[str, ...], now: datetime
) -> Org:
    rnd = py_random(seed, "org")
    label = tenant_domain.split(".", 1)[0].lower()
    dns_domain = tenant_domain if not tenant_domain.endswith(".onmicrosoft.com") else f"{label}.com"
    netbios = label.upper()[:15]
    parts = (rnd.randrange(1_000_000_000, 4_000_000_000) for _ in range(3))
    domain_sid = "S-1-5-21-" + "-".join(str(p) for p in parts)
    people: list[Person] = []
    taken: set[str] = set()
    for position, display in enumerate(users):
        base = ".".join(display.lower().split())
        account = base
        suffix = 2
        while account in taken:
            account = f"{base}{suffix}"
            suffix += 1
        taken.add(account)
        department, title = _DEPARTMENTS[position % len(_DEPARTMENTS)]
        city, country = _CITIES[position % len(_CITIES)]
        people.append(
            Person(
                display_name=display,
                account_name=account,
                upn=f"{account}@{tenant_domain}",
                sid=f"{domain_sid}-{1104 + position}",
                object_id=stable_guid(seed, "user", account),
                department=department,
                job_title=title,
                city=city,
                country=country,
            )
        )
    people.append(
        Person(
            display_name="Helpdesk Admin",
            account_name="helpdesk-admin",
            upn=f"helpdesk-admin@{tenant_domain}",
            sid=f"{domain_sid}-1102",
            object_id=stable_guid(seed, "user", "helpdesk-admin"),
            department="IT",
            job_title="Helpdesk Administrator",
            city="Redmond",
            country="US",
            is_admin=True,
        )
    )
    admin = len(people) - 1

    scale = max(1.0, (events / 20_000) ** 0.5)
    n_workstations = max(len(users), round(44 * scale))
    n_servers = max(len(_SERVER_ROLES), round(6 * scale))
    public_ip = f"203.0.113.{rnd.randrange(10, 60)}"
    devices: list[Device] = []
    start = now - timedelta(days=400)
    for index in range(n_workstations + n_servers):
        is_server = index >= n_workstations
        if is_server:
            k = index - n_workstations
            role, platform, build, version, group = _SERVER_ROLES[k % len(_SERVER_ROLES)]
            if k >= len(_SERVER_ROLES):
                role = f"app{k - len(_SERVER_ROLES) + 2:02d}"
            short = f"srv-{role}"
            ip = f"10.0.0.{10 + k}" if k < 200 else f"10.0.1.{k - 190}"
            owner = admin
            model, vendor = "Virtual Machine", "Microsoft Corporation"
            risk = "None"
            exposure = "Medium" if role.startswith("web") else "Low"
            device_type = "Server"
        else:
            short = f"ws-{index + 1:04d}"
            windows11 = rnd.random() < 0.7
            platform = "Windows11" if windows11 else "Windows10"
            build = 22631 if windows11 and rnd.random() < 0.5 else (22621 if windows11 else 19045)
            version = {22631: "23H2", 22621: "22H2", 19045: "22H2"}[build]
            group = "Workstations"
            ip = f"10.1.{index // 250}.{index % 250 + 4}"
            owner = index % len(users) if users else admin
            model, vendor = rnd.choice(
                (
                    ("Latitude 7440", "Dell Inc."),
                    ("EliteBook 840 G10", "HP"),
                    ("ThinkPad T14 Gen 4", "LENOVO"),
                    ("Surface Laptop 5", "Microsoft Corporation"),
                )
            )
            risk = rnd.choice(("None", "None", "None", "Low", "Low", "Medium"))
            exposure = rnd.choice(("Low", "Low", "Medium"))
            device_type = "Workstation"
        name = f"{short}.{dns_domain}"
        first_seen = (start + timedelta(seconds=rnd.randrange(0, 300 * 86_400))).replace(
            microsecond=0
        )
        spec = DeviceSpec(
            device_id=stable_hex(40, seed, "device", name),
            device_name=name,
            aad_device_id=stable_guid(seed, "aad-device", name),
            os_platform=platform,
            os_build=build,
            os_version=version,
            os_processor="x64",
            health_status="Active",
            risk_score=risk,
            rbac_group_name=group,
            first_seen=first_seen,
            exposure_level=exposure,
            device_type=device_type,
            public_ip=public_ip,
            local_ip=ip,
        )
        mac = "-".join(
            stable_hex(12, seed, "mac", name)[i : i + 2].upper() for i in range(0, 12, 2)
        )
        devices.append(Device(spec, index, is_server, ip, mac, owner, model, vendor))
    return Org(
        tenant_domain, dns_domain, netbios, domain_sid, tuple(people), tuple(devices), public_ip
    )
