"""Refresh tokens: rotation on every use, reuse of a rotated token revokes the family, a refresh
may move to another consented resource, and MSAL's silent flow refreshes with the cached token."""

from __future__ import annotations

import datetime as dt

import msal

from tests.identity.aadsts import assert_aadsts
from tests.identity.user.conftest import (
    DEFENDER,
    LOOPBACK,
    UserLab,
    claims,
    new_verifier,
    sign_in_for_flow,
)
from xdrlab.identity.oauth2.artifacts import artifact_hash
from xdrlab.store.models import RefreshToken


def _first_refresh_token(lab: UserLab) -> str:
    verifier = new_verifier()
    response = lab.token(
        {
            "grant_type": "authorization_code",
            "client_id": lab.public_client_id,
            "code": lab.code(verifier=verifier),
            "redirect_uri": LOOPBACK,
            "code_verifier": verifier,
        }
    )
    assert response.status_code == 200, response.text
    return str(response.json()["refresh_token"])


def _refresh(lab: UserLab, token: str, scope: str | None = None) -> dict[str, object]:
    form = {
        "grant_type": "refresh_token",
        "client_id": lab.public_client_id,
        "refresh_token": token,
    }
    if scope is not None:
        form["scope"] = scope
    response = lab.token(form)
    return {"status": response.status_code, **response.json(), "_response": response}


def test_each_refresh_rotates_and_reuse_revokes_the_family(lab: UserLab) -> None:
    first = _first_refresh_token(lab)
    second = _refresh(lab, first)
    assert second["status"] == 200, second
    assert second["refresh_token"] != first
    third = _refresh(lab, str(second["refresh_token"]))
    assert third["status"] == 200

    reused = _refresh(lab, first)  # someone replays a rotated token
    assert_aadsts(
        reused["_response"],  # type: ignore[arg-type]
        status=400,
        error="invalid_grant",
        code=50173,
        text="The provided grant has expired due to it being revoked, a fresh auth token is "
        "needed.",
        base_url=lab.live.base_url,
    )
    # The newest token of the family is revoked too: the legitimate holder signs in again.
    newest = _refresh(lab, str(third["refresh_token"]))
    assert newest["status"] == 400 and newest["error_codes"] == [50173]


def test_refresh_moves_to_another_consented_resource(lab: UserLab) -> None:
    moved = _refresh(
        lab,
        _first_refresh_token(lab),
        "https://graph.microsoft.com/SecurityIncident.Read.All offline_access",
    )
    assert moved["status"] == 200, moved
    access = claims(str(moved["access_token"]))
    assert access["aud"] == "https://graph.microsoft.com"
    assert access["scp"] == "SecurityIncident.Read.All"
    # Not consented: Graph's write scope.
    refused = _refresh(
        lab,
        str(moved["refresh_token"]),
        "https://graph.microsoft.com/SecurityIncident.ReadWrite.All",
    )
    assert refused["status"] == 400 and refused["error_codes"] == [65001]
    assert refused["suberror"] == "consent_required"


def test_expired_and_unknown_refresh_tokens(lab: UserLab) -> None:
    token = _first_refresh_token(lab)
    with lab.live.state.sessions.begin() as session:
        row = session.get(RefreshToken, artifact_hash(token))
        assert row is not None
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
    expired = _refresh(lab, token)
    assert expired["status"] == 400 and expired["error_codes"] == [700082]
    assert "The refresh token has expired due to inactivity. The token was issued on " in str(
        expired["error_description"]
    )
    assert "and was inactive for 90.00:00:00." in str(expired["error_description"])
    unknown = _refresh(lab, "garbage")
    assert unknown["status"] == 400 and unknown["error_codes"] == [9002313]


def test_refresh_token_is_bound_to_its_client(lab: UserLab) -> None:
    token = _first_refresh_token(lab)
    response = lab.token(
        {
            "grant_type": "refresh_token",
            "client_id": lab.web_client_id,
            "client_secret": lab.web_secret,
            "refresh_token": token,
        }
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_msal_silent_refresh_uses_the_cached_refresh_token(lab: UserLab) -> None:
    app = msal.PublicClientApplication(
        lab.public_client_id,
        authority=f"{lab.live.base_url}/{lab.tenant_id}",
        instance_discovery=False,
    )
    flow = app.initiate_auth_code_flow(
        [f"{DEFENDER}/.default"], redirect_uri=LOOPBACK, response_mode="form_post"
    )
    result = app.acquire_token_by_auth_code_flow(flow, sign_in_for_flow(lab, flow, lab.operator))
    assert "access_token" in result, result
    accounts = app.get_accounts()
    assert len(accounts) == 1 and accounts[0]["username"] == lab.operator
    silent = app.acquire_token_silent(
        [f"{DEFENDER}/.default"], account=accounts[0], force_refresh=True
    )
    assert silent is not None and "access_token" in silent, silent
    assert silent["access_token"] != result["access_token"]
    assert lab.api("GET", "/api/incidents", silent["access_token"]).status_code == 200
