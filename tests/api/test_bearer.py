"""Bearer validation on the API routes: each check refuses with production's status and body."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.api.conftest import DEFENDER, GRAPH, ApiApp, MakeApp, error_of
from tests.clocks import MovableClock
from tests.conftest import Live
from tests.servers import app_tokens, serve
from xdrlab.demo.seed import DemoCredentials, seed_demo
from xdrlab.identity.keys import create_signing_key
from xdrlab.server.state import ServerState

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


# -- a server of its own: its clock moves by hand, and its keys rotate without disturbing the
# -- shared server's tokens ----------------------------------------------------------------

START = dt.datetime.now(dt.UTC).replace(microsecond=0)
BAD_SIGNATURE = "Invalid Authorization token: the signature is not valid."


@dataclass
class Own:
    state: ServerState
    clock: MovableClock
    demo: DemoCredentials
    client: httpx.Client

    def token(self, resource: str = DEFENDER) -> str:
        demo = self.demo
        tokens = app_tokens(
            self.client, demo.tenant_id, demo.client_id, demo.client_secret, [resource]
        )
        return tokens[resource]

    def hunt(self, token: str) -> httpx.Response:
        return self.client.post(
            "/api/advancedhunting/run", json=HUNT, headers={"Authorization": f"Bearer {token}"}
        )

    def graph_hunt(self, token: str) -> httpx.Response:
        return self.client.post(
            "/v1.0/security/runHuntingQuery",
            json=HUNT,
            headers={"Authorization": f"Bearer {token}"},
        )

    def rotate(self) -> str:
        """What `xdrlab keys rotate` does to the store, done while the server runs."""
        with self.state.sessions.begin() as session:
            return create_signing_key(
                session,
                self.state.key_encryption_key,
                self.state.clock,
                self.state.settings.signing_key_bits,
            )


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Own]:
    clock = MovableClock(START)
    state_dir = tmp_path_factory.mktemp("bearer")
    with serve(state_dir, clock=clock, prepare=seed_demo) as running, running.client() as client:
        yield Own(running.state, clock, running.prepared, client)


@pytest.fixture
def own(own_server: Own) -> Iterator[Own]:
    own_server.clock.set(START)
    yield own_server
    own_server.clock.set(START)


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def _resigned(own: Own, token: str, kid: str) -> str:
    """The same claims signed by the current key, `kid` (read from the store)."""
    key = own.state.identity().keys.current()
    assert key.kid == kid
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": kid, "x5t": kid})


def _payload(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_rotation_reaches_the_api_without_a_restart_and_a_withdrawn_key_is_refused(
    own: Own,
) -> None:
    first = own.token()
    first_graph = own.token(GRAPH)
    assert own.hunt(first).status_code == 200
    assert own.graph_hunt(first_graph).status_code == 200
    old_kid = _kid(first)

    new_kid = own.rotate()
    # A token signed with the new key is accepted at once (its kid is new to the server) ...
    resigned = own.hunt(_resigned(own, first, new_kid))
    assert resigned.status_code == 200, resigned.text
    # ... and so are the ones the token service signs with it, once its key ring has reloaded.
    deadline = time.monotonic() + 15
    second = own.token()
    while _kid(second) != new_kid and time.monotonic() < deadline:
        time.sleep(0.5)
        second = own.token()
    assert _kid(second) == new_kid
    assert own.hunt(second).status_code == 200
    # The previous key stays published: what it signed still validates.
    assert own.hunt(first).status_code == 200

    own.rotate()  # the first key is withdrawn; nothing signed by the newest key is sent
    deadline = time.monotonic() + 15
    refused = own.hunt(first)
    while refused.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        refused = own.hunt(first)
    assert refused.status_code == 401, refused.text
    assert refused.headers["www-authenticate"] == "Bearer"
    error = error_of(refused)
    assert error == {"code": "Unauthorized", "message": BAD_SIGNATURE, "target": error["target"]}
    assert error["target"]
    graph = own.graph_hunt(first_graph)
    assert graph.status_code == 401
    assert _kid(first_graph) == old_kid
    graph_error = error_of(graph)
    assert graph_error["code"] == "InvalidAuthenticationToken"
    assert graph_error["message"] == "Signature is invalid."
    # The key that became previous still validates.
    assert own.hunt(second).status_code == 200


def _expired_message(own: Own, token: str) -> str:
    claims = _payload(token)
    return (
        f"Invalid Authorization payload. AppId: {own.demo.client_id}, Audience: {DEFENDER}, "
        f"Issuer: {claims['iss']}, Validity: {{state}} from {_iso(claims['nbf'])} "
        f"to {_iso(claims['exp'])}"
    )


def test_an_expired_token_is_accepted_within_the_clock_skew_and_refused_beyond(own: Own) -> None:
    skew = own.state.settings.clock_skew_seconds
    assert skew == 300  # five minutes, as Microsoft's token validators allow by default
    token = own.token()
    graph_token = own.token(GRAPH)
    exp = _payload(token)["exp"]
    assert exp == _payload(graph_token)["exp"]

    own.clock.set(dt.datetime.fromtimestamp(exp + skew - 1, dt.UTC))
    accepted = own.hunt(token)
    assert accepted.status_code == 200, accepted.text
    assert own.graph_hunt(graph_token).status_code == 200

    own.clock.set(dt.datetime.fromtimestamp(exp + skew + 1, dt.UTC))
    refused = own.hunt(token)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    error = error_of(refused)
    assert error["code"] == "Unauthorized"
    assert error["message"] == _expired_message(own, token).format(state="expired")
    graph = own.graph_hunt(graph_token)
    assert graph.status_code == 401
    assert error_of(graph)["code"] == "InvalidAuthenticationToken"
    assert error_of(graph)["message"] == (
        "Access token validation failure. Lifetime validation failed, the token is expired."
    )


def test_a_token_not_yet_valid_is_accepted_within_the_clock_skew_and_refused_beyond(
    own: Own,
) -> None:
    skew = own.state.settings.clock_skew_seconds
    token = own.token()
    nbf = _payload(token)["nbf"]

    own.clock.set(dt.datetime.fromtimestamp(nbf - skew + 1, dt.UTC))
    accepted = own.hunt(token)
    assert accepted.status_code == 200, accepted.text

    own.clock.set(dt.datetime.fromtimestamp(nbf - skew - 1, dt.UTC))
    refused = own.hunt(token)
    assert refused.status_code == 401
    error = error_of(refused)
    assert error["code"] == "Unauthorized"
    assert error["message"] == _expired_message(own, token).format(state="not yet valid")
