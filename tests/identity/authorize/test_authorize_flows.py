"""Whole authorize flows over HTTP, walked page by page as a browser would: v1 with `resource=`
redeemed at the v1 token endpoint, the account picker, prompt=login, v1 prompt=admin_consent,
the partner consent link (v1, no resource, no redirect_uri) and domain_hint."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import jwt
import pytest

from tests.conftest import Live
from tests.identity.authorize.lab import PASSWORD, Lab
from tests.identity.authorize.test_authorize_http import CHALLENGE, VERIFIER, authorize_url
from tests.identity.webclient import Landing, Page, WebClient, complete, sign_in
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR

DEFENDER = "https://api.security.microsoft.com"


@pytest.fixture
def web(live: Live) -> WebClient:
    client = WebClient(live.base_url, live.ca_file)
    yield client  # type: ignore[misc]
    client.close()


def claims(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def v1_url(live: Live, segment: str, **params: str) -> str:
    return f"{live.base_url}/{segment}/oauth2/authorize?{urlencode(params)}"


def _sign_in_and_land(web: WebClient, url: str, upn: str, seen: list[str]) -> Landing:
    landing = complete(web, web.get(url), upn, PASSWORD, seen=seen)
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    return landing


# -- v1 ------------------------------------------------------------------------------------------


def test_v1_authorize_with_resource_end_to_end(live: Live, lab: Lab, web: WebClient) -> None:
    state = live.state
    with state.sessions.begin() as s:
        reader = f"v1-reader-{uuid.uuid4().hex[:6]}@{lab.domain}"
        users.create_user(
            s,
            state.clock,
            tenants.require_tenant(s, lab.tenant_id),
            reader,
            PASSWORD,
            roles=["Security Reader"],
        )
    seen: list[str] = []
    url = v1_url(
        live,
        lab.tenant_id,
        client_id=lab.public_client,
        response_type="code",
        redirect_uri="http://localhost:4711/",
        resource=DEFENDER,
        state="v1-state",
        nonce="v1-nonce",
        code_challenge=CHALLENGE,
        code_challenge_method="S256",
    )
    landing = _sign_in_and_land(web, url, reader, seen)
    assert seen == ["username", "consent"]
    assert landing.how == "redirect" and landing.url.startswith("http://localhost:4711/?")
    assert set(landing.params) == {"code", "state", "session_state"}
    assert landing.params["state"] == "v1-state"
    uuid.UUID(landing.params["session_state"])

    response = live.post_token(
        {
            "grant_type": "authorization_code",
            "client_id": lab.public_client,
            "code": landing.params["code"],
            "redirect_uri": "http://localhost:4711/",
            "code_verifier": VERIFIER,
            "resource": DEFENDER,
        },
        version=1,
        tenant=lab.tenant_id,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # The v1 token response: numbers as strings, `resource`, `expires_on`/`not_before`.
    assert {
        "token_type",
        "scope",
        "expires_in",
        "ext_expires_in",
        "expires_on",
        "not_before",
        "resource",
        "access_token",
        "refresh_token",
        "id_token",
    } <= set(body), body
    assert body["token_type"] == "Bearer" and body["resource"] == DEFENDER
    for name in ("expires_in", "ext_expires_in", "expires_on", "not_before"):
        assert isinstance(body[name], str) and body[name].isdigit(), (name, body[name])
    assert body["scope"] == "Incident.Read"
    access = claims(body["access_token"])
    assert access["aud"] == DEFENDER and access["scp"] == "Incident.Read"
    assert access["upn"] == reader and access["tid"] == lab.tenant_id
    identity = claims(body["id_token"])
    assert identity["ver"] == "1.0" and identity["aud"] == lab.public_client
    assert identity["nonce"] == "v1-nonce" and identity["upn"] == reader
    with live.client() as client:
        incidents = client.get(
            "/api/incidents", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
    assert incidents.status_code == 200, incidents.text


def test_v1_prompt_admin_consent_grants_for_the_organisation(
    live: Live, lab: Lab, web: WebClient
) -> None:
    state = live.state
    with state.sessions.begin() as s:
        home = tenants.require_tenant(s, lab.tenant_id)
        app = apps.create_app(
            s,
            state.clock,
            home,
            f"Org-wide {uuid.uuid4().hex[:6]}",
            public_client=True,
            redirect_uris=["http://localhost"],
        )
        consent.request_permissions(s, app, DEFENDER_XDR, ["Incident.Read"], "Scope")
        client_id = app.app_id
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost:5000/",
        "resource": DEFENDER,
        "prompt": "admin_consent",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    # A user without an admin role cannot give admin consent.
    with WebClient(live.base_url, live.ca_file) as plain:
        page = sign_in(plain, plain.get(v1_url(live, lab.tenant_id, **params)), lab.user, PASSWORD)
        assert isinstance(page, Page) and page.status == 403
        assert "Need admin approval" in page.text

    page = sign_in(web, web.get(v1_url(live, lab.tenant_id, **params)), lab.admin, PASSWORD)
    assert isinstance(page, Page) and page.status == 200
    assert "Consent on behalf of your organisation" in page.text
    assert "checked disabled" in page.text  # forced by prompt=admin_consent
    (form,) = [f for f in page.forms if "/consent" in f.action]
    assert form.get("for_organisation") == "1"
    landing = web.submit(form, "accept")
    assert isinstance(landing, Landing) and "code" in landing.params, landing
    with state.sessions() as s:
        sp = consent.find_service_principal(s, lab.tenant_id, apps.require_app(s, client_id))
        assert sp is not None
        grants = consent.delegated_grants(s, sp, DEFENDER_XDR)
        assert [(g.principal_id, list(g.scopes)) for g in grants] == [(None, ["Incident.Read"])]
    # Everyone in the tenant is covered now: another user gets a code without a consent page.
    seen: list[str] = []
    with WebClient(live.base_url, live.ca_file) as other:
        params.pop("prompt")
        _sign_in_and_land(other, v1_url(live, lab.tenant_id, **params), lab.user, seen)
    assert seen == ["username"]


def test_partner_consent_link_v1_without_resource(live: Live, lab: Lab, web: WebClient) -> None:
    """The Defender partner docs' link: `/common/oauth2/authorize?prompt=consent&client_id=…
    &response_type=code&sso_reload=true`, no resource, no redirect_uri (the first registered one
    is used). A customer tenant's admin consents for the organisation; the partner app's service
    principal and application permissions appear in the customer tenant."""
    state = live.state
    with state.sessions.begin() as s:
        customer = tenants.create_tenant(
            s, state.clock, "Link Customer", f"link{uuid.uuid4().hex[:6]}.example"
        )
        admin = f"admin@{customer.domains[0].name}"
        users.create_user(s, state.clock, customer, admin, PASSWORD, roles=["Global Administrator"])
        customer_id = customer.id
    url = v1_url(
        live,
        "common",
        prompt="consent",
        client_id=lab.partner_app,
        response_type="code",
        sso_reload="true",
    )
    page = sign_in(web, web.get(url), admin, PASSWORD)
    assert isinstance(page, Page) and page.status == 200, getattr(page, "text", page)
    assert "Partner SOC Connector" in page.text
    assert "Consent on behalf of your organisation" in page.text
    # What consenting for the organisation grants is listed, application permissions included.
    assert "Microsoft Threat Protection (application)" in page.text, page.text
    assert "Read all incidents" in page.text and "AdvancedHunting.Read.All" in page.text
    (form,) = [f for f in page.forms if "/consent" in f.action]
    landing = web.submit(form, "accept", for_organisation="1")
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    assert landing.url.startswith("http://localhost/consented?")
    assert "code" in landing.params and "session_state" in landing.params
    with state.sessions() as s:
        sp = consent.find_service_principal(s, customer_id, apps.require_app(s, lab.partner_app))
        assert sp is not None, "no service principal in the customer tenant"
        assert set(consent.granted_roles(sp, DEFENDER_XDR)) == {
            "Incident.Read.All",
            "AdvancedHunting.Read.All",
        }


# -- prompts and hints -----------------------------------------------------------------------------


def test_select_account_lists_the_signed_in_account(live: Live, lab: Lab, web: WebClient) -> None:
    _sign_in_and_land(web, authorize_url(live, lab, prompt="consent"), lab.user, [])
    page = web.get(authorize_url(live, lab, prompt="select_account", state="pick"))
    assert isinstance(page, Page) and page.status == 200
    assert "Pick an account" in page.text and lab.user in page.text and "Alex" in page.text
    assert "Use another account" in page.text
    landing = web.submit(page.form(step="pick"))
    assert isinstance(landing, Landing) and landing.params["state"] == "pick"
    assert landing.params["code"]
    # "Use another account" asks for a user name again.
    page = web.get(authorize_url(live, lab, prompt="select_account"))
    assert isinstance(page, Page)
    other = web.submit(page.form(step="other"))
    assert isinstance(other, Page) and other.has_form("username")


def test_prompt_login_asks_for_the_password_again(live: Live, lab: Lab, web: WebClient) -> None:
    _sign_in_and_land(web, authorize_url(live, lab, prompt="consent"), lab.user, [])
    # Signed in: a plain authorize answers at once.
    quiet = web.get(authorize_url(live, lab))
    assert isinstance(quiet, Landing) and quiet.params["code"]
    forced = web.get(authorize_url(live, lab, prompt="login"))
    assert isinstance(forced, Page) and forced.has_form("username"), forced
    seen: list[str] = []
    landing = complete(web, forced, lab.user, PASSWORD, seen=seen)
    assert isinstance(landing, Landing) and landing.params["code"]
    assert seen == ["username"]
    # A wrong password on the forced sign-in does not fall back to the session.
    forced = web.get(authorize_url(live, lab, prompt="login"))
    assert isinstance(forced, Page)
    password_page = web.submit(forced.form(step="username"), login=lab.user)
    assert isinstance(password_page, Page)
    wrong = web.submit(password_page.form(step="password"), passwd="not-the-password")
    assert isinstance(wrong, Page) and wrong.status == 400 and wrong.has_form("password")


@pytest.mark.parametrize("hint", ["organizations", "contoso.example", "consumers"])
def test_domain_hint_is_accepted_and_ignored(
    live: Live, lab: Lab, web: WebClient, hint: str
) -> None:
    """xdrlab has no federation, so there is no home-realm discovery to skip: domain_hint is
    accepted and changes nothing (the sign-in page still asks for the user name)."""
    page = web.get(authorize_url(live, lab, domain_hint=hint))
    assert isinstance(page, Page) and page.status == 200 and page.has_form("username")
    landing = complete(web, page, lab.user, PASSWORD)
    assert isinstance(landing, Landing) and (landing.params.get("code") or landing.params)


def test_login_hint_fills_the_user_name(live: Live, lab: Lab, web: WebClient) -> None:
    page = web.get(authorize_url(live, lab, login_hint=lab.user))
    assert isinstance(page, Page)
    assert page.form(step="username").get("login") == lab.user
