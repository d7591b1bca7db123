"""The authorization endpoint and its pages over HTTP (no browser): redirect-URI rules, errors
that must never be redirected, prompt=none, PKCE, CSRF, session fixation and sign-out."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from http.cookies import Morsel, SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.conftest import Live
from tests.identity.authorize.lab import DEFENDER_SCOPE, PASSWORD, Lab, forms, make_lab
from tests.identity.webclient import Landing, Page, WebClient, complete
from tests.servers import Running, serve

VERIFIER = "x" * 50
CHALLENGE = (
    base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
)


@pytest.fixture
def browser(live: Live) -> Iterator[httpx.Client]:
    with live.client() as client:
        yield client


def authorize_url(live: Live | Running[None], lab: Lab, **params: str) -> str:
    base = {
        "client_id": lab.public_client,
        "response_type": "code",
        "redirect_uri": "http://localhost:8765/",
        "scope": f"{DEFENDER_SCOPE} openid offline_access",
        "state": "st-123",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **params,
    }
    base = {k: v for k, v in base.items() if v != ""}
    return f"{live.base_url}/{lab.tenant_id}/oauth2/v2.0/authorize?{urlencode(base)}"


def redirected_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    parts = urlsplit(location)
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


def assert_mismatch_shown(response: httpx.Response) -> None:
    """A redirect URI the app does not have: AADSTS50011 on the page, never redirected to."""
    assert response.status_code == 400, response.text
    assert "location" not in response.headers
    assert "AADSTS50011" in response.text
    assert "does not match the redirect URIs configured" in response.text


def set_cookie(response: httpx.Response, name: str) -> Morsel[str]:
    """The cookie `name` as the response's Set-Cookie header sets it, attributes parsed."""
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar[name]
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def submit(
    browser: httpx.Client, live: Live | Running[None], form: dict[str, str], **fields: str
) -> httpx.Response:
    data = {k: v for k, v in form.items() if k != "_action"} | fields
    return browser.post(f"{live.base_url}{form['_action']}", data=data)


def sign_in(
    browser: httpx.Client, live: Live | Running[None], url: str, upn: str
) -> httpx.Response:
    page = browser.get(url)
    assert page.status_code == 200, page.text
    (username,) = [f for f in forms(page.text) if f.get("step") == "username"]
    page = submit(browser, live, username, login=upn)
    (password,) = [f for f in forms(page.text) if f.get("step") == "password"]
    return submit(browser, live, password, login=upn, passwd=PASSWORD)


# -- redirect URIs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "https://app.example/callback/extra",
        "https://app.example:8443/callback",
        "https://app.example/callback#frag",
        "https://app.example/callback?x=1",
        "http://app.example/callback",
        "https://APP.example.evil/callback",
    ],
)
def test_redirect_uri_mismatch_is_shown_never_redirected(
    live: Live, lab: Lab, browser: httpx.Client, redirect_uri: str
) -> None:
    url = authorize_url(
        live,
        lab,
        client_id=lab.web_app,
        redirect_uri=redirect_uri,
        code_challenge="",
        code_challenge_method="",
    )
    assert_mismatch_shown(browser.get(url))


def test_unknown_client_is_shown_never_redirected(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    response = browser.get(
        authorize_url(live, lab, client_id="00000000-0000-0000-0000-00000000beef")
    )
    assert response.status_code == 400 and "location" not in response.headers
    assert "AADSTS700016" in response.text


@pytest.mark.parametrize(
    "uri", ["http://localhost:1234/", "http://localhost:55555", "http://localhost/"]
)
def test_localhost_registration_matches_any_port_on_localhost(
    live: Live, lab: Lab, browser: httpx.Client, uri: str
) -> None:
    response = browser.get(authorize_url(live, lab, redirect_uri=uri, prompt="none"))
    params = redirected_params(response)
    assert response.headers["location"].startswith(f"{uri}?")
    assert params["error"] == "login_required" and params["state"] == "st-123"


@pytest.mark.parametrize(
    "uri",
    [
        pytest.param("http://127.0.0.1:55555/", id="ipv4-literal"),
        pytest.param("http://[::1]:55555/", id="ipv6-literal"),
        pytest.param("https://localhost:1234/", id="https"),
        pytest.param("https://localhost/", id="https-no-port"),
    ],
)
def test_localhost_registration_refuses_other_hosts_and_https(
    live: Live, lab: Lab, browser: httpx.Client, uri: str
) -> None:
    """Only the port may differ: a registered `http://localhost` does not cover the IP
    literals or `https://`. The mismatch is shown on the page, never redirected to."""
    assert_mismatch_shown(browser.get(authorize_url(live, lab, redirect_uri=uri, prompt="none")))


def test_ip_literal_registration_matches_any_port_on_that_address(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    """A registered `http://127.0.0.1` takes any port on 127.0.0.1, all the way to tokens; it
    does not cover `localhost`."""
    redirect_uri = "http://127.0.0.1:49152/"
    url = authorize_url(live, lab, client_id=lab.loopback_ip_client, redirect_uri=redirect_uri)
    with WebClient(live.base_url, live.ca_file) as web:
        landing = complete(web, web.get(url), lab.user, PASSWORD)
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    assert landing.url.startswith(f"{redirect_uri}?")
    assert landing.params["state"] == "st-123"
    token = live.post_token(
        {
            "grant_type": "authorization_code",
            "client_id": lab.loopback_ip_client,
            "code": landing.params["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": VERIFIER,
        },
        tenant=lab.tenant_id,
    )
    assert token.status_code == 200, token.text
    other_port = browser.get(
        authorize_url(
            live, lab, client_id=lab.loopback_ip_client, redirect_uri="http://127.0.0.1:1/"
        )
    )
    assert other_port.status_code == 200 and "location" not in other_port.headers
    assert "AADSTS50011" not in other_port.text  # the sign-in page
    localhost = browser.get(
        authorize_url(
            live, lab, client_id=lab.loopback_ip_client, redirect_uri="http://localhost:49152/"
        )
    )
    assert_mismatch_shown(localhost)


def test_loopback_other_path_is_a_mismatch(live: Live, lab: Lab, browser: httpx.Client) -> None:
    assert_mismatch_shown(
        browser.get(authorize_url(live, lab, redirect_uri="http://localhost:1234/other"))
    )


# -- errors that go to the redirect URI ------------------------------------------------------------


def test_prompt_none_without_session_sends_login_required(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    params = redirected_params(browser.get(authorize_url(live, lab, prompt="none")))
    assert params["error"] == "login_required"
    assert params["error_description"].startswith(
        "AADSTS50058: A silent sign-in request was sent but no user is signed in."
    )
    assert "\r\nTrace ID: " in params["error_description"]
    assert params["error_uri"].endswith("/error?code=50058")
    assert params["state"] == "st-123"


def test_pkce_is_required_for_public_clients(live: Live, lab: Lab, browser: httpx.Client) -> None:
    params = redirected_params(
        browser.get(authorize_url(live, lab, code_challenge="", code_challenge_method=""))
    )
    assert params["error"] == "invalid_request"
    assert params["error_description"].startswith("AADSTS9002325:")


def test_unsupported_response_type(live: Live, lab: Lab, browser: httpx.Client) -> None:
    params = redirected_params(browser.get(authorize_url(live, lab, response_type="token")))
    assert params["error"] == "unsupported_response_type"


def test_fragment_response_mode(live: Live, lab: Lab, browser: httpx.Client) -> None:
    response = browser.get(authorize_url(live, lab, prompt="none", response_mode="fragment"))
    assert response.status_code == 302
    assert "#error=login_required" in response.headers["location"]


def test_form_post_response_mode(live: Live, lab: Lab, browser: httpx.Client) -> None:
    response = browser.get(authorize_url(live, lab, prompt="none", response_mode="form_post"))
    assert response.status_code == 200
    (form,) = forms(response.text)
    assert form["_action"] == "http://localhost:8765/"
    assert form["error"] == "login_required" and form["state"] == "st-123"
    assert "form-action 'self' http://localhost:8765" in response.headers["content-security-policy"]


def test_unknown_scope_goes_to_redirect(live: Live, lab: Lab, browser: httpx.Client) -> None:
    params = redirected_params(
        browser.get(authorize_url(live, lab, scope="https://api.security.microsoft.com/Nope"))
    )
    assert params["error"] == "invalid_client"
    assert params["error_description"].startswith("AADSTS650053: The application 'Lab Notebook'")


# -- sign-in, session and CSRF ---------------------------------------------------------------------


def test_sign_in_makes_a_new_session_id_and_kills_the_old_one(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    browser.get(authorize_url(live, lab))
    csrf_before = browser.cookies.get("xdrlab_csrf")
    assert browser.cookies.get("xdrlab_session") is None
    response = sign_in(browser, live, authorize_url(live, lab), lab.admin)
    # the admin has not consented yet: the consent page comes next
    assert response.status_code == 200, response.text
    assert "Permissions requested" in response.text
    first = browser.cookies.get("xdrlab_session")
    assert first
    assert browser.cookies.get("xdrlab_csrf") != csrf_before  # CSRF binding renewed at sign-in
    session_cookie = set_cookie(response, "xdrlab_session")
    assert session_cookie["httponly"] is True and session_cookie["secure"] is True
    assert session_cookie["samesite"].lower() == "lax" and session_cookie["path"] == "/"

    # Signing in again (prompt=login) with the first cookie present: a new id, the old one dead.
    sign_in(browser, live, authorize_url(live, lab, prompt="login"), lab.admin)
    second = browser.cookies.get("xdrlab_session")
    assert second and second != first
    with live.client() as other:
        other.cookies.set("xdrlab_session", first)
        params = redirected_params(other.get(authorize_url(live, lab, prompt="none")))
        assert params["error"] == "login_required"


@pytest.fixture(scope="module")
def plain_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running[None], Lab]]:
    """xdrlab as `xdrlab serve --no-tls` runs it (its own state), with the same directory."""
    state_dir = tmp_path_factory.mktemp("plain-http")
    with serve(state_dir, tls=False, log_level="warning") as running:
        assert running.base_url.startswith("http://") and running.ca_file is None
        yield running, make_lab(running.state)


def test_cookies_over_plain_http_are_not_secure(plain_http: tuple[Running[None], Lab]) -> None:
    """A browser drops a `Secure` cookie that arrives over plain HTTP, so the server sets it only
    under TLS (asserted in the test above); HttpOnly and SameSite=Lax stay."""
    running, lab = plain_http
    with httpx.Client(timeout=30) as browser:
        page = browser.get(authorize_url(running, lab))
        assert page.status_code == 200, page.text
        csrf = set_cookie(page, "xdrlab_csrf")
        assert csrf["secure"] == "" and csrf["httponly"] is True
        assert csrf["samesite"].lower() == "lax"
        (username,) = [f for f in forms(page.text) if f.get("step") == "username"]
        page = submit(browser, running, username, login=lab.admin)
        (password,) = [f for f in forms(page.text) if f.get("step") == "password"]
        signed_in = submit(browser, running, password, login=lab.admin, passwd=PASSWORD)
        assert signed_in.status_code == 200 and "Permissions requested" in signed_in.text
        session_cookie = set_cookie(signed_in, "xdrlab_session")
        assert session_cookie.value
        assert session_cookie["secure"] == ""  # no Secure attribute
        assert session_cookie["httponly"] is True
        assert session_cookie["samesite"].lower() == "lax" and session_cookie["path"] == "/"
        # The browser keeps and sends it back: signed in, the next authorize needs no password.
        again = browser.get(authorize_url(running, lab, prompt="consent"))
        assert again.status_code == 200 and "Permissions requested" in again.text


@pytest.mark.parametrize("hint", ["organizations", "contoso.example", "consumers"])
def test_domain_hint_changes_nothing_and_a_code_comes_back(live: Live, lab: Lab, hint: str) -> None:
    """xdrlab has no federation, so there is no home-realm discovery to skip: with domain_hint
    the sign-in page still asks for the user name, and the flow ends in a code that redeems."""
    with WebClient(live.base_url, live.ca_file) as web:
        page = web.get(authorize_url(live, lab, domain_hint=hint, state=f"hint-{hint}"))
        assert isinstance(page, Page) and page.status == 200 and page.has_form("username")
        landing = complete(web, page, lab.user, PASSWORD)
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    assert landing.url.startswith("http://localhost:8765/?")
    assert set(landing.params) == {"code", "state"}
    assert landing.params["state"] == f"hint-{hint}"
    token = live.post_token(
        {
            "grant_type": "authorization_code",
            "client_id": lab.public_client,
            "code": landing.params["code"],
            "redirect_uri": "http://localhost:8765/",
            "code_verifier": VERIFIER,
        },
        tenant=lab.tenant_id,
    )
    assert token.status_code == 200, token.text


def _consent_page(live: Live, lab: Lab, browser: httpx.Client) -> dict[str, str]:
    response = sign_in(browser, live, authorize_url(live, lab, prompt="consent"), lab.user)
    assert "Permissions requested" in response.text, response.text
    assert "Read incidents" in response.text
    (form,) = [f for f in forms(response.text) if "/consent" in f["_action"]]
    return form


def test_consent_without_csrf_token_is_refused(live: Live, lab: Lab, browser: httpx.Client) -> None:
    form = _consent_page(live, lab, browser)
    form.pop("csrf_token")
    response = submit(browser, live, form, action="accept")
    assert response.status_code == 403 and "location" not in response.headers
    assert "expired" in response.text


def test_consent_with_wrong_csrf_token_is_refused(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    form = _consent_page(live, lab, browser)
    response = submit(browser, live, form, action="accept", csrf_token="A" * 43)
    assert response.status_code == 403


def test_consent_cancel_sends_access_denied(live: Live, lab: Lab, browser: httpx.Client) -> None:
    form = _consent_page(live, lab, browser)
    params = redirected_params(submit(browser, live, form, action="cancel"))
    assert params["error"] == "access_denied"
    assert params["error_description"].startswith("AADSTS65004:")
    assert params["state"] == "st-123"


def test_consent_accept_then_second_authorize_skips_password(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    form = _consent_page(live, lab, browser)
    params = redirected_params(submit(browser, live, form, action="accept"))
    assert params["code"] and params["state"] == "st-123"
    again = redirected_params(browser.get(authorize_url(live, lab, state="two")))
    assert again["code"] and again["state"] == "two"
    silent = redirected_params(browser.get(authorize_url(live, lab, prompt="none", state="3")))
    assert silent["code"]


def test_wrong_password_and_lockout(live: Live, lab: Lab, browser: httpx.Client) -> None:
    upn = f"lockme-{lab.tenant_id[:4]}@{lab.domain}"
    from xdrlab.identity import tenants, users

    with live.state.sessions.begin() as s:
        users.create_user(
            s, live.state.clock, tenants.require_tenant(s, lab.tenant_id), upn, PASSWORD
        )
    page = browser.get(authorize_url(live, lab))
    (username,) = [f for f in forms(page.text) if f.get("step") == "username"]
    page = submit(browser, live, username, login=upn)
    (password,) = [f for f in forms(page.text) if f.get("step") == "password"]
    for _ in range(10):
        wrong = submit(browser, live, password, login=upn, passwd="nope-nope")
        if "AADSTS50053" in wrong.text:
            break
        assert wrong.status_code == 400
        assert "Your account or password is incorrect." in wrong.text
        assert 'aria-describedby="passwd-error"' in wrong.text
    locked = submit(browser, live, password, login=upn, passwd=PASSWORD)
    assert "AADSTS50053" in locked.text and "temporarily locked" in locked.text


def test_unknown_and_disabled_users(live: Live, lab: Lab, browser: httpx.Client) -> None:
    page = browser.get(authorize_url(live, lab))
    (username,) = [f for f in forms(page.text) if f.get("step") == "username"]
    unknown = submit(browser, live, username, login=f"nobody@{lab.domain}")
    assert unknown.status_code == 400 and "AADSTS50034" in unknown.text
    assert 'aria-describedby="login-error"' in unknown.text
    page = submit(browser, live, username, login=lab.disabled)
    (password,) = [f for f in forms(page.text) if f.get("step") == "password"]
    disabled = submit(browser, live, password, login=lab.disabled, passwd=PASSWORD)
    assert "AADSTS50057" in disabled.text


def test_user_who_may_not_consent_sees_needs_admin(
    live: Live, lab: Lab, browser: httpx.Client
) -> None:
    url = authorize_url(live, lab, client_id=lab.extra["strict_app"])
    url = url.replace(lab.tenant_id, lab.strict_tenant_id)
    response = sign_in(browser, live, url, lab.strict_user)
    assert response.status_code == 403
    assert "Need admin approval" in response.text


LOGOUT_PATHS = [
    pytest.param("oauth2/v2.0/logout", id="v2"),
    pytest.param("oauth2/logout", id="v1"),
]


@pytest.mark.parametrize("path", LOGOUT_PATHS)
def test_logout_clears_the_session(live: Live, lab: Lab, browser: httpx.Client, path: str) -> None:
    form = _consent_page(live, lab, browser)
    redirected_params(submit(browser, live, form, action="accept"))
    assert redirected_params(browser.get(authorize_url(live, lab, prompt="none")))["code"]
    logout = browser.get(
        f"{live.base_url}/{lab.tenant_id}/{path}?"
        + urlencode(
            {
                "client_id": lab.public_client,
                "post_logout_redirect_uri": "http://localhost:9999/",
                "state": "s",
            }
        )
    )
    assert logout.status_code == 302
    assert logout.headers["location"] == "http://localhost:9999/?state=s"
    cleared = set_cookie(logout, "xdrlab_session")
    assert cleared.value == "" and cleared["max-age"] == "0"
    assert browser.cookies.get("xdrlab_session") is None
    params = redirected_params(browser.get(authorize_url(live, lab, prompt="none")))
    assert params["error"] == "login_required"


@pytest.mark.parametrize("path", LOGOUT_PATHS)
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "http://127.0.0.1:9999/", "https://localhost:9999/"]
)
def test_logout_refuses_unregistered_redirect(
    live: Live, lab: Lab, browser: httpx.Client, path: str, target: str
) -> None:
    logout = browser.get(
        f"{live.base_url}/{lab.tenant_id}/{path}?"
        + urlencode({"client_id": lab.public_client, "post_logout_redirect_uri": target})
    )
    assert logout.status_code == 400 and "location" not in logout.headers
    assert "AADSTS50011" in logout.text
