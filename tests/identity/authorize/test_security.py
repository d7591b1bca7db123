"""Attacks on the browser side, each an asserted test on top of the ones next to the grants:
codes from the real authorize endpoint replayed, PKCE swapped or dropped, redirect URIs bent
toward another host, consent and sign-in forms posted across browsers (CSRF) and a planted
session cookie (fixation)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.conftest import Live
from tests.identity.authorize.lab import PASSWORD, Lab
from tests.identity.authorize.test_authorize_http import CHALLENGE, VERIFIER, authorize_url
from tests.identity.webclient import Form, Landing, Page, WebClient, complete, sign_in
from xdrlab.identity import apps, consent, sessions, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR

REDIRECT = "http://localhost:8765/"


@pytest.fixture
def web(live: Live) -> Iterator[WebClient]:
    with WebClient(live.base_url, live.ca_file) as client:
        yield client


@pytest.fixture
def fresh_user(live: Live, lab: Lab) -> str:
    """A user nobody else signs in as, so consent state is this test's own."""
    state = live.state
    upn = f"sec-{uuid.uuid4().hex[:8]}@{lab.domain}"
    with state.sessions.begin() as s:
        tenant = tenants.require_tenant(s, lab.tenant_id)
        users.create_user(s, state.clock, tenant, upn, PASSWORD, roles=["Security Reader"])
    return upn


def _code(live: Live, lab: Lab, web: WebClient, upn: str, **params: str) -> str:
    landing = complete(web, web.get(authorize_url(live, lab, **params)), upn, PASSWORD)
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    return landing.params["code"]


def _redeem(live: Live, lab: Lab, code: str, **extra: str) -> dict[str, object]:
    form = {
        "grant_type": "authorization_code",
        "client_id": lab.public_client,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
        **extra,
    }
    response = live.post_token({k: v for k, v in form.items() if v}, tenant=lab.tenant_id)
    return {"status": response.status_code, **response.json()}


# -- codes from the authorize endpoint -----------------------------------------------------------


def test_authorize_code_replay_fails_and_revokes_the_first_refresh_token(
    live: Live, lab: Lab, web: WebClient, fresh_user: str
) -> None:
    code = _code(live, lab, web, fresh_user)
    first = _redeem(live, lab, code)
    assert first["status"] == 200, first
    again = _redeem(live, lab, code)
    assert again["status"] == 400 and again["error_codes"] == [54005]
    refreshed = live.post_token(
        {
            "grant_type": "refresh_token",
            "client_id": lab.public_client,
            "refresh_token": str(first["refresh_token"]),
        },
        tenant=lab.tenant_id,
    )
    assert refreshed.status_code == 400 and refreshed.json()["error_codes"] == [50173]


@pytest.mark.parametrize(
    "verifier",
    [
        pytest.param("", id="verifier-dropped"),
        pytest.param(CHALLENGE, id="challenge-as-plain-verifier"),
        pytest.param("y" * 50, id="other-verifier"),
    ],
)
def test_authorize_code_pkce_mismatch_and_downgrade(
    live: Live, lab: Lab, web: WebClient, fresh_user: str, verifier: str
) -> None:
    code = _code(live, lab, web, fresh_user)
    refused = _redeem(live, lab, code, code_verifier=verifier)
    assert refused["status"] == 400 and refused["error_codes"] == [501481], refused
    # The failed attempts did not use the code up for its rightful holder.
    assert _redeem(live, lab, code)["status"] == 200


def test_plain_challenge_cannot_be_answered_as_s256(
    live: Live, lab: Lab, web: WebClient, fresh_user: str
) -> None:
    """A code asked for with method=plain is bound to that method: a different verifier whose
    S256 hash happens to be offered does not pass."""
    plain = "p" * 60
    code = _code(live, lab, web, fresh_user, code_challenge=plain, code_challenge_method="plain")
    assert _redeem(live, lab, code, code_verifier="q" * 60)["status"] == 400
    assert _redeem(live, lab, code, code_verifier=plain)["status"] == 200


def test_challenge_method_without_challenge_is_refused(
    live: Live, lab: Lab, web: WebClient
) -> None:
    response = web.get(authorize_url(live, lab, code_challenge=""))
    assert isinstance(response, Landing) and response.params["error"] == "invalid_request"


# -- redirect URIs -------------------------------------------------------------------------------


OPEN_REDIRECTS = [
    "https://app.example@evil.example/callback",
    "https://app.example/callback/../../evil",
    "https://app.example/callback/",
    "https://app.example/Callback",
    "https://app.example./callback",
    "https://app.example:443/callback",
    "//evil.example/callback",
    "https://evil.example/?https://app.example/callback",
    "https://app.example\\@evil.example/callback",
    "https://app.example%2F@evil.example/callback",
    "http://localhost@evil.example:1234/",
    "http://localhost.evil.example:1234/",
    "http://127.0.0.1.evil.example/",
    "http://127.0.0.1:1234/",  # registered: http://localhost (another host, not another port)
    "http://[::1]:1234/",
    "https://localhost:1234/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("redirect_uri", OPEN_REDIRECTS)
def test_open_redirect_attempts_are_shown_never_followed(
    live: Live, lab: Lab, web: WebClient, redirect_uri: str
) -> None:
    client = lab.web_app if redirect_uri.startswith(("https://app", "//", "https://e")) else None
    params = {"redirect_uri": redirect_uri}
    if client is not None:
        params |= {"client_id": client, "code_challenge": "", "code_challenge_method": ""}
    page = web.get(authorize_url(live, lab, **params))
    assert isinstance(page, Page), page
    assert page.status == 400 and "location" not in page.response.headers
    assert "AADSTS50011" in page.text


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/", "http://localhost:1/other"])
def test_v1_authorize_and_admin_consent_refuse_foreign_redirects(
    live: Live, lab: Lab, web: WebClient, redirect_uri: str
) -> None:
    v1 = web.get(
        f"{live.base_url}/{lab.tenant_id}/oauth2/authorize?"
        + urlencode(
            {
                "client_id": lab.public_client,
                "response_type": "code",
                "resource": "https://api.security.microsoft.com",
                "redirect_uri": redirect_uri,
            }
        )
    )
    assert isinstance(v1, Page) and v1.status == 400 and "AADSTS50011" in v1.text
    for path in ("adminconsent", "v2.0/adminconsent"):
        admin = web.get(
            f"{live.base_url}/common/{path}?"
            + urlencode({"client_id": lab.partner_app, "redirect_uri": redirect_uri})
        )
        assert isinstance(admin, Page) and admin.status == 400, (path, admin)
        assert "AADSTS50011" in admin.text


def test_redirect_uri_is_taken_from_the_authorize_request_not_the_form(
    live: Live, lab: Lab, web: WebClient, fresh_user: str
) -> None:
    """The consent form carries the original request (`ctx`); a tampered copy pointing at
    another host is checked again and shown as an error, never followed."""
    page = sign_in(web, web.get(authorize_url(live, lab, prompt="consent")), fresh_user, PASSWORD)
    assert isinstance(page, Page)
    (form,) = [f for f in page.forms if "/consent" in f.action]
    ctx = form.get("ctx") or ""
    tampered = ctx.replace("localhost%3A8765", "evil.example")
    assert tampered != ctx
    bent = Form(form.action, form.method, [(k, v) for k, v in form.fields if k != "ctx"])
    bent.buttons = form.buttons
    result = web.submit(bent, "accept", ctx=tampered)
    assert isinstance(result, Page) and result.status == 400, result
    assert "AADSTS50011" in result.text


# -- CSRF ----------------------------------------------------------------------------------------


def _consent_form(live: Live, lab: Lab, web: WebClient, upn: str) -> Form:
    page = sign_in(web, web.get(authorize_url(live, lab, prompt="consent")), upn, PASSWORD)
    assert isinstance(page, Page) and "Permissions requested" in page.text
    (form,) = [f for f in page.forms if "/consent" in f.action]
    return form


def test_consent_form_posted_with_another_browsers_token_is_refused(
    live: Live, lab: Lab, web: WebClient, fresh_user: str
) -> None:
    """An attacker's page auto-submits the consent form into the victim's browser with a token
    the attacker holds (valid for the attacker's own browser): refused, nothing granted."""
    with WebClient(live.base_url, live.ca_file) as attacker:
        attacker_form = _consent_form(live, lab, attacker, lab.user)
        attacker_token = attacker_form.get(sessions.CSRF_FIELD)
    victim_form = _consent_form(live, lab, web, fresh_user)
    assert attacker_token and attacker_token != victim_form.get(sessions.CSRF_FIELD)
    forged = web.submit(victim_form, "accept", csrf_token=attacker_token)
    assert isinstance(forged, Page) and forged.status == 403
    assert "This page has expired" in forged.text
    with live.state.sessions() as s:
        sp = consent.find_service_principal(
            s, lab.tenant_id, apps.require_app(s, lab.public_client)
        )
        assert sp is not None
        user = users.require_user(s, fresh_user)
        assert consent.delegated_scopes(s, lab.tenant_id, sp, DEFENDER_XDR, user) == set()


def test_sign_in_form_needs_its_csrf_token(live: Live, lab: Lab, web: WebClient) -> None:
    """Login CSRF: a form posted from elsewhere cannot sign the browser in to an account."""
    page = web.get(authorize_url(live, lab))
    assert isinstance(page, Page)
    password = web.submit(page.form(step="username"), login=lab.user)
    assert isinstance(password, Page)
    form = password.form(step="password")
    stripped = Form(form.action, form.method, [(k, v) for k, v in form.fields if k != "csrf_token"])
    refused = web.submit(stripped, passwd=PASSWORD)
    assert isinstance(refused, Page) and refused.status == 403
    assert web.http.cookies.get(sessions.SESSION_COOKIE) is None


def test_device_page_needs_its_csrf_token(live: Live, web: WebClient) -> None:
    page = web.get("/devicelogin")
    assert isinstance(page, Page)
    form = page.form(step="code")
    stripped = Form(form.action, form.method, [(k, v) for k, v in form.fields if k != "csrf_token"])
    refused = web.submit(stripped, otc="ABCDEFGHJ")
    assert isinstance(refused, Page) and refused.status == 403


# -- session fixation ----------------------------------------------------------------------------


def test_planted_session_cookie_is_not_adopted(
    live: Live, lab: Lab, web: WebClient, fresh_user: str
) -> None:
    """The attacker signs in, plants their own session cookie in the victim's browser; the
    victim signs in as themselves. The victim gets a new session; the attacker's cookie never
    becomes the victim's session."""
    with WebClient(live.base_url, live.ca_file) as attacker:
        complete(
            attacker, attacker.get(authorize_url(live, lab, prompt="consent")), lab.user, PASSWORD
        )
        live_session = attacker.get(authorize_url(live, lab, prompt="none"))
        assert isinstance(live_session, Landing) and live_session.params.get("code")
        (jarred,) = [c for c in attacker.http.cookies.jar if c.name == sessions.SESSION_COOKIE]
        planted, domain = jarred.value, jarred.domain
    assert planted
    web.http.cookies.set(sessions.SESSION_COOKIE, planted, domain=domain)
    _code(live, lab, web, fresh_user, prompt="login")
    victims = web.http.cookies.get(sessions.SESSION_COOKIE)
    assert victims and victims != planted
    # The planted cookie, replayed by the attacker, does not carry the victim's sign-in: the
    # session it named was ended when the victim signed in over it.
    with WebClient(live.base_url, live.ca_file) as replay:
        replay.http.cookies.set(sessions.SESSION_COOKIE, planted, domain=domain)
        answer = replay.get(authorize_url(live, lab, prompt="none"))
        assert isinstance(answer, Landing) and answer.params.get("error") == "login_required"


@pytest.mark.parametrize("cookie", ["attacker-chosen-value", "x" * 200, "a.b.c"])
def test_forged_session_cookie_is_ignored(
    live: Live, lab: Lab, web: WebClient, cookie: str
) -> None:
    web.http.cookies.set(sessions.SESSION_COOKIE, cookie, domain="localhost")
    answer = web.get(authorize_url(live, lab, prompt="none"))
    assert isinstance(answer, Landing) and answer.params["error"] == "login_required"
