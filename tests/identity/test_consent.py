"""Consent decides what a token carries: no roles without admin consent, roles once granted,
and a multi-tenant app gets tokens for a customer tenant only after that tenant consents."""

from __future__ import annotations

import uuid

import jwt

from tests.conftest import Live
from xdrlab.identity import apps, consent, tenants
from xdrlab.identity.catalogue import DEFENDER_XDR

SCOPE = "https://api.security.microsoft.com/.default"


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
