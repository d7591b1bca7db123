"""The device code flow: the device authorization endpoints (v1 and v2 shapes), polling answers
(pending, slow_down, declined, expired) and MSAL and azure-identity getting tokens with it."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import msal
from azure.identity import DeviceCodeCredential

from tests.identity.aadsts import assert_aadsts
from tests.identity.user.conftest import DEFENDER, PASSWORD, UserLab, claims
from tests.identity.webclient import Page, WebClient, complete, sign_in
from xdrlab.identity import device, users
from xdrlab.store.models import DeviceCode

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# Microsoft's device code documentation describes `authorization_declined` as "The end user
# denied the authorization request"; no production body with its AADSTS text is on record.
DECLINED_TEXT = "The end user declined the authorization request for this device."


def _start(lab: UserLab, *, version: int = 2, **form: str) -> dict[str, Any]:
    path = "oauth2/v2.0/devicecode" if version == 2 else "oauth2/devicecode"
    data = {"client_id": lab.public_client_id, **form}
    if version == 2:
        data.setdefault("scope", f"{DEFENDER}/.default openid profile offline_access")
    else:
        data.setdefault("resource", DEFENDER)
    with lab.live.client() as client:
        response = client.post(f"/{lab.tenant_id}/{path}", data=data)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store, no-cache"
    body: dict[str, Any] = response.json()
    return body


def _poll(lab: UserLab, device_code: str, grant_type: str = DEVICE_GRANT) -> Any:
    return lab.token(
        {"grant_type": grant_type, "client_id": lab.public_client_id, "device_code": device_code}
    )


def _approve(lab: UserLab, user_code: str, upn: str) -> None:
    state = lab.live.state
    with state.sessions.begin() as session:
        device.approve(session, state.clock, user_code, users.require_user(session, upn))


def test_device_authorization_shapes(lab: UserLab) -> None:
    v2 = _start(lab)
    assert set(v2) == {
        "user_code",
        "device_code",
        "verification_uri",
        "expires_in",
        "interval",
        "message",
    }
    assert len(v2["user_code"]) == 9 and v2["user_code"].isalnum() and v2["user_code"].isupper()
    assert v2["verification_uri"] == f"{lab.live.base_url}/devicelogin"
    assert (v2["expires_in"], v2["interval"]) == (900, 5)
    assert v2["message"] == (
        f"To sign in, use a web browser to open the page {lab.live.base_url}/devicelogin and "
        f"enter the code {v2['user_code']} to authenticate."
    )
    v1 = _start(lab, version=1)
    assert v1["verification_url"] == f"{lab.live.base_url}/devicelogin"
    assert (v1["expires_in"], v1["interval"]) == ("900", "5")
    with lab.live.state.sessions() as session:
        assert session.get(DeviceCode, v2["device_code"]) is None  # stored hashed


def test_polling_pending_slow_down_then_tokens(lab: UserLab) -> None:
    started = _start(lab)
    pending = _poll(lab, started["device_code"])
    assert_aadsts(
        pending,
        status=400,
        error="authorization_pending",
        code=70016,
        text="OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        base_url=lab.live.base_url,
    )
    # Polled again at once: slow down, and the interval grows by 5 seconds (RFC 8628 3.5).
    too_fast = _poll(lab, started["device_code"])
    assert_aadsts(
        too_fast,
        status=400,
        error="slow_down",
        code=70016,
        text="OAuth 2.0 device flow error. Authorization is pending. Polling too frequently: "
        "wait 10 seconds between requests.",
        base_url=lab.live.base_url,
    )

    _approve(lab, started["user_code"], lab.operator)
    # msal-node's short grant type name works as well.
    granted = _poll(lab, started["device_code"], grant_type="device_code")
    assert granted.status_code == 200, granted.text
    access = claims(granted.json()["access_token"])
    assert access["oid"] == lab.operator_id and "Incident.Read" in access["scp"].split()
    again = _poll(lab, started["device_code"])  # a device code gives tokens once
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_declined_device_code(lab: UserLab) -> None:
    started = _start(lab)
    state = lab.live.state
    with state.sessions.begin() as session:
        device.decline(session, state.clock, started["user_code"])
    declined = _poll(lab, started["device_code"])
    assert_aadsts(
        declined,
        status=400,
        error="authorization_declined",
        code=70000,
        text=DECLINED_TEXT,
        base_url=lab.live.base_url,
    )
    # Declined is final: polling again gives the same answer, never tokens.
    again = _poll(lab, started["device_code"])
    assert again.status_code == 400 and again.json()["error"] == "authorization_declined"


def test_expired_device_code(lab: UserLab) -> None:
    started = _start(lab)
    with lab.live.state.sessions.begin() as session:
        row = device.find_pending(session, started["user_code"])
        assert row is not None
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
    expired = _poll(lab, started["device_code"])
    assert_aadsts(
        expired,
        status=400,
        error="expired_token",
        code=70020,
        text="The provided value for the input parameter 'device_code' is not valid. This "
        "device code has expired.",
        base_url=lab.live.base_url,
    )
    with lab.live.state.sessions() as session:
        assert device.find_pending(session, started["user_code"]) is None


def test_user_code_is_typed_loosely_but_only_works_once(lab: UserLab) -> None:
    started = _start(lab)
    code = started["user_code"]
    typed = f" {code[:4].lower()}-{code[4:]} "
    _approve(lab, typed, lab.reader)
    state = lab.live.state
    with state.sessions.begin() as session:
        user = users.require_user(session, lab.operator)
        try:
            device.approve(session, state.clock, code, user)
        except device.DeviceFlowError:
            pass
        else:  # pragma: no cover - the assertion below explains
            raise AssertionError("an approved user code was approved again")


def _demo_user(lab: UserLab, role: str) -> tuple[str, str]:
    """UPN and password of the demo user with `role`, from demo.json."""
    found = next(u for u in lab.live.demo_json["users"] if role in u["roles"])
    return found["upn"], found["password"]


def _enter_code_on_device_page(
    lab: UserLab, verification_uri: str, user_code: str, upn: str, password: str
) -> list[str]:
    """What the person does: open the verification page, type the code, sign in, confirm the
    app and accept consent if asked. Returns the steps the pages asked for."""
    seen: list[str] = []
    with WebClient(lab.live.base_url, lab.live.ca_file) as web:
        page = web.get(verification_uri)
        assert isinstance(page, Page) and page.status == 200, page
        page = web.submit(page.form(step="code"), otc=user_code)
        done = complete(web, page, upn, password, seen=seen)
        assert isinstance(done, Page) and done.status == 200, done
        assert "You have signed in to the " in done.text, done.text
        assert "application on your device." in done.text
    return seen


def test_msal_device_flow(lab: UserLab) -> None:
    upn, password = _demo_user(lab, "Security Operator")
    app = msal.PublicClientApplication(
        lab.live.demo_json["public_client_id"],
        authority=f"{lab.live.base_url}/{lab.tenant_id}",
        instance_discovery=False,
    )
    flow = app.initiate_device_flow(scopes=[f"{DEFENDER}/.default"])
    assert flow["verification_uri"] == f"{lab.live.base_url}/devicelogin", flow
    # The person types the code in a browser while MSAL polls.
    steps: list[str] = []
    failures: list[BaseException] = []

    def person() -> None:
        try:
            steps.extend(
                _enter_code_on_device_page(
                    lab, flow["verification_uri"], flow["user_code"], upn, password
                )
            )
        except BaseException as failure:  # re-raised in the test's thread
            failures.append(failure)
            with lab.live.state.sessions.begin() as session:
                device.decline(session, lab.live.state.clock, flow["user_code"])

    browser = threading.Thread(target=person)
    started = time.monotonic()
    browser.start()
    result = app.acquire_token_by_device_flow(flow)
    browser.join()
    if failures:
        raise failures[0]
    assert steps == ["username", "confirm"]  # the public client is consented tenant-wide
    assert "access_token" in result, result
    assert time.monotonic() - started < 30
    assert result["id_token_claims"]["preferred_username"] == upn
    assert claims(result["access_token"])["upn"] == upn
    assert lab.api("GET", "/api/incidents", result["access_token"]).status_code == 200
    # The account is cached, so silent calls work without another device code.
    account = app.get_accounts()[0]
    silent = app.acquire_token_silent([f"{DEFENDER}/.default"], account=account)
    assert silent is not None and silent["access_token"] == result["access_token"]


def test_azure_identity_device_code_credential(lab: UserLab) -> None:
    upn, password = _demo_user(lab, "Security Reader")

    def prompt(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        assert verification_uri == f"{lab.live.base_url}/devicelogin"
        _enter_code_on_device_page(lab, verification_uri, user_code, upn, password)

    credential = DeviceCodeCredential(
        client_id=lab.live.demo_json["public_client_id"],
        tenant_id=lab.tenant_id,
        authority=lab.live.base_url,
        disable_instance_discovery=True,
        prompt_callback=prompt,
    )
    token = credential.get_token(f"{DEFENDER}/.default")
    assert claims(token.token)["upn"] == upn
    hunting = lab.api(
        "POST",
        "/api/advancedhunting/run",
        token.token,
        json={"Query": "DeviceProcessEvents | take 1"},
    )
    assert hunting.status_code == 200, hunting.text


def test_device_page_wrong_code_then_cancel(lab: UserLab) -> None:
    """A mistyped code is shown again with an error; after sign-in, cancelling the "Are you
    trying to sign in" question declines the code for the device."""
    started = _start(lab, scope=f"{DEFENDER}/Incident.Read offline_access")
    with WebClient(lab.live.base_url, lab.live.ca_file) as web:
        page = web.get(started["verification_uri"])
        assert isinstance(page, Page)
        page = web.submit(page.form(step="code"), otc="WRONGCODE")
        assert isinstance(page, Page) and page.status == 400
        assert "That code didn&#39;t work." in page.text
        page = web.submit(page.form(step="code"), otc=started["user_code"])
        page = sign_in(web, page, lab.reader, PASSWORD)
        assert isinstance(page, Page) and page.has_form("confirm"), page
        declined = web.submit(page.form(step="confirm"), "cancel")
        assert isinstance(declined, Page) and "The device was not signed in." in declined.text
    assert_aadsts(
        _poll(lab, started["device_code"]),
        status=400,
        error="authorization_declined",
        code=70000,
        text=DECLINED_TEXT,
        base_url=lab.live.base_url,
    )
