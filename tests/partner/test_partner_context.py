"""Partner context end to end: the MSSP's multi-tenant app, unmodified MSAL, a real server.

Tokens asked for at `/{customer}` carry the customer's `tid` and the roles its admin consented
to, and reach only that customer's data; a customer that never consented answers AADSTS700016;
revoking consent stops the next token request; the partner's own tenant sees no customer data.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
from typer.testing import CliRunner

from tests.conftest import Live
from tests.identity.aadsts import assert_aadsts
from tests.identity.authorize.lab import forms
from tests.identity.jwks import verify_with_jwks
from tests.partner.conftest import (
    DEFENDER,
    Partner,
    call,
    hunt,
    incident_ids,
    lake_rows,
)
from xdrlab.cli.main import app as cli
from xdrlab.demo.partner import PARTNER_ROLES
from xdrlab.identity import consent, tenants
from xdrlab.identity.apps import require_app
from xdrlab.identity.catalogue import DEFENDER_XDR

runner = CliRunner()


def _not_found_text(client_id: str, tenant_name: str) -> str:
    return (
        f"Application with identifier '{client_id}' was not found in the directory "
        f"'{tenant_name}'. This can happen if the application has not been installed by the "
        "administrator of the tenant or consented to by any user in the tenant. You may have "
        "sent your authentication request to the wrong tenant."
    )


def _cli(live: Live, *args: str) -> Any:
    result = runner.invoke(cli, [*args, "--json", "--state", str(live.state.settings.state_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_json_describes_the_partner_setup(live: Live, partner: Partner) -> None:
    document = live.demo_json["partner"]
    assert document["client_id"] == partner.demo.client_id
    assert document["client_secret"] == partner.demo.client_secret
    assert document["home_tenant_id"] == partner.demo.home_tenant_id
    woodgrove, tailspin = document["customer_tenant_ids"]
    assert document["consented"] == {woodgrove: True, tailspin: False}
    assert document["customer_domains"] == {
        woodgrove: "woodgrove.onmicrosoft.com",
        tailspin: "tailspin.onmicrosoft.com",
    }
    assert live.demo_json["public_client_id"] == live.demo.public_client_id


def test_consented_customer_tokens_by_guid_and_by_domain(live: Live, partner: Partner) -> None:
    for segment in (partner.customer, "woodgrove.onmicrosoft.com", "WoodGrove.onmicrosoft.com"):
        token = partner.token(segment)
        claims = verify_with_jwks(
            token,
            f"{live.base_url}/{segment}/discovery/keys",
            str(live.ca_file),
            DEFENDER,
        )
        assert claims["tid"] == partner.customer
        assert claims["iss"] == f"{live.base_url}/{partner.customer}/"
        assert claims["appid"] == partner.demo.client_id
        assert claims["idtyp"] == "app"
        assert sorted(claims["roles"]) == sorted(PARTNER_ROLES)
        # The object id is the app's service principal in the customer tenant, not at home.
        with live.state.sessions() as session:
            app = require_app(session, partner.demo.client_id)
            sp = consent.find_service_principal(session, partner.customer, app)
            assert sp is not None
            assert claims["oid"] == sp.id


def test_customer_token_reads_only_the_customer_incidents(live: Live, partner: Partner) -> None:
    token = partner.token(partner.customer)
    expected = incident_ids(live, partner.customer)
    assert expected, "the demo gives the consented customer incidents of its own"
    response = call(live, token, "GET", "/api/incidents", params={"$top": "100"})
    assert response.status_code == 200, response.text
    listed = response.json()["value"]
    assert {item["incidentId"] for item in listed} == expected
    assert all(item["tenantId"] == partner.customer for item in listed if "tenantId" in item)
    one = call(live, token, "GET", f"/api/incidents/{min(expected)}")
    assert one.status_code == 200
    assert one.json()["alerts"][0]["devices"][0]["deviceDnsName"].endswith(
        ".woodgrove.onmicrosoft.com"
    )
    # The demo tenant's incidents exist, and are invisible here.
    contoso = incident_ids(live, live.tenant_id)
    assert contoso and not contoso & {item["incidentId"] for item in listed}
    assert call(live, token, "GET", f"/api/incidents/{min(contoso)}").status_code == 404


def test_customer_token_hunts_only_the_customer_lake(live: Live, partner: Partner) -> None:
    token = partner.token(partner.customer)
    rows = hunt(live, token, "DeviceProcessEvents | count")
    assert rows == [{"Count": lake_rows(live, partner.customer, "DeviceProcessEvents")}]
    assert rows[0]["Count"] > 0
    names = hunt(live, token, "DeviceInfo | distinct DeviceName")
    assert names and all(r["DeviceName"].endswith(".woodgrove.onmicrosoft.com") for r in names)
    contoso = hunt(live, token, "DeviceProcessEvents | where DeviceName has 'contoso' | count")
    assert contoso == [{"Count": 0}]


def test_data_never_crosses_tenants(live: Live, partner: Partner) -> None:
    # Each tenant's count through the API equals its own lake's rows: the demo tenant (the
    # demo daemon), the consented customer and the partner's home tenant (the MSSP app).
    demo_token = live.post_token(live.client_credentials_form()).json()["access_token"]
    tokens = {
        live.tenant_id: demo_token,
        partner.customer: partner.token(partner.customer),
        partner.demo.home_tenant_id: partner.token(partner.demo.home_tenant_id),
    }
    counts = {}
    for tenant_id, token in tokens.items():
        rows = hunt(live, token, "DeviceProcessEvents | count")
        counts[tenant_id] = rows[0]["Count"]
        assert counts[tenant_id] == lake_rows(live, tenant_id, "DeviceProcessEvents")
    assert counts[partner.demo.home_tenant_id] == 0
    assert counts[live.tenant_id] > counts[partner.customer] > 0


def test_partner_home_token_sees_no_customer_data(live: Live, partner: Partner) -> None:
    token = partner.token("fabrikam-mssp.onmicrosoft.com")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["tid"] == partner.demo.home_tenant_id
    assert sorted(claims["roles"]) == sorted(PARTNER_ROLES)  # consented at home too
    listed = call(live, token, "GET", "/api/incidents").json()["value"]
    assert listed == []
    for incident_id in incident_ids(live, partner.customer):
        assert call(live, token, "GET", f"/api/incidents/{incident_id}").status_code == 404
    assert hunt(live, token, "DeviceInfo | count") == [{"Count": 0}]


def test_unconsented_customer_answers_700016(live: Live, partner: Partner) -> None:
    text = _not_found_text(partner.demo.client_id, "Tailspin Toys")
    for segment in (partner.stranger, "tailspin.onmicrosoft.com"):
        result = partner.token_result(segment)
        assert "access_token" not in result
        assert result["error"] == "unauthorized_client"
        assert result["error_codes"] == [700016]
        assert result["error_description"].startswith(f"AADSTS700016: {text}\r\nTrace ID: ")
        response = live.post_token(
            {
                "grant_type": "client_credentials",
                "client_id": partner.demo.client_id,
                "client_secret": partner.demo.client_secret,
                "scope": f"{DEFENDER}/.default",
            },
            tenant=segment,
        )
        assert_aadsts(
            response,
            status=400,
            error="unauthorized_client",
            code=700016,
            text=text,
            base_url=live.base_url,
        )


def _new_customer(live: Live, partner: Partner) -> tuple[str, str]:
    """A fresh customer tenant whose admin consented to the partner app: (id, domain)."""
    domain = f"customer{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    state = live.state
    with state.sessions.begin() as session:
        tenant = tenants.create_tenant(session, state.clock, "Northwind Traders", domain)
        app = require_app(session, partner.demo.client_id)
        consent.grant_app_roles(session, state.clock, tenant, app, DEFENDER_XDR, PARTNER_ROLES)
        return tenant.id, domain


def test_revoking_consent_stops_the_next_token_request(live: Live, partner: Partner) -> None:
    tenant_id, domain = _new_customer(live, partner)
    token = partner.token(domain)
    assert jwt.decode(token, options={"verify_signature": False})["tid"] == tenant_id
    assert call(live, token, "GET", "/api/incidents").status_code == 200

    revoked = _cli(live, "consent", "revoke", partner.demo.client_id, "--tenant", domain)
    assert revoked == {
        "client_id": partner.demo.client_id,
        "tenant_id": tenant_id,
        "app_roles_removed": len(PARTNER_ROLES),
        "delegated_grants_removed": 0,
        "refresh_tokens_revoked": 0,
        "service_principal_removed": True,
    }
    result = partner.token_result(domain)
    assert result.get("error_codes") == [700016], result
    assert result["error_description"].startswith(
        "AADSTS700016: " + _not_found_text(partner.demo.client_id, "Northwind Traders")
    )
    # The other customers are untouched.
    assert "access_token" in partner.token_result(partner.customer)
    listed = _cli(live, "consent", "list", "--tenant", domain)
    assert listed == []


def test_revoking_only_the_roles_keeps_tokens_coming_without_roles(
    live: Live, partner: Partner
) -> None:
    tenant_id, _ = _new_customer(live, partner)
    revoked = _cli(
        live, "consent", "revoke", partner.demo.client_id, "--tenant", tenant_id, "--roles"
    )
    assert revoked["app_roles_removed"] == len(PARTNER_ROLES)
    assert revoked["service_principal_removed"] is False
    token = partner.token(tenant_id)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["tid"] == tenant_id and "roles" not in claims
    response = call(live, token, "GET", "/api/incidents")
    assert response.status_code == 403
    assert "Missing application roles" in response.json()["error"]["message"]


def test_unconsented_customer_admin_consents_in_the_browser(live: Live, partner: Partner) -> None:
    """The documented partner onboarding: Tailspin's Global Administrator opens the admin
    consent link and accepts; the next token request for Tailspin succeeds with the roles."""
    admin = next(a for a in partner.demo.customer_admins if a["tenant_id"] == partner.stranger)
    query = urlencode(
        {"client_id": partner.demo.client_id, "redirect_uri": "http://localhost", "state": "s1"}
    )
    try:
        with live.client() as browser:

            def submit(page: httpx.Response, step: str | None, **fields: str) -> httpx.Response:
                assert page.status_code == 200, page.text
                form = next(f for f in forms(page.text) if step is None or f.get("step") == step)
                data = {k: v for k, v in form.items() if k != "_action"} | fields
                return browser.post(f"{live.base_url}{form['_action']}", data=data)

            page = browser.get(f"{live.base_url}/tailspin.onmicrosoft.com/adminconsent?{query}")
            page = submit(page, "username", login=admin["upn"])
            page = submit(page, "password", login=admin["upn"], passwd=admin["password"])
            assert "Fabrikam MSSP console" in page.text
            done = submit(page, None, action="accept")
        assert done.status_code == 302, done.text
        location = urlsplit(done.headers["location"])
        assert (location.scheme, location.netloc) == ("http", "localhost")
        assert parse_qs(location.query) == {
            "admin_consent": ["True"],
            "tenant": [partner.stranger],
            "state": ["s1"],
        }
        claims = jwt.decode(partner.token(partner.stranger), options={"verify_signature": False})
        assert claims["tid"] == partner.stranger
        assert sorted(claims["roles"]) == sorted(PARTNER_ROLES)
        assert hunt(live, partner.token(partner.stranger), "DeviceProcessEvents | count") == [
            {"Count": 0}
        ]
    finally:  # the demo's Tailspin never consented; other tests rely on it
        with live.state.sessions.begin() as session:
            app = require_app(session, partner.demo.client_id)
            sp = consent.find_service_principal(session, partner.stranger, app)
            if sp is not None:
                consent.remove_service_principal(session, sp)
    assert partner.token_result(partner.stranger).get("error_codes") == [700016]
