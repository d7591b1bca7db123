"""User context against the live server: the password grant, the device code flow with a
person entering the code on the device page, and the browser flow (auth code + PKCE on a
loopback listener) driven by an HTTP client walking the pages and by real Chromium. Tokens are
then renewed with the refresh token, not by asking the person again."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import httpx
import jwt
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import browser, browser_home
from tests.conftest import Live
from tests.identity.webclient import Landing, Page, WebClient, complete
from tests.sdk.conftest import Recorder
from xdrlab.sdk import (
    AuthenticationError,
    Client,
    DeviceCode,
    DeviceCodeCredential,
    Endpoints,
    IncidentFilter,
    IncidentStatus,
    InteractiveBrowserCredential,
    UsernamePasswordCredential,
)

__all__ = ["browser", "browser_home"]  # Chromium with xdrlab's CA trusted


def demo_user(live: Live, role: str) -> tuple[str, str]:
    found = next(u for u in live.demo_json["users"] if role in u["roles"])
    return str(found["upn"]), str(found["password"])


def grant_types(recorder: Recorder) -> list[str]:
    return [
        dict(parse_qsl(r.content.decode()))["grant_type"]
        for r in recorder.requests
        if r.url.path.endswith("/oauth2/v2.0/token")
    ]


def claims(credential: Any, scope: str) -> dict[str, Any]:
    token = credential.get_token(scope).token
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_password_grant_then_refresh_token_for_the_other_api(
    live: Live, endpoints: Endpoints, recorder: Recorder
) -> None:
    upn, password = demo_user(live, "Security Operator")
    credential = UsernamePasswordCredential(
        live.tenant_id, live.demo_json["public_client_id"], upn, password
    )
    http = httpx.Client(verify=endpoints.verify(), event_hooks=recorder.hooks())
    with Client(credential, endpoints=endpoints, surface="defender", http_client=http) as client:
        incident = next(client.incidents.list(limit=1))
        updated = client.incidents.update(incident.id, comment="seen by the operator")
        assert updated.comments[-1].created_by == upn
    with Client(credential, endpoints=endpoints, surface="graph", http_client=http) as client:
        assert len(client.hunt("DeviceInfo | take 2")) == 2
    http.close()
    # The Graph token came from the refresh token; the password was sent once.
    assert grant_types(recorder) == ["password", "refresh_token"]


def test_wrong_password_is_an_authentication_error(live: Live, endpoints: Endpoints) -> None:
    upn, _ = demo_user(live, "Security Reader")
    credential = UsernamePasswordCredential(
        live.tenant_id, live.demo_json["public_client_id"], upn, "wrong"
    )
    with (
        Client(credential, endpoints=endpoints) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    assert caught.value.code == "invalid_grant" and caught.value.error_codes == (50126,)


def enter_code(live: Live, code: DeviceCode, upn: str, password: str) -> list[str]:
    """The person: open the verification page, type the code, sign in, confirm the app."""
    seen: list[str] = []
    with WebClient(live.base_url, live.ca_file) as web:
        page = web.get(code.verification_uri)
        assert isinstance(page, Page) and page.status == 200
        page = web.submit(page.form(step="code"), otc=code.user_code)
        done = complete(web, page, upn, password, seen=seen)
        assert isinstance(done, Page) and "You have signed in to the " in done.text
    return seen


def test_device_code_with_a_prompt_callback(live: Live, endpoints: Endpoints) -> None:
    upn, password = demo_user(live, "Security Reader")
    shown: list[DeviceCode] = []
    steps: list[str] = []

    def prompt(code: DeviceCode) -> None:
        shown.append(code)
        steps.extend(enter_code(live, code, upn, password))

    credential = DeviceCodeCredential(
        live.tenant_id, live.demo_json["public_client_id"], prompt_callback=prompt
    )
    with Client(credential, endpoints=endpoints) as client:
        incidents = list(client.incidents.list(limit=2))
        assert len(incidents) == 2
        assert len(client.hunt("DeviceInfo | take 1")) == 1
    assert len(shown) == 1 and steps == ["username", "confirm"]
    assert shown[0].message.startswith("To sign in, use a web browser to open the page")
    assert claims(credential, "https://graph.microsoft.com/.default")["upn"] == upn


def test_device_code_nobody_enters_runs_out(live: Live, endpoints: Endpoints) -> None:
    shown: list[DeviceCode] = []
    credential = DeviceCodeCredential(
        live.tenant_id,
        live.demo_json["public_client_id"],
        prompt_callback=shown.append,
        timeout=1,
    )
    with (
        Client(credential, endpoints=endpoints) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    assert caught.value.code == "expired_token" and len(shown) == 1


def test_browser_sign_in_walked_by_an_http_client(
    live: Live, endpoints: Endpoints, recorder: Recorder
) -> None:
    upn, password = demo_user(live, "Security Administrator")
    landings: list[Landing] = []

    def open_browser(url: str) -> None:
        with WebClient(live.base_url, live.ca_file) as web:
            landing = complete(web, web.get(url), upn, password)
        assert isinstance(landing, Landing) and landing.how == "form_post"
        landings.append(landing)
        # The page's script posts the form to the loopback redirect URI.
        httpx.post(landing.url, data=landing.params).raise_for_status()

    credential = InteractiveBrowserCredential(
        live.tenant_id, live.demo_json["public_client_id"], open_browser=open_browser
    )
    http = httpx.Client(verify=endpoints.verify(), event_hooks=recorder.hooks())
    with Client(credential, endpoints=endpoints, http_client=http) as client:
        found = list(client.incidents.list(limit=3))
    http.close()
    assert len(found) == 3
    assert landings[0].url.startswith("http://localhost:")
    assert set(landings[0].params) >= {"code", "state"}
    assert grant_types(recorder) == ["authorization_code"]


def test_browser_error_answer_is_raised(live: Live, endpoints: Endpoints) -> None:
    upn, password = demo_user(live, "Security Reader")

    def cancel(url: str) -> None:
        # The person closes the consent prompt: an app nobody consented to asks for it.
        with WebClient(live.base_url, live.ca_file) as web:
            landing = complete(web, web.get(url), upn, password, consent="cancel")
        assert isinstance(landing, Landing)
        httpx.post(landing.url, data=landing.params).raise_for_status()

    credential = InteractiveBrowserCredential(
        live.tenant_id, live.demo_json["public_client_id"], open_browser=cancel, prompt="consent"
    )
    with (
        Client(credential, endpoints=endpoints) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    assert caught.value.code == "access_denied"


def test_browser_sign_in_in_chromium(live: Live, endpoints: Endpoints, browser: Browser) -> None:
    upn, password = demo_user(live, "Security Operator")
    context = browser.new_context(locale="en-US")
    page = context.new_page()

    def open_browser(url: str) -> None:
        page.goto(url)
        page.get_by_label("Email or username").fill(upn)
        page.get_by_role("button", name="Next").click()
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_text("Authentication complete.")).to_be_visible()
        assert page.url.startswith("http://localhost:")

    credential = InteractiveBrowserCredential(
        live.tenant_id, live.demo_json["public_client_id"], open_browser=open_browser
    )
    try:
        with Client(credential, endpoints=endpoints, surface="defender") as client:
            active = next(client.incidents.list(IncidentFilter.status == IncidentStatus.ACTIVE))
            assert active.status is IncidentStatus.ACTIVE
    finally:
        context.close()
    assert claims(credential, "https://api.security.microsoft.com/.default")["upn"] == upn
