"""The authorization code grant: redemption by raw requests and by MSAL's confidential client,
and every way a redemption must fail."""

from __future__ import annotations

import base64
import datetime as dt
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import msal
import pytest
from sqlalchemy import select

from tests.clocks import MovableClock
from tests.identity.aadsts import assert_aadsts
from tests.identity.user.conftest import (
    DEFENDER,
    LOOPBACK,
    PASSWORD,
    WEB_REDIRECT,
    UserLab,
    claims,
    new_verifier,
    pkce_challenge,
    sign_in_for_flow,
)
from tests.identity.webclient import Landing, WebClient, complete
from tests.servers import Running, serve
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.identity.oauth2.artifacts import artifact_hash
from xdrlab.store.models import AuthorizationCode, RefreshToken

SCOPE = f"{DEFENDER}/.default openid profile offline_access"


def _redeem(lab: UserLab, code: str, verifier: str | None, **extra: str) -> dict[str, object]:
    form = {
        "grant_type": "authorization_code",
        "client_id": lab.public_client_id,
        "code": code,
        "redirect_uri": LOOPBACK,
        "scope": SCOPE,
        "client_info": "1",
        **extra,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    response = lab.token(form)
    return {"status": response.status_code, **response.json(), "_response": response}


def test_code_redeemed_for_delegated_tokens(lab: UserLab) -> None:
    verifier = new_verifier()
    result = _redeem(lab, lab.code(verifier=verifier), verifier)
    assert result["status"] == 200, result
    assert result["token_type"] == "Bearer"
    assert isinstance(result["expires_in"], int)
    assert {"refresh_token", "id_token", "client_info", "scope"} <= set(result)
    access = claims(str(result["access_token"]))
    assert access["aud"] == DEFENDER and access["ver"] == "1.0"
    assert access["iss"] == f"{lab.live.base_url}/{lab.tenant_id}/"
    assert access["scp"] == "AdvancedHunting.Read Incident.Read Incident.ReadWrite"
    assert access["oid"] == lab.operator_id and access["upn"] == lab.operator
    assert access["appid"] == lab.public_client_id and access["appidacr"] == "0"
    assert access["idtyp"] == "user" and access["amr"] == ["pwd"]
    assert access["wids"] == ["5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"]  # Security Operator
    assert "roles" not in access
    assert access["name"] == "Olga Operator"
    identity = claims(str(result["id_token"]))
    assert identity["aud"] == lab.public_client_id
    assert identity["nonce"] == "n-0S6_WzA2Mj"
    assert identity["preferred_username"] == lab.operator
    assert identity["sub"] == access["sub"] != access["oid"]
    assert identity["tid"] == lab.tenant_id and identity["oid"] == lab.operator_id
    assert identity["name"] == "Olga Operator"
    assert "email" not in identity  # not asked for
    # MSAL's home account id: base64url JSON of the user's object id and home tenant.
    info = str(result["client_info"])
    assert "=" not in info and "+" not in info and "/" not in info
    decoded = json.loads(base64.urlsafe_b64decode(info + "=" * (-len(info) % 4)))
    assert decoded == {"uid": lab.operator_id, "utid": lab.tenant_id}
    scope = str(result["scope"]).split()
    assert f"{DEFENDER}/Incident.ReadWrite" in scope and f"{DEFENDER}/.default" in scope

    incidents = lab.api("GET", "/api/incidents", str(result["access_token"]))
    assert incidents.status_code == 200, incidents.text


# -- what the OIDC scopes add ------------------------------------------------------------------


def test_without_offline_access_there_is_no_refresh_token(lab: UserLab) -> None:
    verifier = new_verifier()
    scopes = [f"{DEFENDER}/.default", "openid", "profile"]
    code = lab.code(verifier=verifier, scopes=scopes)
    result = _redeem(lab, code, verifier, scope=" ".join(scopes))
    assert result["status"] == 200, result
    assert "refresh_token" not in result
    assert {"access_token", "id_token", "client_info"} <= set(result)
    assert "offline_access" not in str(result["scope"]).split()


def test_without_openid_there_is_no_id_token(lab: UserLab) -> None:
    verifier = new_verifier()
    scopes = [f"{DEFENDER}/.default", "offline_access"]
    code = lab.code(verifier=verifier, scopes=scopes, nonce=None)
    result = _redeem(lab, code, verifier, scope=" ".join(scopes))
    assert result["status"] == 200, result
    assert "id_token" not in result
    assert result["refresh_token"]
    assert claims(str(result["access_token"]))["oid"] == lab.operator_id


def test_email_scope_adds_the_email_claim(lab: UserLab) -> None:
    """With `email` the id_token carries the user's address. xdrlab's users have no mailbox
    attribute apart from their user principal name, so the address is the UPN."""
    verifier = new_verifier()
    scopes = [f"{DEFENDER}/.default", "openid", "profile", "email", "offline_access"]
    code = lab.code(verifier=verifier, scopes=scopes, user_id=lab.reader_id)
    result = _redeem(lab, code, verifier, scope=" ".join(scopes))
    assert result["status"] == 200, result
    identity = claims(str(result["id_token"]))
    assert identity["email"] == lab.reader
    assert identity["name"] == "Rita Reader" and identity["tid"] == lab.tenant_id
    assert "email" in str(result["scope"]).split()


def test_replayed_code_fails_and_revokes_the_first_family(lab: UserLab) -> None:
    verifier = new_verifier()
    code = lab.code(verifier=verifier)
    first = _redeem(lab, code, verifier)
    assert first["status"] == 200
    again = _redeem(lab, code, verifier)
    assert_aadsts(
        again["_response"],  # type: ignore[arg-type]
        status=400,
        error="invalid_grant",
        code=54005,
        text="OAuth2 Authorization code was already redeemed, please retry with a new valid "
        "code or use an existing refresh token.",
        base_url=lab.live.base_url,
    )
    with lab.live.state.sessions() as session:
        token = session.get(RefreshToken, artifact_hash(str(first["refresh_token"])))
        assert token is not None and token.revoked_at is not None
    refreshed = lab.token(
        {
            "grant_type": "refresh_token",
            "client_id": lab.public_client_id,
            "refresh_token": str(first["refresh_token"]),
        }
    )
    assert refreshed.status_code == 400 and refreshed.json()["error_codes"] == [50173]


def test_pkce_verifier_must_match(lab: UserLab) -> None:
    verifier = new_verifier()
    wrong = _redeem(lab, lab.code(verifier=verifier), new_verifier())
    assert_aadsts(
        wrong["_response"],  # type: ignore[arg-type]
        status=400,
        error="invalid_grant",
        code=501481,
        text="The Code_Verifier does not match the code_challenge supplied in the "
        "authorization request.",
        base_url=lab.live.base_url,
    )


def test_pkce_downgrades_are_refused(lab: UserLab) -> None:
    verifier = new_verifier()
    # The challenge was sent, the verifier is left out.
    missing = _redeem(lab, lab.code(verifier=verifier), None)
    assert missing["status"] == 400 and missing["error_codes"] == [501481]
    # S256 was used; presenting the challenge itself as a plain verifier does not work.
    as_plain = _redeem(lab, lab.code(verifier=verifier), pkce_challenge(verifier))
    assert as_plain["status"] == 400 and as_plain["error_codes"] == [501481]
    # Plain challenges work when plain was what the authorize request used.
    plain = _redeem(lab, lab.code(verifier=verifier, method="plain"), verifier)
    assert plain["status"] == 200


def test_public_client_code_without_pkce_is_refused(lab: UserLab) -> None:
    refused = _redeem(lab, lab.code(verifier=None), None)
    assert refused["status"] == 400 and refused["error_codes"] == [9002325]


def test_redirect_uri_must_repeat_the_authorize_request(lab: UserLab) -> None:
    verifier = new_verifier()
    code = lab.code(verifier=verifier)
    other = _redeem(lab, code, verifier, redirect_uri="http://localhost:9999/elsewhere")
    assert_aadsts(
        other["_response"],  # type: ignore[arg-type]
        status=400,
        error="invalid_grant",
        code=50011,
        text="The reply address 'http://localhost:9999/elsewhere' does not match the reply "
        f"address '{LOOPBACK}' provided when requesting Authorization code.",
        base_url=lab.live.base_url,
    )
    # A failed redemption does not use the code up.
    assert _redeem(lab, code, verifier)["status"] == 200


def test_expired_code_is_refused(lab: UserLab) -> None:
    verifier = new_verifier()
    code = lab.code(verifier=verifier)
    with lab.live.state.sessions.begin() as session:
        row = session.get(AuthorizationCode, artifact_hash(code))
        assert row is not None
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
    expired = _redeem(lab, code, verifier)
    assert_aadsts(
        expired["_response"],  # type: ignore[arg-type]
        status=400,
        error="invalid_grant",
        code=70008,
        text="The provided authorization code or refresh token has expired due to inactivity.",
        base_url=lab.live.base_url,
    )


@dataclass
class ClockedServer:
    """A second xdrlab server whose clock the test moves, with one tenant, a consented public
    client (redirect URI `http://localhost`) and a user."""

    running: Running[None]
    clock: MovableClock
    tenant_id: str
    client_id: str
    upn: str


@pytest.fixture(scope="module")
def clocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClockedServer]:
    clock = MovableClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    state_dir = tmp_path_factory.mktemp("clocked")
    with serve(state_dir, clock=clock, log_level="warning") as running:
        state = running.state
        with state.sessions.begin() as session:
            tenant = tenants.create_tenant(session, clock, "Clocked", "clocked.example")
            app = apps.create_app(
                session,
                clock,
                tenant,
                "clocked public",
                public_client=True,
                redirect_uris=[LOOPBACK],
            )
            consent.grant_delegated(session, clock, tenant, app, DEFENDER_XDR, ["Incident.Read"])
            user = users.create_user(
                session, clock, tenant, "olga@clocked.example", PASSWORD, roles=["Security Reader"]
            )
            found = ClockedServer(running, clock, tenant.id, app.app_id, user.user_principal_name)
        yield found


def _codes_from_the_authorize_endpoint(
    server: ClockedServer, verifier: str, count: int
) -> list[str]:
    """Sign in once on the pages, then ask for `count` codes (the session answers at once)."""
    assert server.running.ca_file is not None
    query = {
        "client_id": server.client_id,
        "response_type": "code",
        "redirect_uri": "http://localhost:8400",
        "scope": f"{DEFENDER}/.default openid offline_access",
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    url = f"{server.running.base_url}/{server.tenant_id}/oauth2/v2.0/authorize?{urlencode(query)}"
    codes = []
    with WebClient(server.running.base_url, server.running.ca_file) as web:
        for _ in range(count):
            landing = complete(web, web.get(url), server.upn, PASSWORD)
            assert isinstance(landing, Landing), getattr(landing, "text", landing)
            codes.append(landing.params["code"])
    return codes


def _redeem_at(server: ClockedServer, code: str, verifier: str) -> httpx.Response:
    assert server.running.ca_file is not None
    with httpx.Client(verify=ssl.create_default_context(cafile=str(server.running.ca_file))) as c:
        return c.post(
            f"{server.running.base_url}/{server.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "authorization_code",
                "client_id": server.client_id,
                "code": code,
                "redirect_uri": "http://localhost:8400",
                "code_verifier": verifier,
            },
        )


def test_code_lives_ten_minutes(clocked: ClockedServer) -> None:
    """Production's codes live about ten minutes: redeemable at 9:59, expired at 10:01."""
    issued = clocked.clock.now()
    verifier = new_verifier()
    early, late = _codes_from_the_authorize_endpoint(clocked, verifier, 2)
    clocked.clock.set(issued + dt.timedelta(minutes=9, seconds=59))
    granted = _redeem_at(clocked, early, verifier)
    assert granted.status_code == 200, granted.text
    clocked.clock.set(issued + dt.timedelta(minutes=10, seconds=1))
    assert_aadsts(
        _redeem_at(clocked, late, verifier),
        status=400,
        error="invalid_grant",
        code=70008,
        text="The provided authorization code or refresh token has expired due to inactivity.",
        base_url=clocked.running.base_url,
    )


def test_code_of_another_client_or_garbage_is_refused(lab: UserLab) -> None:
    verifier = new_verifier()
    code = lab.code(verifier=verifier, client_id=lab.web_client_id, redirect_uri=WEB_REDIRECT)
    stolen = _redeem(lab, code, verifier)  # the public client presents the web app's code
    assert stolen["status"] == 400 and stolen["error"] == "invalid_grant"
    garbage = _redeem(lab, "not-a-code", verifier)
    assert garbage["status"] == 400 and garbage["error_codes"] == [9002313]
    with lab.live.state.sessions() as session:
        stored = session.scalars(select(AuthorizationCode.code_hash)).all()
    assert code not in stored and artifact_hash(code) in stored  # only hashes are kept


def test_confidential_client_needs_its_secret(lab: UserLab) -> None:
    code = lab.code(client_id=lab.web_client_id, redirect_uri=WEB_REDIRECT)
    form = {
        "grant_type": "authorization_code",
        "client_id": lab.web_client_id,
        "code": code,
        "redirect_uri": WEB_REDIRECT,
        "scope": SCOPE,
    }
    without = lab.token(form)
    assert without.status_code == 401 and without.json()["error_codes"] == [7000218]
    granted = lab.token({**form, "client_secret": lab.web_secret})
    assert granted.status_code == 200, granted.text
    assert claims(granted.json()["access_token"])["appidacr"] == "1"


def test_v1_code_with_resource(lab: UserLab) -> None:
    code = lab.code(
        client_id=lab.web_client_id,
        redirect_uri=WEB_REDIRECT,
        scopes=["openid"],
        resource="https://security.microsoft.com/mtp/",
        version=1,
    )
    response = lab.token(
        {
            "grant_type": "authorization_code",
            "client_id": lab.web_client_id,
            "client_secret": lab.web_secret,
            "code": code,
            "redirect_uri": WEB_REDIRECT,
        },
        version=1,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resource"] == "https://security.microsoft.com/mtp/"
    assert isinstance(body["expires_in"], str) and "refresh_token" in body
    assert claims(body["access_token"])["aud"] == "https://security.microsoft.com/mtp/"
    identity = claims(body["id_token"])
    assert identity["ver"] == "1.0" and identity["upn"] == lab.operator


def test_msal_confidential_client_auth_code_flow(lab: UserLab) -> None:
    app = msal.ConfidentialClientApplication(
        lab.web_client_id,
        client_credential=lab.web_secret,
        authority=f"{lab.live.base_url}/{lab.tenant_id}",
        instance_discovery=False,
    )
    flow = app.initiate_auth_code_flow(
        [f"{DEFENDER}/.default"], redirect_uri=WEB_REDIRECT, response_mode="form_post"
    )
    seen: list[str] = []
    auth_response = sign_in_for_flow(lab, flow, lab.operator, seen=seen)
    assert seen == ["username"]  # consented tenant-wide: no consent page
    assert set(auth_response) == {"code", "state"} and auth_response["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    assert "access_token" in result, result
    assert result["id_token_claims"]["oid"] == lab.operator_id
    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == [lab.operator]
    assert lab.api("GET", "/api/incidents", result["access_token"]).status_code == 200
