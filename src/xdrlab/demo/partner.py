"""The partner demo: an MSSP's multi-tenant app and two customer tenants, one of which consented.

Fabrikam MSSP (`fabrikam-mssp.onmicrosoft.com`) registers "Fabrikam MSSP console", a
multi-tenant app holding the Defender XDR application permissions, admin-consented at home.
Woodgrove's admin consented to it (the app has a service principal there with the same roles);
Tailspin's did not, so tokens for Tailspin are refused with AADSTS700016 as in production.
Woodgrove gets a little data of its own: a few devices, process events and two incidents.
Each customer has a Global Administrator (`admin@{domain}`) who can consent in the browser.

Seeding is idempotent: a second run reuses the tenants, the app and (when it still matches)
the secret from the previous demo.json.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.demo.telemetry.fleet import stable_hex
from xdrlab.demo.telemetry.frame import from_rows, table_def
from xdrlab.files import write_private
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.identity.credentials import client_secret_matches, hash_password, password_matches
from xdrlab.lake.store import naive_utc
from xdrlab.server.state import ServerState
from xdrlab.store.models import Alert, Application, Incident, Tenant, User

PARTNER_DOMAIN = "fabrikam-mssp.onmicrosoft.com"
PARTNER_TENANT_NAME = "Fabrikam MSSP"
PARTNER_APP_NAME = "Fabrikam MSSP console"
PARTNER_REDIRECT_URIS = ["http://localhost"]
PARTNER_ROLES = ["AdvancedHunting.Read.All", "Incident.Read.All", "Incident.ReadWrite.All"]
# (display name, domain, consented by its admin)
CUSTOMERS = (
    ("Woodgrove Bank", "woodgrove.onmicrosoft.com", True),
    ("Tailspin Toys", "tailspin.onmicrosoft.com", False),
)
DATA_MARKER = "demo-partner-data.json"
PROCESS_EVENTS = 48


@dataclass
class PartnerDemo:
    client_id: str
    client_secret: str
    home_tenant_id: str
    home_tenant_domain: str
    customer_tenant_ids: list[str]
    customer_domains: dict[str, str]  # tenant id -> domain
    consented: dict[str, bool] = field(default_factory=dict)  # tenant id -> consented
    # [{upn, password, tenant_id}]: each customer's Global Administrator
    customer_admins: list[dict[str, str]] = field(default_factory=list)

    @property
    def consented_tenant_id(self) -> str:
        """The first customer whose admin consented (Woodgrove)."""
        return next(t for t in self.customer_tenant_ids if self.consented.get(t))

    @property
    def unconsented_tenant_id(self) -> str:
        return next(t for t in self.customer_tenant_ids if not self.consented.get(t))

    def document(self) -> dict[str, Any]:
        """The `partner` object of demo.json; these key names are stable."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "home_tenant_id": self.home_tenant_id,
            "home_tenant_domain": self.home_tenant_domain,
            "customer_tenant_ids": self.customer_tenant_ids,
            "customer_domains": self.customer_domains,
            "consented": self.consented,
            "customer_admins": self.customer_admins,
        }


def _tenant(session: Session, clock: Clock, name: str, domain: str) -> Tenant:
    return tenants.find_tenant(session, domain) or tenants.create_tenant(
        session, clock, name, domain
    )


def seed_partner(
    session: Session, clock: Clock, secret_hash_key: bytes, previous: dict[str, Any]
) -> PartnerDemo:
    """The partner tenant, its multi-tenant app and secret, and the two customer tenants."""
    home = _tenant(session, clock, PARTNER_TENANT_NAME, PARTNER_DOMAIN)
    app = session.scalar(
        select(Application).where(
            Application.home_tenant_id == home.id, Application.display_name == PARTNER_APP_NAME
        )
    )
    if app is None:
        app = apps.create_app(
            session,
            clock,
            home,
            PARTNER_APP_NAME,
            multi_tenant=True,
            redirect_uris=PARTNER_REDIRECT_URIS,
        )
    consent.grant_app_roles(
        session, clock, home, app, DEFENDER_XDR, PARTNER_ROLES, granted_by="demo seed"
    )

    secret = previous.get("client_secret")
    now = clock.now()
    usable = (
        isinstance(secret, str)
        and previous.get("client_id") == app.app_id
        and any(
            client_secret_matches(secret_hash_key, secret, s.secret_hash) and s.expires_at > now
            for s in app.secrets
        )
    )
    if not usable:
        secret = apps.add_secret(session, clock, secret_hash_key, app, display_name="demo").value
    assert isinstance(secret, str)

    known = {
        a.get("upn"): a.get("password")
        for a in previous.get("customer_admins", [])
        if isinstance(a, dict)
    }
    admins: list[dict[str, str]] = []
    customer_ids: list[str] = []
    domains: dict[str, str] = {}
    consented: dict[str, bool] = {}
    for name, domain, consents in CUSTOMERS:
        customer = _tenant(session, clock, name, domain)
        if consents:
            consent.grant_app_roles(
                session,
                clock,
                customer,
                app,
                DEFENDER_XDR,
                PARTNER_ROLES,
                granted_by=f"admin@{domain}",
            )
        upn = f"admin@{domain}"
        password = _admin(session, clock, customer, upn, known.get(upn))
        admins.append({"upn": upn, "password": password, "tenant_id": customer.id})
        sp = consent.find_service_principal(session, customer.id, app)
        customer_ids.append(customer.id)
        domains[customer.id] = domain
        consented[customer.id] = sp is not None and bool(consent.granted_roles(sp, DEFENDER_XDR))
    return PartnerDemo(
        app.app_id, secret, home.id, PARTNER_DOMAIN, customer_ids, domains, consented, admins
    )


def _admin(session: Session, clock: Clock, tenant: Tenant, upn: str, password: object) -> str:
    """The customer's Global Administrator; returns the password (kept when it still matches)."""
    user = session.scalar(select(User).where(User.user_principal_name == upn))
    if user is None:
        value = password if isinstance(password, str) else _new_password()
        users.create_user(
            session,
            clock,
            tenant,
            upn,
            value,
            display_name=f"{tenant.display_name} admin",
            roles=["Global Administrator"],
        )
        return value
    if isinstance(password, str) and password_matches(password, user.password_hash):
        return password
    value = _new_password()  # demo.json was lost: reset so it can be shown again
    user.password_hash = hash_password(value)
    return value


def _new_password() -> str:
    return "Xdr-" + secrets.token_urlsafe(12)


# --- a little data for the consented customer ---------------------------------------------

_DEVICES = ("wg-fin-ws01", "wg-fin-ws02", "wg-branch-ws07", "wg-dc01")
_ACCOUNTS = ("rosa.diaz", "omar.haddad", "li.wei")
_PROCESSES = (
    ("cmd.exe", r"C:\Windows\System32", "cmd.exe /c whoami /all"),
    ("powershell.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0", "powershell.exe -NoProfile"),
    ("outlook.exe", r"C:\Program Files\Microsoft Office\root\Office16", "OUTLOOK.EXE"),
    ("excel.exe", r"C:\Program Files\Microsoft Office\root\Office16", "EXCEL.EXE /dde"),
    ("msedge.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application", "msedge.exe"),
    ("svchost.exe", r"C:\Windows\System32", "svchost.exe -k netsvcs -p"),
)


def _device_id(name: str) -> str:
    return stable_hex(40, "woodgrove", name)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _rows(domain: str, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(20240611)  # noqa: S311 - synthetic data, not security
    devices = [
        {
            "Timestamp": now - dt.timedelta(hours=1),
            "DeviceId": _device_id(name),
            "DeviceName": f"{name}.{domain}",
            "OSPlatform": "WindowsServer2022" if name.endswith("dc01") else "Windows11",
            "OSArchitecture": "64-bit",
            "OSBuild": 20348 if name.endswith("dc01") else 22631,
            "OnboardingStatus": "Onboarded",
            "MachineGroup": "Woodgrove",
            "DeviceCategory": "Endpoint",
            "DeviceType": "Server" if name.endswith("dc01") else "Workstation",
            "SensorHealthState": "Active",
            "ExposureLevel": "Medium",
            "IsAzureADJoined": True,
            "ReportId": 1000 + i,
        }
        for i, name in enumerate(_DEVICES)
    ]
    events = []
    for i in range(PROCESS_EVENTS):
        device = rng.choice(_DEVICES)
        account = rng.choice(_ACCOUNTS)
        file_name, folder, command = rng.choice(_PROCESSES)
        moment = now - dt.timedelta(minutes=rng.randint(10, 3 * 24 * 60))
        events.append(
            {
                "Timestamp": moment,
                "DeviceId": _device_id(device),
                "DeviceName": f"{device}.{domain}",
                "ActionType": "ProcessCreated",
                "FileName": file_name,
                "FolderPath": f"{folder}\\{file_name}",
                "SHA256": _sha256(file_name),
                "ProcessId": rng.randint(1000, 30000),
                "ProcessCommandLine": command,
                "ProcessCreationTime": moment,
                "AccountDomain": "woodgrove",
                "AccountName": account,
                "AccountUpn": f"{account}@{domain}",
                "InitiatingProcessFileName": "explorer.exe",
                "InitiatingProcessFolderPath": r"C:\Windows\explorer.exe",
                "ReportId": 5000 + i,
            }
        )
    return {"DeviceInfo": devices, "DeviceProcessEvents": events}


def _incidents(tenant_id: str, domain: str, now: dt.datetime) -> list[Incident]:
    def device(name: str) -> dict[str, Any]:
        return {
            "mdatpDeviceId": _device_id(name),
            "deviceDnsName": f"{name}.{domain}",
            "osPlatform": "Windows11",
            "healthStatus": "Active",
            "riskScore": "Medium",
            "rbacGroupName": "Woodgrove",
            "tags": [],
        }

    stories = (
        (
            "Suspicious PowerShell on wg-fin-ws01",
            "High",
            "Execution",
            "wg-fin-ws01",
            dt.timedelta(hours=20),
        ),
        (
            "Excel spawned cmd.exe on wg-branch-ws07",
            "Medium",
            "SuspiciousActivity",
            "wg-branch-ws07",
            dt.timedelta(hours=44),
        ),
    )
    made = []
    for number, (title, severity, category, host, ago) in enumerate(stories, 1):
        created = now - ago
        incident = Incident(
            tenant_id=tenant_id,
            display_name=title,
            severity=severity,
            status="Active",
            detection_source="WindowsDefenderAtp",
            tags=["Woodgrove"],
            created_at=created,
            last_update_at=created,
        )
        incident.alerts = [
            Alert(
                tenant_id=tenant_id,
                id=f"da{stable_hex(16, tenant_id, number)}",
                title=title,
                category=category,
                severity=severity,
                status="New",
                service_source="MicrosoftDefenderForEndpoint",
                detection_source="WindowsDefenderAtp",
                devices=[device(host)],
                created_at=created,
                last_update_at=created,
                first_activity_at=created - dt.timedelta(minutes=5),
                last_activity_at=created,
            )
        ]
        made.append(incident)
    return made


def seed_partner_data(state: ServerState, tenant_id: str, domain: str) -> int:
    """A few devices, process events and two incidents for the consented customer; returns the
    DeviceProcessEvents rows the tenant's lake holds. Reused when already there."""
    marker = state.settings.state_dir / DATA_MARKER
    try:
        previous = json.loads(marker.read_text())
    except (OSError, ValueError):
        previous = {}
    lake = state.lake
    has_rows = bool(lake.days(tenant_id, table_def("DeviceProcessEvents")))
    with state.sessions.begin() as session:
        has_incidents = bool(
            session.scalar(
                select(func.count()).select_from(Incident).where(Incident.tenant_id == tenant_id)
            )
        )
        if (
            isinstance(previous, dict)
            and previous.get("tenant_id") == tenant_id
            and has_rows
            and has_incidents
        ):
            return int(previous.get("process_events", 0))
        now = state.clock.now()
        if not has_rows:
            for name, rows in _rows(domain, naive_utc(now)).items():
                lake.write(tenant_id, table_def(name), from_rows(name, rows))
        if not has_incidents:
            session.add_all(_incidents(tenant_id, domain, now))
    document = {
        "tenant_id": tenant_id,
        "generated_at": naive_utc(now).isoformat() + "Z",
        "process_events": PROCESS_EVENTS,
    }
    write_private(marker, (json.dumps(document, indent=2) + "\n").encode())
    return PROCESS_EVENTS
