"""Every page a person sees on the way through sign-in passes an axe-core audit in Chromium
against WCAG 2.1 A and AA (contrast, labels, landmarks, headings, language, focusable
controls): the sign-in steps (with a wrong-password error), the consent page, the admin-consent
page, "needs admin approval", the device-code pages and the redirect-mismatch error page."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import Catch
from tests.conftest import Live
from tests.identity.authorize.lab import DEFENDER_SCOPE, PASSWORD, Lab

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Page, what: str) -> None:
    results = axe.run(page, options=WCAG_AA)
    violations = results.response["violations"]
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations
    ]
    assert not found, f"{what}: " + "; ".join(found)
    assert results.response["passes"], f"{what}: axe checked nothing"


def _username_then_wrong_password(axe: Axe, page: Page, upn: str) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(axe, page, "sign-in (user name)")
    page.get_by_label("Email or username").fill(upn)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Enter password")).to_be_visible()
    assert_accessible(axe, page, "sign-in (password)")
    page.get_by_label("Password", exact=True).fill("wrong-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("AADSTS50126")
    assert_accessible(axe, page, "sign-in (wrong password)")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")


def _authorize_url(live: Live, lab: Lab, catch: Catch) -> str:
    query = {
        "client_id": lab.public_client,
        "response_type": "code",
        "redirect_uri": catch.url("/"),
        "scope": f"{DEFENDER_SCOPE} openid offline_access",
        "code_challenge": "x" * 43,
        "code_challenge_method": "plain",
        "prompt": "consent",
    }
    return f"{live.base_url}/{lab.domain}/oauth2/v2.0/authorize?{urlencode(query)}"


def test_sign_in_and_consent_pages(
    live: Live, lab: Lab, page: Page, catch: Catch, axe: Axe
) -> None:
    page.goto(_authorize_url(live, lab, catch))
    _username_then_wrong_password(axe, page, lab.user)
    expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    assert_accessible(axe, page, "consent")


def test_admin_consent_and_needs_admin_pages(
    live: Live, lab: Lab, page: Page, catch: Catch, axe: Axe
) -> None:
    query = {
        "client_id": lab.partner_app,
        "scope": "https://api.security.microsoft.com/.default",
        "redirect_uri": catch.url("/consented"),
    }
    url = f"{live.base_url}/{lab.customer_domain}/v2.0/adminconsent?{urlencode(query)}"
    page.goto(url)
    _username_then_wrong_password(axe, page, lab.customer_admin)
    expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    assert_accessible(axe, page, "admin consent")

    other = page.context.browser
    assert other is not None
    fresh = other.new_context(locale="en-US").new_page()  # no session: a non-admin signs in
    try:
        fresh.goto(url)
        fresh.get_by_label("Email or username").fill(lab.customer_user)
        fresh.keyboard.press("Enter")
        fresh.get_by_label("Password", exact=True).fill(PASSWORD)
        fresh.keyboard.press("Enter")
        expect(fresh.get_by_role("heading", name="Need admin approval")).to_be_visible()
        assert_accessible(axe, fresh, "needs admin approval")
    finally:
        fresh.context.close()


def test_device_code_pages(live: Live, lab: Lab, page: Page, axe: Axe) -> None:
    with live.client() as client:
        started = client.post(
            f"/{lab.tenant_id}/oauth2/v2.0/devicecode",
            data={"client_id": lab.public_client, "scope": DEFENDER_SCOPE},
        )
    assert started.status_code == 200, started.text
    page.goto(started.json()["verification_uri"])
    expect(page.get_by_role("heading", name="Enter code")).to_be_visible()
    assert_accessible(axe, page, "device code entry")
    page.get_by_label("Code", exact=True).fill("NOTACODE")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(axe, page, "device code entry (wrong code)")


def test_redirect_mismatch_error_page(live: Live, lab: Lab, page: Page, axe: Axe) -> None:
    query = {
        "client_id": lab.public_client,
        "response_type": "code",
        "redirect_uri": "https://attacker.example/callback",
        "scope": DEFENDER_SCOPE,
    }
    page.goto(f"{live.base_url}/{lab.domain}/oauth2/v2.0/authorize?{urlencode(query)}")
    expect(page.get_by_text("AADSTS50011")).to_be_visible()
    assert_accessible(axe, page, "redirect mismatch error")


def test_the_audit_catches_what_it_is_meant_to(
    live: Live, lab: Lab, page: Page, catch: Catch, axe: Axe
) -> None:
    """The same audit on the sign-in page after its field lost its label and its text lost its
    contrast: both are reported, so a clean result above means something."""
    page.goto(_authorize_url(live, lab, catch))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.evaluate(
        """() => {
            document.querySelectorAll('label').forEach(l => l.remove());
            document.querySelectorAll('input').forEach(i => i.removeAttribute('aria-label'));
            document.querySelector('h1').style.color = '#f4f4f4';
        }"""
    )
    violations = {v["id"] for v in axe.run(page, options=WCAG_AA).response["violations"]}
    assert {"label", "color-contrast"} <= violations, violations
