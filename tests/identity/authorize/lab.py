"""A small directory for the browser-flow tests: two tenants, users with and without admin
rights, and apps (public loopback clients, confidential web app, multi-tenant partner app),
created in the shared live server with unique names; and a second, separate xdrlab server for
tests that need another setting (plain HTTP) or a clock they move."""

from __future__ import annotations

import html.parser
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from xdrlab.clock import Clock
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.server.run import Server, bind, settle_port
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings
from xdrlab.store.models import Tenant

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

        public = apps.create_app(
            s, clock, home, "Lab Notebook", public_client=True, redirect_uris=["http://localhost"]
        )
        consent.request_permissions(s, public, DEFENDER_XDR, ["Incident.Read"], "Scope")
        consent.ensure_service_principal(s, clock, home, public)  # as the portal makes it
        loopback_ip = apps.create_app(
            s,
            clock,
            home,
            "Lab IP Loopback",
            public_client=True,
            redirect_uris=["http://127.0.0.1"],
        )
        consent.request_permissions(s, loopback_ip, DEFENDER_XDR, ["Incident.Read"], "Scope")
        consent.ensure_service_principal(s, clock, home, loopback_ip)
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
        strict_app = apps.create_app(
            s, clock, strict, "Strict App", public_client=True, redirect_uris=["http://localhost"]
        )
        consent.request_permissions(s, strict_app, DEFENDER_XDR, ["Incident.Read"], "Scope")
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


@dataclass
class Running:
    """A separate xdrlab server (its own state folder) started by `serve`."""

    base_url: str
    state: ServerState
    ca_file: Path | None  # None: plain HTTP


@contextmanager
def serve(state_dir: Path, *, tls: bool = True, clock: Clock | None = None) -> Iterator[Running]:
    """A real xdrlab server on a free loopback port, as `xdrlab serve` runs it, with `tls` and
    `clock` (None: the system clock) as given; stopped on exit."""
    sock = bind("127.0.0.1", 0)
    settings = settle_port(Settings(state_dir=state_dir, host="127.0.0.1", port=0, tls=tls), sock)
    state = open_state(settings, clock)
    server = Server(state, sock, log_level="warning")
    try:
        server.start_in_thread()
        yield Running(settings.base_url, state, server.tls.ca_file if server.tls else None)
    finally:
        server.stop()
        sock.close()
        state.engine.dispose()


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
