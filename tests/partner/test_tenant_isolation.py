"""Tenant isolation: a token for one tenant never reads or changes another tenant's incidents
or hunting data, whoever holds it (the demo daemon, single-tenant apps, the MSSP's multi-tenant
app, users signed in through a public client in the demo tenant and in a customer tenant), and a
token whose `tid` names another tenant than its issuer is refused."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from tests.api.conftest import MakeApp
from tests.conftest import Live
from tests.identity.user.conftest import consented_public_client
from tests.partner.conftest import Partner, call, hunt, incident_ids, lake_rows
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH
from xdrlab.store.models import Incident

READ_WRITE = ["Incident.ReadWrite.All", "AdvancedHunting.Read.All"]
GRAPH_READ_WRITE = ["SecurityIncident.ReadWrite.All", "ThreatHunting.Read.All"]
GRAPH = "https://graph.microsoft.com"
DEFENDER = "https://api.security.microsoft.com"
DELEGATED = ["Incident.ReadWrite", "AdvancedHunting.Read"]
GRAPH_DELEGATED = ["SecurityIncident.Read.All", "ThreatHunting.Read.All"]


@dataclass
class Reader:
    tenant_id: str
    defender_token: str
    graph_token: str | None  # None when the app holds no Graph permission


def _demo_daemon(live: Live, partner: Partner, make_app: MakeApp) -> Reader:
    tokens = [
        live.post_token(live.client_credentials_form(scope=f"{r}/.default")).json()["access_token"]
        for r in ("https://api.security.microsoft.com", GRAPH)
    ]
    return Reader(live.tenant_id, tokens[0], tokens[1])


def _single_tenant(domain: str | None) -> Callable[[Live, Partner, MakeApp], Reader]:
    def make(live: Live, partner: Partner, make_app: MakeApp) -> Reader:
        app = make_app(defender=READ_WRITE, graph=GRAPH_READ_WRITE, tenant_domain=domain)
        return Reader(app.tenant_id, app.token(), app.token(GRAPH))

    return make


def _partner_in(which: str) -> Callable[[Live, Partner, MakeApp], Reader]:
    def make(live: Live, partner: Partner, make_app: MakeApp) -> Reader:
        tenant = partner.customer if which == "customer" else partner.demo.home_tenant_id
        return Reader(tenant, partner.token(tenant), None)

    return make


def _user_tokens(
    live: Live, tenant_id: str, client_id: str, upn: str, password: str
) -> tuple[str, str]:
    """A user's Defender and Graph tokens from the password grant of a public client."""
    tokens = []
    for resource in (DEFENDER, GRAPH):
        token = live.password_token(
            client_id, upn, password, f"{resource}/.default", tenant=tenant_id
        )
        delegated = jwt.decode(token, options={"verify_signature": False})
        assert delegated["tid"] == tenant_id and delegated.get("scp"), delegated
        tokens.append(token)
    return tokens[0], tokens[1]


def _demo_user(live: Live, partner: Partner, make_app: MakeApp) -> Reader:
    """The demo's Security Operator, through the demo public client (it may update incidents,
    so the refused updates below are refused for the tenant, not for the role)."""
    user = next(u for u in live.demo.users if "Security Operator" in u["roles"])
    defender, graph = _user_tokens(
        live, live.tenant_id, live.demo.public_client_id, user["upn"], user["password"]
    )
    return Reader(live.tenant_id, defender, graph)


def _customer_user(live: Live, partner: Partner, make_app: MakeApp) -> Reader:
    """The customer's Global Administrator, through a public client registered in that tenant
    with its delegated permissions consented for every user."""
    client_id = consented_public_client(
        live.state,
        partner.customer,
        f"woodgrove console {uuid.uuid4().hex[:6]}",
        {DEFENDER_XDR: DELEGATED, MICROSOFT_GRAPH: GRAPH_DELEGATED},
        redirect_uris=["http://localhost"],
    )
    admin = next(a for a in partner.demo.customer_admins if a["tenant_id"] == partner.customer)
    defender, graph = _user_tokens(
        live, partner.customer, client_id, admin["upn"], admin["password"]
    )
    return Reader(partner.customer, defender, graph)


READERS = {
    "demo daemon in contoso": _demo_daemon,
    "single-tenant app in contoso": _single_tenant(None),
    "single-tenant app in woodgrove": _single_tenant("woodgrove.onmicrosoft.com"),
    "multi-tenant MSSP app in woodgrove": _partner_in("customer"),
    "multi-tenant MSSP app at home": _partner_in("home"),
    "demo user in contoso (public client, password grant)": _demo_user,
    "customer admin in woodgrove (public client, password grant)": _customer_user,
}


def _data_tenants(live: Live, partner: Partner) -> dict[str, str]:
    """Tenants holding incidents and lake data: id -> domain."""
    return {
        live.tenant_id: live.demo.tenant_domain,
        partner.customer: partner.demo.customer_domains[partner.customer],
    }


def _status(live: Live, incident_id: int) -> str:
    with live.state.sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return incident.status


@pytest.mark.parametrize("name", list(READERS))
def test_no_token_reaches_another_tenant(
    live: Live, partner: Partner, make_app: MakeApp, name: str
) -> None:
    reader = READERS[name](live, partner, make_app)
    others = {t: d for t, d in _data_tenants(live, partner).items() if t != reader.tenant_id}
    assert others
    own = incident_ids(live, reader.tenant_id)

    listed = call(live, reader.defender_token, "GET", "/api/incidents", params={"$top": "100"})
    assert listed.status_code == 200, listed.text
    seen = {i["incidentId"] for i in listed.json()["value"]}
    assert seen <= own
    assert bool(seen) == bool(own), (name, "its own tenant's incidents are listed")

    for tenant_id, domain in others.items():
        theirs = incident_ids(live, tenant_id)
        assert theirs
        for incident_id in (min(theirs), max(theirs)):
            before = _status(live, incident_id)
            got = call(live, reader.defender_token, "GET", f"/api/incidents/{incident_id}")
            assert got.status_code == 404, (name, incident_id)
            patched = call(
                live,
                reader.defender_token,
                "PATCH",
                f"/api/incidents/{incident_id}",
                json={"status": "Resolved" if before != "Resolved" else "Active"},
            )
            assert patched.status_code == 404, (name, incident_id)
            assert _status(live, incident_id) == before
            if reader.graph_token is not None:
                graph = call(
                    live, reader.graph_token, "GET", f"/v1.0/security/incidents/{incident_id}"
                )
                assert graph.status_code == 404
        query = f"DeviceProcessEvents | where DeviceName endswith '{domain}' | count"
        assert hunt(live, reader.defender_token, query) == [{"Count": 0}]

    own_rows = lake_rows(live, reader.tenant_id, "DeviceProcessEvents")
    assert hunt(live, reader.defender_token, "DeviceProcessEvents | count") == [{"Count": own_rows}]
    if reader.graph_token is not None:
        graph_listed = call(live, reader.graph_token, "GET", "/v1.0/security/incidents")
        assert graph_listed.status_code == 200
        assert {int(i["id"]) for i in graph_listed.json()["value"]} <= own
        graph_hunt = call(
            live,
            reader.graph_token,
            "POST",
            "/v1.0/security/runHuntingQuery",
            json={"Query": "DeviceProcessEvents | count"},
        )
        assert graph_hunt.status_code == 200, graph_hunt.text
        assert graph_hunt.json()["results"] == [{"Count": own_rows}]


def _forge(live: Live, claims: dict[str, Any]) -> str:
    current = live.state.identity().keys.current()
    headers = {"kid": current.kid, "x5t": current.kid}
    return jwt.encode(claims, current.private_key, algorithm="RS256", headers=headers)


def _claims(tenant_id: str, issuer: str, client_id: str, ver: str) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": "https://api.security.microsoft.com",
        "iss": issuer,
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + 3600,
        "idtyp": "app",
        "oid": str(uuid.uuid4()),
        "roles": READ_WRITE,
        "tid": tenant_id,
        "ver": ver,
    }
    claims["appid" if ver == "1.0" else "azp"] = client_id
    return claims


@pytest.mark.parametrize("direction", ["contoso->woodgrove", "woodgrove->contoso"])
@pytest.mark.parametrize("ver", ["1.0", "2.0"])
def test_tid_of_another_tenant_than_the_issuer_is_refused(
    live: Live, partner: Partner, direction: str, ver: str
) -> None:
    a, b = (live.tenant_id, partner.customer)
    if direction.startswith("woodgrove"):
        a, b = b, a
    identity = live.state.identity()
    issuer_of_a = identity.v1_issuer(a) if ver == "1.0" else identity.v2_issuer(a)
    victim = min(incident_ids(live, b))
    before = _status(live, victim)

    # The same claims with a matching issuer are accepted (the forgery itself is sound) ...
    genuine = _forge(live, _claims(a, issuer_of_a, partner.demo.client_id, ver))
    assert call(live, genuine, "GET", "/api/incidents").status_code == 200
    # ... and naming tenant B in `tid` under A's issuer is refused everywhere.
    forged = _forge(live, _claims(b, issuer_of_a, partner.demo.client_id, ver))
    for method, path, body in (
        ("GET", "/api/incidents", None),
        ("GET", f"/api/incidents/{victim}", None),
        ("PATCH", f"/api/incidents/{victim}", {"status": "Resolved"}),
        ("POST", "/api/advancedhunting/run", {"Query": "DeviceProcessEvents | count"}),
    ):
        response = call(live, forged, method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert "Invalid Authorization payload" in response.json()["error"]["message"]
    assert _status(live, victim) == before
