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
from tests.identity.user.conftest import DEFENDER, UserLab, claims
from xdrlab.identity import device, users
from xdrlab.store.models import DeviceCode

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


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
    too_fast = _poll(lab, started["device_code"])
    assert too_fast.status_code == 400 and too_fast.json()["error"] == "slow_down"

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
    assert declined.status_code == 400
    assert declined.json()["error"] == "authorization_declined"


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


def test_msal_device_flow(lab: UserLab) -> None:
    app = msal.PublicClientApplication(
        lab.public_client_id,
        authority=f"{lab.live.base_url}/{lab.tenant_id}",
        instance_discovery=False,
    )
    flow = app.initiate_device_flow(scopes=[f"{DEFENDER}/.default"])
    assert flow["verification_uri"] == f"{lab.live.base_url}/devicelogin", flow
    timer = threading.Timer(1.0, _approve, args=(lab, flow["user_code"], lab.operator))
    timer.start()
    started = time.monotonic()
    result = app.acquire_token_by_device_flow(flow)
    timer.join()
    assert "access_token" in result, result
    assert time.monotonic() - started < 30
    assert result["id_token_claims"]["preferred_username"] == lab.operator
    assert lab.api("GET", "/api/incidents", result["access_token"]).status_code == 200
    # The account is cached, so silent calls work without another device code.
    account = app.get_accounts()[0]
    silent = app.acquire_token_silent([f"{DEFENDER}/.default"], account=account)
    assert silent is not None and silent["access_token"] == result["access_token"]


def test_azure_identity_device_code_credential(lab: UserLab) -> None:
    def approve(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        assert verification_uri == f"{lab.live.base_url}/devicelogin"
        _approve(lab, user_code, lab.operator)

    credential = DeviceCodeCredential(
        client_id=lab.public_client_id,
        tenant_id=lab.tenant_id,
        authority=lab.live.base_url,
        disable_instance_discovery=True,
        prompt_callback=approve,
    )
    token = credential.get_token(f"{DEFENDER}/.default")
    assert claims(token.token)["upn"] == lab.operator
    hunting = lab.api(
        "POST",
        "/api/advancedhunting/run",
        token.token,
        json={"Query": "DeviceProcessEvents | take 1"},
    )
    assert hunting.status_code == 200, hunting.text
