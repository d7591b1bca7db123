"""Seeding the demo tenant, idempotently: a second run reuses what the first made."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import select

from xdrlab.demo.partner import PartnerDemo, seed_partner, seed_partner_data
from xdrlab.files import write_private
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH, WINDOWS_DEFENDER_ATP
from xdrlab.identity.credentials import (
    client_secret_matches,
    hash_password,
    password_matches,
    thumbprints,
)
from xdrlab.server.state import ServerState
from xdrlab.store.models import Application, Tenant, User

DEMO_DOMAIN = "contoso.onmicrosoft.com"
DEMO_TENANT_NAME = "Contoso"
DEMO_APP_NAME = "xdrlab demo daemon"
DEMO_PUBLIC_CLIENT_NAME = "xdrlab demo public client"
# A registered http://localhost matches any port on localhost (not on 127.0.0.1), as in
# production: MSAL, azure-identity, the SDK and `xdrlab login` redirect to
# http://localhost:{port}.
DEMO_PUBLIC_REDIRECT_URIS = ["http://localhost"]
# Delegated permissions of the public client, consented for every user of the tenant.
DEMO_DELEGATED = (
    (DEFENDER_XDR, ["AdvancedHunting.Read", "Incident.Read", "Incident.ReadWrite"]),
    (
        MICROSOFT_GRAPH,
        [
            "ThreatHunting.Read.All",
            "SecurityIncident.Read.All",
            "SecurityIncident.ReadWrite.All",
            "SecurityAlert.Read.All",
        ],
    ),
    (WINDOWS_DEFENDER_ATP, ["AdvancedQuery.Read"]),
)
DEMO_USERS = (
    ("admin", "Ada Admin", ["Security Administrator"]),
    ("analyst", "Sam Analyst", ["Security Reader"]),
    ("operator", "Olu Operator", ["Security Operator"]),
    ("globaladmin", "Gia Global", ["Global Administrator"]),
)


@dataclass
class DemoCredentials:
    tenant_id: str
    tenant_domain: str
    client_id: str
    client_secret: str
    certificate_file: Path
    private_key_file: Path
    certificate_thumbprint: str
    users: list[dict[str, Any]] = field(default_factory=list)
    public_client_id: str = ""
    partner: PartnerDemo | None = None

    @property
    def bundle_file(self) -> Path:
        """Key and certificate in one PEM, the form azure-identity's CertificateCredential reads."""
        return self.certificate_file.with_name("demo-app-bundle.pem")

    def document(self, base_url: str, ca_file: Path | None) -> dict[str, Any]:
        """The contents of demo.json; these key names are stable."""
        return {
            "tenant_id": self.tenant_id,
            "tenant_domain": self.tenant_domain,
            "authority": base_url,
            "api_base": base_url,
            "graph_base": base_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "certificate_file": str(self.certificate_file.resolve()),
            "private_key_file": str(self.private_key_file.resolve()),
            "certificate_bundle_file": str(self.bundle_file.resolve()),
            "certificate_thumbprint": self.certificate_thumbprint,
            "ca_file": str(ca_file.resolve()) if ca_file else None,
            "users": self.users,
            "public_client_id": self.public_client_id,
            "partner": self.partner.document() if self.partner else None,
        }


def _previous(state_dir: Path) -> dict[str, Any]:
    path = state_dir / "demo.json"
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def seed_demo(state: ServerState) -> DemoCredentials:
    clock, state_dir = state.clock, state.settings.state_dir
    previous = _previous(state_dir)
    cert_file, key_file = state_dir / "demo-app-cert.pem", state_dir / "demo-app-key.pem"
    with state.sessions.begin() as session:
        tenant = tenants.find_tenant(session, DEMO_DOMAIN) or tenants.create_tenant(
            session, clock, DEMO_TENANT_NAME, DEMO_DOMAIN
        )
        app = session.scalar(
            select(Application).where(
                Application.home_tenant_id == tenant.id, Application.display_name == DEMO_APP_NAME
            )
        )
        if app is None:
            app = apps.create_app(session, clock, tenant, DEMO_APP_NAME)
        # Defender for Endpoint's hunting permission too: msticpy's MDE and M365D providers
        # query through that API.
        for resource in (DEFENDER_XDR, MICROSOFT_GRAPH, WINDOWS_DEFENDER_ATP):
            consent.grant_app_roles(
                session,
                clock,
                tenant,
                app,
                resource,
                [r.value for r in resource.app_roles],
                granted_by="demo seed",
            )

        secret = previous.get("client_secret")
        now = clock.now()
        usable = (
            isinstance(secret, str)
            and previous.get("client_id") == app.app_id
            and any(
                client_secret_matches(state.secret_hash_key, secret, s.secret_hash)
                and s.expires_at > now
                for s in app.secrets
            )
        )
        if not usable:
            secret = apps.add_secret(
                session, clock, state.secret_hash_key, app, display_name="demo"
            ).value

        certificate = _demo_certificate(session, clock, app, cert_file, key_file)

        demo_users = []
        for name, display, roles in DEMO_USERS:
            upn = f"{name}@{DEMO_DOMAIN}"
            known = {
                u["upn"]: u.get("password")
                for u in previous.get("users", [])
                if isinstance(u, dict)
            }
            user = session.scalar(select(User).where(User.user_principal_name == upn))
            password = known.get(upn)
            if user is None:
                password = password or _new_password()
                user = users.create_user(
                    session, clock, tenant, upn, password, display_name=display, roles=roles
                )
            elif not (isinstance(password, str) and password_matches(password, user.password_hash)):
                password = _new_password()  # demo.json was lost: reset so it can be shown again
                user.password_hash = hash_password(password)
            demo_users.append({"upn": upn, "password": password, "roles": user.roles})

        public_client = _public_client(session, clock, tenant)
        partner_previous = previous.get("partner")
        partner = seed_partner(
            session,
            clock,
            state.secret_hash_key,
            partner_previous if isinstance(partner_previous, dict) else {},
        )

        assert isinstance(secret, str)
        credentials = DemoCredentials(
            tenant.id,
            DEMO_DOMAIN,
            app.app_id,
            secret,
            cert_file,
            key_file,
            certificate,
            demo_users,
            public_client.app_id,
            partner,
        )
    write_private(credentials.bundle_file, key_file.read_bytes() + cert_file.read_bytes())
    consented = partner.consented_tenant_id
    seed_partner_data(state, consented, partner.customer_domains[consented])
    return credentials


def _public_client(session: Any, clock: Any, tenant: Tenant) -> Application:
    """The public client for user flows, its delegated permissions consented tenant-wide."""
    app = session.scalar(
        select(Application).where(
            Application.home_tenant_id == tenant.id,
            Application.display_name == DEMO_PUBLIC_CLIENT_NAME,
        )
    )
    if app is None:
        app = apps.create_app(
            session,
            clock,
            tenant,
            DEMO_PUBLIC_CLIENT_NAME,
            public_client=True,
            redirect_uris=DEMO_PUBLIC_REDIRECT_URIS,
        )
    for resource, scopes in DEMO_DELEGATED:
        consent.grant_delegated(
            session, clock, tenant, app, resource, scopes, user=None, granted_by="demo seed"
        )
    assert isinstance(app, Application)
    return app


def _demo_certificate(
    session: Any, clock: Any, app: Application, cert_file: Path, key_file: Path
) -> str:
    """The demo app's certificate credential, on disk as PEM and registered on the app."""
    if cert_file.exists() and key_file.exists():
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        sha1 = thumbprints(cert)[0]
        if (
            any(c.thumbprint_sha1 == sha1 for c in app.certificates)
            and cert.not_valid_after_utc > clock.now()
        ):
            return sha1
    key, cert = apps.generate_key_pair("CN=xdrlab demo daemon", clock.now())
    write_private(key_file, apps.private_key_pem(key))
    cert_file.write_bytes(apps.certificate_pem(cert))
    return apps.add_certificate(session, clock, app, cert, "demo").thumbprint_sha1


def _new_password() -> str:
    return "Xdr-" + secrets.token_urlsafe(12)


def write_demo_json(state_dir: Path, document: dict[str, Any]) -> Path:
    path = state_dir / "demo.json"
    write_private(path, (json.dumps(document, indent=2) + "\n").encode())
    return path
