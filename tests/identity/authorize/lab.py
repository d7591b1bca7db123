"""A small directory for the browser-flow tests: two tenants, users with and without admin
rights, and apps (public loopback clients, confidential web app, multi-tenant partner app),
created in the shared live server with unique names."""

from __future__ import annotations

import html.parser
import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.server.state import ServerState
from xdrlab.store.models import Application, Tenant

PASSWORD = "Correct-horse-42"
DEFENDER_SCOPE = "https://api.security.microsoft.com/Incident.Read"


@dataclass
class Lab:
    tenant_id: str
    domain: str
    user: str  # plain user
    admin: str  # Global Administrator
    disabled: str
    public_client: str  # http://localhost redirect (any port on localhost), public
    loopback_ip_client: str  # http://127.0.0.1 redirect (any port on 127.0.0.1), public
    web_app: str  # confidential, https://app.example/callback
    partner_app: str  # multi-tenant, confidential, requests app roles
    customer_tenant_id: str
    customer_domain: str
    customer_admin: str
    customer_user: str
    strict_tenant_id: str  # users may not consent
    strict_user: str
    extra: dict[str, str] = field(default_factory=dict)


def requesting_public_client(
    s: Session,
    clock: Clock,
    tenant: Tenant,
    name: str,
    *,
    redirect_uri: str = "http://localhost",
    multi_tenant: bool = False,
    service_principal: bool = False,
) -> Application:
    """A public client registered in `tenant` whose registration requests Defender's delegated
    Incident.Read, consented by nobody; with `service_principal`, its service principal in
    `tenant` is made as the portal makes it."""
    app = apps.create_app(
        s,
        clock,
        tenant,
        name,
        multi_tenant=multi_tenant,
        public_client=True,
        redirect_uris=[redirect_uri],
    )
    consent.request_permissions(s, app, DEFENDER_XDR, ["Incident.Read"], "Scope")
    if service_principal:
        consent.ensure_service_principal(s, clock, tenant, app)
    return app


def make_lab(state: ServerState) -> Lab:
    tag = uuid.uuid4().hex[:8]
    clock = state.clock
    with state.sessions.begin() as s:
        home = tenants.create_tenant(s, clock, "Contoso Lab", f"contoso{tag}.example")
        customer = tenants.create_tenant(s, clock, "Fabrikam Customer", f"fabrikam{tag}.example")
        strict = tenants.create_tenant(s, clock, "Strict Org", f"strict{tag}.example")
        strict.users_can_consent = False

        def user(tenant: Tenant, name: str, roles: list[str] | None = None) -> str:
            upn = f"{name}@{tenant.domains[0].name}"
            users.create_user(
                s, clock, tenant, upn, PASSWORD, display_name=name.title(), roles=roles
            )
            return upn

        plain = user(home, "alex")
        admin = user(home, "admin", ["Global Administrator"])
        disabled = user(home, "gone")
        users.require_user(s, disabled).account_enabled = False
        customer_admin = user(customer, "admin", ["Global Administrator"])
        customer_user = user(customer, "casey", ["Security Reader"])
        strict_user = user(strict, "sam")

        public = requesting_public_client(s, clock, home, "Lab Notebook", service_principal=True)
        loopback_ip = requesting_public_client(
            s,
            clock,
            home,
            "Lab IP Loopback",
            redirect_uri="http://127.0.0.1",
            service_principal=True,
        )
        web = apps.create_app(
            s, clock, home, "Lab Web App", redirect_uris=["https://app.example/callback"]
        )
        partner = apps.create_app(
            s,
            clock,
            home,
            "Partner SOC Connector",
            multi_tenant=True,
            redirect_uris=["http://localhost/consented", "https://partner.example/done"],
        )
        consent.request_permissions(
            s, partner, DEFENDER_XDR, ["Incident.Read.All", "AdvancedHunting.Read.All"], "Role"
        )
        consent.request_permissions(s, partner, DEFENDER_XDR, ["Incident.Read"], "Scope")
        strict_app = requesting_public_client(s, clock, strict, "Strict App")
        return Lab(
            tenant_id=home.id,
            domain=home.domains[0].name,
            user=plain,
            admin=admin,
            disabled=disabled,
            public_client=public.app_id,
            loopback_ip_client=loopback_ip.app_id,
            web_app=web.app_id,
            partner_app=partner.app_id,
            customer_tenant_id=customer.id,
            customer_domain=customer.domains[0].name,
            customer_admin=customer_admin,
            customer_user=customer_user,
            strict_tenant_id=strict.id,
            strict_user=strict_user,
            extra={"strict_app": strict_app.app_id},
        )


class _Forms(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {"_action": a.get("action", "")}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and a.get("name"):
            self._current.setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms(page: str) -> list[dict[str, str]]:
    """Every form of a page: its action (`_action`) and its inputs' values."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms
