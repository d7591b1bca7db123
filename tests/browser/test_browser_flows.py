"""Real browser flows: authorization code + PKCE through the sign-in and consent pages (the
answer posted to a loopback listener as MSAL expects, the code then redeemed at the token
endpoint), and a partner app's admin consent in a customer tenant."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import jwt
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import Catch, Shots
from tests.conftest import Live
from tests.identity.authorize.lab import DEFENDER_SCOPE, PASSWORD, Lab
from xdrlab.identity.apps import find_app
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.identity.consent import find_service_principal, granted_roles
from xdrlab.store.models import DelegatedGrant


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _sign_in(page: Page, upn: str, shots: Shots | None = None) -> None:
    expect(page).to_have_title("Sign in · xdrlab")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    assert page.get_attribute("html", "lang") == "en"
    username = page.get_by_label("Email or username")
    expect(username).to_be_focused()
    if shots is not None:
        shots.take(page, "sign-in")
    username.fill(upn)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Enter password")).to_be_visible()
    password = page.get_by_label("Password", exact=True)
    expect(password).to_be_focused()
    password.fill("wrong-password")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your account or password is incorrect.")
    expect(alert).to_contain_text("AADSTS50126")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute(
        "aria-describedby", "passwd-error"
    )
    if shots is not None:
        shots.take(page, "sign-in-error")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_authorization_code_with_pkce_through_sign_in_and_consent(
    live: Live, lab: Lab, page: Page, catch: Catch, shots: Shots
) -> None:
    verifier, challenge = _pkce()
    redirect_uri = catch.url("/")  # http://localhost:{port}; registered as http://localhost
    nonce = secrets.token_hex(16)
    query = {
        "client_id": lab.public_client,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "response_mode": "form_post",
        "scope": f"{DEFENDER_SCOPE} openid profile offline_access",
        "state": "browser-state",
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "client_info": "1",
    }
    page.goto(f"{live.base_url}/{lab.domain}/oauth2/v2.0/authorize?{urlencode(query)}")
    _sign_in(page, lab.user, shots)

    expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    permissions = page.get_by_role("list", name="Microsoft Threat Protection (delegated)")
    expect(permissions.get_by_role("listitem")).to_have_count(1)
    expect(permissions).to_contain_text("Read incidents")
    expect(permissions).to_contain_text("Incident.Read")
    expect(page.get_by_text("Lab Notebook")).to_be_visible()
    shots.take(page, "consent")
    # keyboard: Accept is reachable with Tab and shows a visible focus ring
    accept = page.get_by_role("button", name="Accept")
    accept.focus()
    outline = accept.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")

    hit = catch.wait()
    assert hit["method"] == "POST"  # form_post, as MSAL's loopback listener requires
    assert hit["form"]["state"] == "browser-state"
    code = hit["form"]["code"]
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()

    with live.client() as client:
        response = client.post(
            f"/{lab.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "authorization_code",
                "client_id": lab.public_client,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "scope": f"{DEFENDER_SCOPE} openid profile offline_access",
                "client_info": "1",
            },
        )
    assert response.status_code == 200, response.text
    body = response.json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["scp"] == "Incident.Read"
    assert claims["tid"] == lab.tenant_id
    id_token = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert id_token["nonce"] == nonce
    assert body["refresh_token"]

    # A second authorize in the same browser skips the password and the consent page.
    catch.arrived.clear()
    page.goto(
        f"{live.base_url}/{lab.tenant_id}/oauth2/v2.0/authorize?"
        + urlencode({**query, "state": "second", "response_mode": "query"})
    )
    second = catch.wait()
    assert second["method"] == "GET" and second["query"]["state"] == "second"
    assert second["query"]["code"]


def test_partner_app_admin_consent_in_customer_tenant(
    live: Live, lab: Lab, page: Page, catch: Catch, shots: Shots
) -> None:
    query = {
        "client_id": lab.partner_app,
        "scope": "https://api.security.microsoft.com/.default",
        "redirect_uri": catch.url("/consented"),
        "state": "partner-state",
    }
    page.goto(f"{live.base_url}/organizations/v2.0/adminconsent?{urlencode(query)}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email or username").fill(lab.customer_admin)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    expect(page.get_by_text("Fabrikam Customer")).to_be_visible()
    roles = page.get_by_role("list", name="Microsoft Threat Protection (application)")
    expect(roles).to_contain_text("Read all incidents")
    expect(roles).to_contain_text("Run advanced queries")
    delegated = page.get_by_role("list", name="Microsoft Threat Protection (delegated)")
    expect(delegated).to_contain_text("Read incidents")
    shots.take(page, "admin-consent")
    page.get_by_role("button", name="Accept").click()

    hit = catch.wait()
    assert hit["path"] == "/consented"
    assert hit["query"]["admin_consent"] == "True"
    assert hit["query"]["tenant"] == lab.customer_tenant_id
    assert hit["query"]["state"] == "partner-state"

    with live.state.sessions() as session:
        app = find_app(session, lab.partner_app)
        assert app is not None
        sp = find_service_principal(session, lab.customer_tenant_id, app)
        assert sp is not None
        assert set(granted_roles(sp, DEFENDER_XDR)) == {
            "Incident.Read.All",
            "AdvancedHunting.Read.All",
        }
        grant = session.scalar(
            select(DelegatedGrant).where(DelegatedGrant.client_service_principal_id == sp.id)
        )
        assert grant is not None
        assert grant.consent_type == "AllPrincipals" and grant.scopes == ["Incident.Read"]


def test_non_admin_gets_needs_admin_on_admin_consent(
    live: Live, lab: Lab, page: Page, catch: Catch
) -> None:
    query = {
        "client_id": lab.partner_app,
        "scope": "https://api.security.microsoft.com/.default",
        "redirect_uri": catch.url("/consented"),
    }
    page.goto(f"{live.base_url}/{lab.customer_domain}/v2.0/adminconsent?{urlencode(query)}")
    page.get_by_label("Email or username").fill(lab.customer_user)
    page.keyboard.press("Enter")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Need admin approval")).to_be_visible()
    expect(page.get_by_text("AADSTS90094")).to_be_visible()
    assert not catch.hits


def test_device_code_page(live: Live, lab: Lab, page: Page, shots: Shots) -> None:
    with live.client() as client:
        started = client.post(
            f"/{lab.tenant_id}/oauth2/v2.0/devicecode",
            data={"client_id": lab.public_client, "scope": f"{DEFENDER_SCOPE} offline_access"},
        )
    assert started.status_code == 200, started.text
    started = started.json()
    page.goto(started["verification_uri"])
    expect(page.get_by_role("heading", name="Enter code")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(started["user_code"].lower())
    shots.take(page, "device-code")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Email or username").fill(lab.admin)
    page.keyboard.press("Enter")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="Are you trying to sign in to Lab Notebook?")
    ).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    consent = page.get_by_role("heading", name="Permissions requested")
    done = page.get_by_text("You have signed in to the Lab Notebook application on your device.")
    expect(consent.or_(done)).to_be_visible()
    if consent.is_visible():
        page.get_by_role("button", name="Accept").click()
    expect(done).to_be_visible()

    with live.client() as client:
        token = client.post(
            f"/{lab.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "client_id": lab.public_client,
                "device_code": started["device_code"],
            },
        )
    assert token.status_code == 200, token.text
    claims = jwt.decode(token.json()["access_token"], options={"verify_signature": False})
    assert claims["scp"] == "Incident.Read"


def test_ip_literal_redirect_for_a_localhost_registration_is_refused_on_the_page(
    live: Live, lab: Lab, page: Page, catch: Catch, shots: Shots
) -> None:
    """The app registered `http://localhost`; a request naming `http://127.0.0.1:{port}` is
    another host. The person sees the error on xdrlab's page and the browser stays there."""
    _, challenge = _pkce()
    query = {
        "client_id": lab.public_client,
        "response_type": "code",
        "redirect_uri": f"http://127.0.0.1:{catch.port}/",
        "scope": f"{DEFENDER_SCOPE} openid",
        "state": "ip-literal",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    answer = page.goto(f"{live.base_url}/{lab.tenant_id}/oauth2/v2.0/authorize?{urlencode(query)}")
    assert answer is not None and answer.status == 400
    expect(page.get_by_text("AADSTS50011")).to_be_visible()
    expect(page.get_by_text("does not match the redirect URIs configured")).to_be_visible()
    assert page.url.startswith(live.base_url)
    shots.take(page, "redirect-mismatch")
    assert not catch.hits
