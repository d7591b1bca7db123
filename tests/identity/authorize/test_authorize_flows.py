"""Whole authorize flows over HTTP, walked page by page as a browser would: v1 with `resource=`
redeemed at the v1 token endpoint, the account picker, prompt=login, v1 prompt=admin_consent,
the partner consent link (v1, no resource, no redirect_uri), domain_hint, admin consent
(cancelled, without its CSRF token, through /common and /organizations), /common and
/organizations authorize in the user's home tenant, prompt=none without consent, a login_hint
naming another user, and one user's consent not covering another."""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import pytest

from tests.conftest import Live
from tests.identity.authorize.lab import PASSWORD, Lab, requesting_public_client
from tests.identity.authorize.test_authorize_http import CHALLENGE, VERIFIER, authorize_url
from tests.identity.webclient import Form, Landing, Page, WebClient, complete, sign_in
from xdrlab.identity import apps, consent, sessions, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR

DEFENDER = "https://api.security.microsoft.com"
READ_SCOPE = f"{DEFENDER}/Incident.Read openid offline_access"


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
        name = f"Org-wide {uuid.uuid4().hex[:6]}"
        client_id = requesting_public_client(s, state.clock, home, name).app_id
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
    customer_id, admin = _customer(live, "Link Customer")
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
    assert isinstance(landing, Landing) and landing.params.get("code"), landing


def test_login_hint_fills_the_user_name(live: Live, lab: Lab, web: WebClient) -> None:
    page = web.get(authorize_url(live, lab, login_hint=lab.user))
    assert isinstance(page, Page)
    assert page.form(step="username").get("login") == lab.user


# -- helpers for the tests below -------------------------------------------------------------------


REDIRECT = "http://localhost:8765/"
PARTNER_REDIRECT = "https://partner.example/done"


def _fresh_user(live: Live, tenant_id: str, roles: list[str] | None = None) -> str:
    """A user nobody else signs in as, so consent and sessions are this test's own."""
    state = live.state
    with state.sessions.begin() as s:
        tenant = tenants.require_tenant(s, tenant_id)
        upn = f"u{uuid.uuid4().hex[:8]}@{tenant.domains[0].name}"
        users.create_user(s, state.clock, tenant, upn, PASSWORD, roles=roles or ["Security Reader"])
    return upn


def _fresh_public_app(live: Live, lab: Lab, *, multi_tenant: bool = False) -> str:
    """A public client whose registration requests Incident.Read, consented by nobody yet."""
    state = live.state
    with state.sessions.begin() as s:
        home = tenants.require_tenant(s, lab.tenant_id)
        app = requesting_public_client(
            s,
            state.clock,
            home,
            f"Fresh {uuid.uuid4().hex[:6]}",
            multi_tenant=multi_tenant,
            service_principal=True,
        )
        return app.app_id


def _customer(live: Live, name: str = "Northwind") -> tuple[str, str]:
    """A new customer tenant named `name`, with its Global Administrator; nothing consented
    there."""
    state = live.state
    domain = f"{name.split()[0].lower()}{uuid.uuid4().hex[:8]}.example"
    with state.sessions.begin() as s:
        tenant = tenants.create_tenant(s, state.clock, name, domain)
        admin = f"admin@{tenant.domains[0].name}"
        users.create_user(s, state.clock, tenant, admin, PASSWORD, roles=["Global Administrator"])
        return tenant.id, admin


def _nothing_granted_in(live: Live, tenant_id: str) -> None:
    """No service principal in the tenant, so no app-role assignment or delegated grant."""
    with live.state.sessions() as s:
        assert consent.service_principals(s, tenant_id) == []


def admin_consent_url(live: Live, version: int, segment: str, **params: str) -> str:
    path = "adminconsent" if version == 1 else "v2.0/adminconsent"
    base = {"redirect_uri": PARTNER_REDIRECT, "state": f"ac-{version}-{segment}", **params}
    if version == 2:
        base.setdefault("scope", f"{DEFENDER}/.default")
    return f"{live.base_url}/{segment}/{path}?{urlencode(base)}"


def _redeem(live: Live, segment: str, client_id: str, code: str, scope: str) -> dict[str, object]:
    response = live.post_token(
        {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER,
            "scope": scope,
            "client_info": "1",
        },
        tenant=segment,
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


# -- admin consent: refused, and through /common and /organizations -------------------------------


@pytest.mark.parametrize(
    ("version", "customer_path"), [(2, True), (1, False)], ids=["v2-customer", "v1-common"]
)
def test_cancelled_admin_consent_goes_back_with_access_denied_and_grants_nothing(
    live: Live, lab: Lab, web: WebClient, version: int, customer_path: bool
) -> None:
    customer_id, admin = _customer(live)
    segment = customer_id if customer_path else "common"
    url = admin_consent_url(live, version, segment, client_id=lab.partner_app)
    page = sign_in(web, web.get(url), admin, PASSWORD)
    assert isinstance(page, Page) and page.status == 200, getattr(page, "text", page)
    assert "Accept for your organisation" in page.text and "Northwind" in page.text
    form = page.form(action_has="/consent")
    cancelled = web.http.post(form.action, data={**dict(form.fields), "action": "cancel"})
    assert cancelled.status_code == 302, cancelled.text
    location = cancelled.headers["location"]
    assert location.startswith(f"{PARTNER_REDIRECT}?"), location
    params = dict(parse_qsl(urlsplit(location).query))
    assert list(params) == ["error", "error_description", "error_uri", "admin_consent", "state"]
    assert params["error"] == "access_denied"
    description = params["error_description"].split("\r\n")
    assert description[0] == "AADSTS65004: User declined to consent to access the app."
    assert [line.split(": ")[0] for line in description[1:]] == [
        "Trace ID",
        "Correlation ID",
        "Timestamp",
    ]
    assert params["error_uri"].endswith("/error?code=65004")
    assert params["admin_consent"] == "True"
    assert params["state"] == f"ac-{version}-{segment}"
    _nothing_granted_in(live, customer_id)


def test_admin_consent_post_without_csrf_token_is_refused(
    live: Live, lab: Lab, web: WebClient
) -> None:
    customer_id, admin = _customer(live)
    url = admin_consent_url(live, 2, customer_id, client_id=lab.partner_app)
    page = sign_in(web, web.get(url), admin, PASSWORD)
    assert isinstance(page, Page) and page.status == 200
    form = page.form(action_has="/consent")
    assert form.get(sessions.CSRF_FIELD)
    stripped = Form(
        form.action, form.method, [(k, v) for k, v in form.fields if k != sessions.CSRF_FIELD]
    )
    stripped.buttons = form.buttons
    refused = web.submit(stripped, "accept")
    assert isinstance(refused, Page) and refused.status == 403, refused
    assert "This page has expired" in refused.text
    _nothing_granted_in(live, customer_id)


@pytest.mark.parametrize("segment", ["common", "organizations"])
@pytest.mark.parametrize("version", [1, 2])
def test_admin_consent_through_common_and_organizations_lands_in_the_admins_tenant(
    live: Live, lab: Lab, web: WebClient, version: int, segment: str
) -> None:
    customer_id, admin = _customer(live)
    url = admin_consent_url(live, version, segment, client_id=lab.partner_app)
    landing = complete(web, web.get(url), admin, PASSWORD)
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    assert landing.how == "redirect" and landing.url.startswith(f"{PARTNER_REDIRECT}?")
    assert landing.params["admin_consent"] == "True"
    assert landing.params["tenant"] == customer_id
    assert landing.params["state"] == f"ac-{version}-{segment}"
    assert "error" not in landing.params
    if version == 2:
        assert landing.params["scope"] == f"{DEFENDER}/.default"
    # The partner app now gets app-only tokens for the customer, with the roles consented.
    state = live.state
    with state.sessions.begin() as s:
        app = apps.require_app(s, lab.partner_app)
        secret = apps.add_secret(s, state.clock, state.secret_hash_key, app).value
    response = live.post_token(
        live.client_credentials_form(client_id=lab.partner_app, client_secret=secret),
        tenant=customer_id,
    )
    assert response.status_code == 200, response.text
    token = claims(response.json()["access_token"])
    assert token["tid"] == customer_id
    roles = token["roles"]
    assert isinstance(roles, list) and sorted(roles) == [
        "AdvancedHunting.Read.All",
        "Incident.Read.All",
    ]


# -- /common and /organizations pick the user's home tenant ---------------------------------------


@pytest.mark.parametrize("segment", ["organizations", "common"])
def test_common_and_organizations_authorize_in_the_users_home_tenant(
    live: Live, lab: Lab, web: WebClient, segment: str
) -> None:
    client_id = _fresh_public_app(live, lab, multi_tenant=True)
    upn = _fresh_user(live, lab.customer_tenant_id)
    scope = f"{DEFENDER}/.default openid profile offline_access"
    url = authorize_url(live, lab, client_id=client_id, scope=scope, nonce="n-" + segment)
    url = url.replace(f"/{lab.tenant_id}/", f"/{segment}/", 1)
    assert f"/{segment}/oauth2/v2.0/authorize?" in url
    seen: list[str] = []
    landing = _sign_in_and_land(web, url, upn, seen)
    assert seen == ["username", "consent"]
    body = _redeem(live, segment, client_id, landing.params["code"], scope)
    access, identity = claims(str(body["access_token"])), claims(str(body["id_token"]))
    assert access["tid"] == identity["tid"] == lab.customer_tenant_id
    assert access["upn"] == identity["preferred_username"] == upn
    assert identity["iss"] == f"{live.base_url}/{lab.customer_tenant_id}/v2.0"
    assert identity["nonce"] == "n-" + segment
    info = str(body["client_info"])
    utid = json.loads(base64.urlsafe_b64decode(info + "=" * (-len(info) % 4)))["utid"]
    assert utid == lab.customer_tenant_id
    # The consent went to the user's tenant, not the app's home tenant.
    with live.state.sessions() as s:
        app = apps.require_app(s, client_id)
        sp = consent.find_service_principal(s, lab.customer_tenant_id, app)
        assert sp is not None
        user = users.require_user(s, upn)
        assert consent.delegated_scopes(s, lab.customer_tenant_id, sp, DEFENDER_XDR, user) == {
            "Incident.Read"
        }


# -- prompt=none, login_hint and per-user consent -------------------------------------------------


def test_prompt_none_with_a_session_but_no_consent_sends_consent_required(
    live: Live, lab: Lab, web: WebClient
) -> None:
    client_id = _fresh_public_app(live, lab)
    upn = _fresh_user(live, lab.tenant_id)
    # Signed in, but the consent page was cancelled: a session and no consent.
    page = sign_in(web, web.get(authorize_url(live, lab, client_id=client_id)), upn, PASSWORD)
    assert isinstance(page, Page) and "Permissions requested" in page.text
    declined = complete(web, page, upn, PASSWORD, consent="cancel")
    assert isinstance(declined, Landing) and declined.params["error"] == "access_denied"

    answer = web.get(authorize_url(live, lab, client_id=client_id, prompt="none"))
    assert isinstance(answer, Landing), answer
    assert answer.how == "redirect" and answer.url.startswith(f"{REDIRECT}?")
    assert answer.params["error"] == "consent_required"
    assert answer.params["error_description"].startswith("AADSTS65001:")
    assert answer.params["state"] == "st-123" and "code" not in answer.params


def test_login_hint_for_another_user_asks_for_that_user_to_sign_in(
    live: Live, lab: Lab, web: WebClient
) -> None:
    client_id = _fresh_public_app(live, lab)
    first, second = _fresh_user(live, lab.tenant_id), _fresh_user(live, lab.tenant_id)
    _sign_in_and_land(web, authorize_url(live, lab, client_id=client_id), first, [])
    # The signed-in user's own name (in any case) is answered from the session.
    quiet = web.get(authorize_url(live, lab, client_id=client_id, login_hint=first.upper()))
    assert isinstance(quiet, Landing) and quiet.params.get("code"), quiet

    # Without a page the other user cannot be signed in: an error, never the first user's code.
    silent = web.get(
        authorize_url(live, lab, client_id=client_id, login_hint=second, prompt="none")
    )
    assert isinstance(silent, Landing) and "code" not in silent.params, silent
    assert silent.params["error"] in ("login_required", "interaction_required")

    page = web.get(authorize_url(live, lab, client_id=client_id, login_hint=second))
    assert isinstance(page, Page) and page.has_form("username"), page
    assert page.form(step="username").get("login") == second
    seen: list[str] = []
    landing = complete(web, page, second, PASSWORD, seen=seen)
    assert seen == ["username", "consent"]
    assert isinstance(landing, Landing) and landing.params.get("code"), landing
    body = _redeem(live, lab.tenant_id, client_id, landing.params["code"], READ_SCOPE)
    assert claims(str(body["access_token"]))["upn"] == second


def test_one_users_consent_does_not_cover_another_user(live: Live, lab: Lab) -> None:
    client_id = _fresh_public_app(live, lab)
    first, second = _fresh_user(live, lab.tenant_id), _fresh_user(live, lab.tenant_id)
    url = authorize_url(live, lab, client_id=client_id)
    for upn in (first, second):
        seen: list[str] = []
        with WebClient(live.base_url, live.ca_file) as browser:
            page = sign_in(browser, browser.get(url), upn, PASSWORD)
            assert isinstance(page, Page) and "Permissions requested" in page.text, (upn, page)
            assert "Consent on behalf of your organisation" not in page.text
            landing = complete(browser, page, upn, PASSWORD, seen=seen)
            assert isinstance(landing, Landing) and landing.params.get("code"), landing
        assert seen == ["consent"], (upn, seen)
    with live.state.sessions() as s:
        sp = consent.find_service_principal(s, lab.tenant_id, apps.require_app(s, client_id))
        assert sp is not None
        grants = consent.delegated_grants(s, sp, DEFENDER_XDR)
        owners = sorted(users.require_user(s, u).id for u in (first, second))
        assert sorted(str(g.principal_id) for g in grants) == owners
        assert {g.consent_type for g in grants} == {"Principal"}
