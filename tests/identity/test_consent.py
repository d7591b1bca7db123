"""Consent decides what a token carries: no roles without admin consent, roles once granted,
a multi-tenant app gets tokens for a customer tenant only after that tenant consents, and a
user's incremental consent widens that user's grant, never the app registration."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt

from tests.conftest import Live
from tests.identity.authorize.lab import requesting_public_client
from tests.identity.webclient import Landing, Page, WebClient, complete, sign_in
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.store.models import Tenant

SCOPE = "https://api.security.microsoft.com/.default"
DEFENDER = "https://api.security.microsoft.com"
PASSWORD = "Correct-horse-42"
REDIRECT = "http://localhost:8123/"
VERIFIER = "v" * 50
CHALLENGE = (
    base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
)


def _token(live: Live, tenant: str, client_id: str, secret: str) -> dict[str, object]:
    form = live.client_credentials_form(client_id=client_id, client_secret=secret)
    response = live.post_token(form, tenant=tenant)
    return {"status": response.status_code, **response.json()}


def test_consented_app_without_roles_gets_a_token_without_roles(live: Live) -> None:
    state = live.state
    with state.sessions.begin() as session:
        home = tenants.require_tenant(session, live.tenant_id)
        app = apps.create_app(session, state.clock, home, "no roles yet")
        consent.ensure_service_principal(session, state.clock, home, app)
        secret = apps.add_secret(session, state.clock, state.secret_hash_key, app).value
        client_id = app.app_id
    result = _token(live, live.tenant_id, client_id, secret)
    assert result["status"] == 200
    claims = jwt.decode(str(result["access_token"]), options={"verify_signature": False})
    assert "roles" not in claims
    assert claims["idtyp"] == "app"

    with state.sessions.begin() as session:
        app = apps.require_app(session, client_id)
        home = tenants.require_tenant(session, live.tenant_id)
        consent.grant_app_roles(
            session, state.clock, home, app, DEFENDER_XDR, ["Incident.Read.All"]
        )
    claims = jwt.decode(
        str(_token(live, live.tenant_id, client_id, secret)["access_token"]),
        options={"verify_signature": False},
    )
    assert claims["roles"] == ["Incident.Read.All"]


def test_partner_app_gets_customer_tokens_only_after_customer_consent(live: Live) -> None:
    state = live.state
    with state.sessions.begin() as session:
        home = tenants.require_tenant(session, live.tenant_id)
        customer = tenants.create_tenant(
            session, state.clock, "Customer", f"cust{uuid.uuid4().hex[:6]}.onmicrosoft.com"
        )
        app = apps.create_app(session, state.clock, home, "mssp", multi_tenant=True)
        consent.grant_app_roles(
            session, state.clock, home, app, DEFENDER_XDR, ["AdvancedHunting.Read.All"]
        )
        secret = apps.add_secret(session, state.clock, state.secret_hash_key, app).value
        client_id, customer_id = app.app_id, customer.id
    before = _token(live, customer_id, client_id, secret)
    assert before["status"] == 400 and before["error_codes"] == [700016]

    with state.sessions.begin() as session:
        customer = tenants.require_tenant(session, customer_id)
        app = apps.require_app(session, client_id)
        consent.grant_app_roles(
            session, state.clock, customer, app, DEFENDER_XDR, ["Incident.Read.All"]
        )
    after = _token(live, customer_id, client_id, secret)
    claims = jwt.decode(str(after["access_token"]), options={"verify_signature": False})
    assert claims["tid"] == customer_id
    assert claims["iss"] == f"{live.base_url}/{customer_id}/"
    assert claims["roles"] == ["Incident.Read.All"]  # the customer's grant, not the home one


# -- incremental consent stays with the user who gave it -----------------------------------------


@dataclass
class Partner:
    client_id: str  # multi-tenant public client; its registration requests Incident.Read
    customer_id: str  # users may consent here
    consenting_user: str
    other_user: str
    other_tenant_id: str
    other_admin: str
    other_tenant_user: str


def _partner(live: Live) -> Partner:
    state, tag = live.state, uuid.uuid4().hex[:8]
    with state.sessions.begin() as s:
        home = tenants.require_tenant(s, live.tenant_id)
        app = requesting_public_client(
            s, state.clock, home, f"Incremental {tag}", multi_tenant=True
        )
        customer = tenants.create_tenant(s, state.clock, "Woodgrove", f"woodgrove{tag}.example")
        other = tenants.create_tenant(s, state.clock, "Tailspin", f"tailspin{tag}.example")

        def user(tenant: Tenant, name: str, roles: list[str] | None = None) -> str:
            upn = f"{name}@{tenant.domains[0].name}"
            users.create_user(s, state.clock, tenant, upn, PASSWORD, roles=roles)
            return upn

        return Partner(
            client_id=app.app_id,
            customer_id=customer.id,
            consenting_user=user(customer, "dana", ["Security Operator"]),
            other_user=user(customer, "eli", ["Security Reader"]),
            other_tenant_id=other.id,
            other_admin=user(other, "admin", ["Global Administrator"]),
            other_tenant_user=user(other, "fay", ["Security Reader"]),
        )


def _authorize_url(live: Live, tenant: str, client_id: str, scope: str) -> str:
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": f"{scope} openid offline_access",
        "state": "incremental",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    return f"{live.base_url}/{tenant}/oauth2/v2.0/authorize?{urlencode(params)}"


def _scp(live: Live, tenant: str, client_id: str, landing: Page | Landing) -> str:
    """Redeem the code the browser brought back; the access token's `scp`."""
    assert isinstance(landing, Landing) and "code" in landing.params, landing
    response = live.post_token(
        {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": landing.params["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER,
        },
        tenant=tenant,
    )
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["tid"] == tenant
    return str(claims["scp"])


def _default_with_consent_page(
    live: Live, tenant: str, client_id: str, upn: str
) -> tuple[str, str]:
    """A new browser: `upn` signs in asking `.default`; the consent page's text and, once
    accepted, the token's `scp`."""
    with WebClient(live.base_url, live.ca_file) as web:
        page = sign_in(web, web.get(_authorize_url(live, tenant, client_id, SCOPE)), upn, PASSWORD)
        assert isinstance(page, Page) and "Permissions requested" in page.text, page
        text = page.text
        return text, _scp(live, tenant, client_id, complete(web, page, upn, PASSWORD))


def test_incremental_consent_widens_the_users_grant_not_the_registration(live: Live) -> None:
    partner = _partner(live)
    read_write = f"{DEFENDER}/Incident.ReadWrite"
    with WebClient(live.base_url, live.ca_file) as web:
        # Static consent first: .default asks for what the registration requests.
        seen: list[str] = []
        url = _authorize_url(live, partner.customer_id, partner.client_id, SCOPE)
        landing = complete(web, web.get(url), partner.consenting_user, PASSWORD, seen=seen)
        assert seen == ["username", "consent"]
        assert _scp(live, partner.customer_id, partner.client_id, landing) == "Incident.Read"

        # Then the app asks for a scope its registration does not request (dynamic consent).
        url = _authorize_url(live, partner.customer_id, partner.client_id, read_write)
        page = web.get(url)
        assert isinstance(page, Page) and "Read and write incidents" in page.text, page
        landing = complete(web, page, partner.consenting_user, PASSWORD)
        scp = _scp(live, partner.customer_id, partner.client_id, landing)
        assert scp == "Incident.Read Incident.ReadWrite"

        # .default now means everything this user granted: both, without a consent page.
        url = _authorize_url(live, partner.customer_id, partner.client_id, SCOPE)
        landing = web.get(url)
        assert isinstance(landing, Landing), "asked for consent again"
        scp = _scp(live, partner.customer_id, partner.client_id, landing)
        assert scp == "Incident.Read Incident.ReadWrite"

    # The registration still requests only Incident.Read ...
    with live.state.sessions() as s:
        app = apps.require_app(s, partner.client_id)
        requested = [
            (p.kind, DEFENDER_XDR.permission(p.permission_id, p.kind))
            for p in app.requested_permissions
        ]
        assert [(kind, p.value if p else None) for kind, p in requested] == [
            ("Scope", "Incident.Read")
        ]
        # ... and the customer tenant holds one grant: the consenting user's own.
        sp = consent.find_service_principal(s, partner.customer_id, app)
        assert sp is not None
        grants = consent.delegated_grants(s, sp, DEFENDER_XDR)
        assert [(g.consent_type, list(g.scopes)) for g in grants] == [
            ("Principal", ["Incident.Read", "Incident.ReadWrite"])
        ]

    # Another tenant's admin-consent page lists only what the registration requests.
    with WebClient(live.base_url, live.ca_file) as admin:
        query = urlencode(
            {"client_id": partner.client_id, "scope": SCOPE, "redirect_uri": REDIRECT}
        )
        url = f"{live.base_url}/{partner.other_tenant_id}/v2.0/adminconsent?{query}"
        page = sign_in(admin, admin.get(url), partner.other_admin, PASSWORD)
        assert isinstance(page, Page) and "Accept for your organisation" in page.text, page
        assert "Read incidents" in page.text
        assert "Incident.ReadWrite" not in page.text
        assert "Read and write incidents" not in page.text

    # Another tenant's user: consent page and .default token without Incident.ReadWrite.
    text, scp = _default_with_consent_page(
        live, partner.other_tenant_id, partner.client_id, partner.other_tenant_user
    )
    assert "Read incidents" in text and "Incident.ReadWrite" not in text
    assert scp == "Incident.Read"

    # Another user of the customer tenant: the same.
    text, scp = _default_with_consent_page(
        live, partner.customer_id, partner.client_id, partner.other_user
    )
    assert "Read incidents" in text and "Incident.ReadWrite" not in text
    assert scp == "Incident.Read"


def test_default_token_request_carries_every_granted_scope(live: Live) -> None:
    """At the token endpoint `.default` is what was granted to the client for the user (their
    own grant plus the tenant-wide one), static or not; a user with no grant gets
    AADSTS65001."""
    partner = _partner(live)
    state = live.state
    with state.sessions.begin() as s:
        app = apps.require_app(s, partner.client_id)
        customer = tenants.require_tenant(s, partner.customer_id)
        consent.add_delegated_grant(
            s, state.clock, customer, app, DEFENDER_XDR, ["AdvancedHunting.Read"]
        )
        consent.add_delegated_grant(
            s,
            state.clock,
            customer,
            app,
            DEFENDER_XDR,
            ["Incident.ReadWrite"],
            user=users.require_user(s, partner.consenting_user),
        )
        registered = [p.permission_id for p in app.requested_permissions]
    read = DEFENDER_XDR.permission("Incident.Read", "Scope")
    assert read is not None and registered == [read.id]

    def password_grant(tenant: str, upn: str) -> dict[str, object]:
        form = live.password_form(partner.client_id, upn, PASSWORD, scope=f"{SCOPE} openid")
        response = live.post_token(form, tenant=tenant)
        return {"status": response.status_code, **response.json()}

    mine = password_grant(partner.customer_id, partner.consenting_user)
    assert mine["status"] == 200, mine
    claims = jwt.decode(str(mine["access_token"]), options={"verify_signature": False})
    assert claims["scp"] == "AdvancedHunting.Read Incident.ReadWrite"
    theirs = password_grant(partner.customer_id, partner.other_user)
    claims = jwt.decode(str(theirs["access_token"]), options={"verify_signature": False})
    assert claims["scp"] == "AdvancedHunting.Read"
    # The other tenant granted nothing (the app is not even present there).
    refused = password_grant(partner.other_tenant_id, partner.other_tenant_user)
    assert refused["status"] == 400 and refused["error_codes"] == [700016], refused
