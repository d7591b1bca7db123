"""Bearer validation on the API routes: each check refuses with production's status and body."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.api.conftest import DEFENDER, GRAPH, ApiApp, MakeApp, error_of
from tests.conftest import Live

HUNT = {"Query": "DeviceInfo | take 1"}


def _forged(live: Live, claims: dict[str, Any], *, key: Any = None, kid: str | None = None) -> str:
    """A token signed with the server's own current key (or `key`), carrying `claims`."""
    current = live.state.identity().keys.current()
    headers = {"kid": kid or current.kid, "x5t": kid or current.kid}
    return jwt.encode(claims, key or current.private_key, algorithm="RS256", headers=headers)


def _claims(live: Live, app: ApiApp, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "aud": DEFENDER,
        "iss": f"{live.base_url}/{app.tenant_id}/",
        "iat": now - 300,
        "nbf": now - 300,
        "exp": now + 3600,
        "appid": app.client_id,
        "appidacr": "1",
        "idtyp": "app",
        "oid": str(uuid.uuid4()),
        "roles": ["AdvancedHunting.Read.All"],
        "tid": app.tenant_id,
        "ver": "1.0",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def hunter(make_app: MakeApp) -> ApiApp:
    return make_app(defender=["AdvancedHunting.Read.All"], graph=["ThreatHunting.Read.All"])


def test_a_valid_forged_shape_is_accepted(live: Live, hunter: ApiApp) -> None:
    # The baseline for the refusals below: the same claims, correctly signed, are accepted.
    response = hunter.call(
        "POST", "/api/advancedhunting/run", token=_forged(live, _claims(live, hunter)), json=HUNT
    )
    assert response.status_code == 200, response.text


def test_missing_header_is_401_on_both_surfaces(live: Live) -> None:
    with live.client() as client:
        defender = client.post("/api/advancedhunting/run", json=HUNT)
        graph = client.post("/v1.0/security/runHuntingQuery", json=HUNT)
    assert defender.status_code == 401
    assert defender.headers["www-authenticate"] == "Bearer"
    error = error_of(defender)
    assert error["code"] == "Unauthorized" and error["target"]
    assert graph.status_code == 401
    graph_error = error_of(graph)
    assert graph_error["code"] == "InvalidAuthenticationToken"
    assert graph_error["message"] == "Access token is empty."
    assert set(graph_error["innerError"]) == {"date", "request-id", "client-request-id"}


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"aud": GRAPH}, "token for another resource"),
        ({"aud": "https://api.securitycenter.microsoft.com"}, "Defender for Endpoint audience"),
        ({"exp": int(time.time()) - 3600, "nbf": int(time.time()) - 7200}, "expired"),
        ({"nbf": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, "not yet valid"),
        ({"iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000001/"}, "issuer"),
        ({"tid": "00000000-0000-0000-0000-000000000001"}, "tid does not match iss"),
        ({"ver": "2.0"}, "v2 claim with a v1 issuer"),
    ],
)
def test_payload_checks(live: Live, hunter: ApiApp, overrides: dict[str, Any], why: str) -> None:
    token = _forged(live, _claims(live, hunter, **overrides))
    response = hunter.call("POST", "/api/advancedhunting/run", token=token, json=HUNT)
    assert response.status_code == 401, why
    message = error_of(response)["message"]
    assert message.startswith(f"Invalid Authorization payload. AppId: {hunter.client_id}, "), why
    assert "Audience: " in message and "Validity: " in message


def test_unknown_tenant_is_refused_even_when_iss_and_tid_agree(live: Live, hunter: ApiApp) -> None:
    ghost = str(uuid.uuid4())
    token = _forged(live, _claims(live, hunter, tid=ghost, iss=f"{live.base_url}/{ghost}/"))
    response = hunter.call("POST", "/api/advancedhunting/run", token=token, json=HUNT)
    assert response.status_code == 401


def test_signature_by_another_key_is_refused(live: Live, hunter: ApiApp) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _forged(live, _claims(live, hunter), key=stranger)
    defender = hunter.call("POST", "/api/advancedhunting/run", token=token, json=HUNT)
    assert defender.status_code == 401
    assert "signature" in error_of(defender)["message"]
    graph_token = _forged(live, _claims(live, hunter, aud=GRAPH), key=stranger)
    graph = hunter.call("POST", "/v1.0/security/runHuntingQuery", token=graph_token, json=HUNT)
    assert graph.status_code == 401
    assert error_of(graph)["message"] == "Signature is invalid."


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_malformed_tokens(hunter: ApiApp, token: str) -> None:
    response = hunter.call("POST", "/api/advancedhunting/run", token=token, json=HUNT)
    assert response.status_code == 401
    assert error_of(response)["code"] == "Unauthorized"


def test_alg_none_and_hs256_are_refused(live: Live, hunter: ApiApp) -> None:
    claims = _claims(live, hunter)
    kid = live.state.identity().keys.current().kid
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": kid})
    hmac = jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": kid})
    for token in (unsigned, hmac):
        response = hunter.call("POST", "/api/advancedhunting/run", token=token, json=HUNT)
        assert response.status_code == 401


def test_graph_token_is_refused_by_the_defender_api_and_vice_versa(hunter: ApiApp) -> None:
    graph_token = hunter.token(GRAPH)
    response = hunter.call("POST", "/api/advancedhunting/run", token=graph_token, json=HUNT)
    assert response.status_code == 401
    assert "Audience: https://graph.microsoft.com" in error_of(response)["message"]
    defender_token = hunter.token(DEFENDER)
    response = hunter.call(
        "POST", "/v1.0/security/runHuntingQuery", token=defender_token, json=HUNT
    )
    assert response.status_code == 401
    assert error_of(response)["message"] == "Access token validation failure. Invalid audience."


def test_every_identifier_uri_and_the_app_id_are_accepted_audiences(hunter: ApiApp) -> None:
    for resource in (
        "https://api.security.microsoft.com",
        "https://securitycenter.microsoft.com/mtp",
        "8ee8fdad-f234-4243-8f3b-15c294843740",
    ):
        response = hunter.call(
            "POST", "/api/advancedhunting/run", token=hunter.token(resource), json=HUNT
        )
        assert response.status_code == 200, (resource, response.text)


def test_app_without_roles_gets_the_missing_roles_403(make_app: MakeApp) -> None:
    app = make_app()
    response = app.call("POST", "/api/advancedhunting/run", json=HUNT)
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "Forbidden"
    assert error["message"] == (
        "Missing application roles. API required roles: AdvancedHunting.Read.All, "
        "application roles: ."
    )
