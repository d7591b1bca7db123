"""Defender for Endpoint's hunting path, `POST /api/advancedqueries/run`, a resource of its own.

Its tokens are for `https://api.securitycenter.microsoft.com` (WindowsDefenderATP) with
`AdvancedQuery.Read.All`; the Defender XDR API refuses them, and it refuses the XDR API's tokens
on their roles, as production does.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.api.conftest import DEFENDER, ENDPOINT, GRAPH, MakeApp, error_of
from tests.clocks import MovableClock
from tests.conftest import Live
from xdrlab.api.errors import ApiError, Surface
from xdrlab.api.ratelimit import RateLimiter
from xdrlab.store.db import make_engine, migrate, session_factory

PATH = "/api/advancedqueries/run"
QUERY = {"Query": "DeviceProcessEvents | project Timestamp, DeviceName, FileName | take 3"}


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_an_endpoint_token_runs_the_query_and_gets_schema_and_results(make_app: MakeApp) -> None:
    app = make_app(endpoint=["AdvancedQuery.Read.All"])
    token = app.token(ENDPOINT)
    claims = _claims(token)
    assert claims["aud"] == ENDPOINT
    assert claims["roles"] == ["AdvancedQuery.Read.All"]
    response = app.call("POST", PATH, token=token, json=QUERY)
    assert response.status_code == 200, response.text
    body = response.json()
    # The documented QueryResponse of this API: Schema and Results, no Stats.
    assert set(body) == {"Schema", "Results"}
    assert body["Schema"] == [
        {"Name": "Timestamp", "Type": "DateTime"},
        {"Name": "DeviceName", "Type": "String"},
        {"Name": "FileName", "Type": "String"},
    ]
    assert len(body["Results"]) == 3
    assert body["Results"][0]["Timestamp"].endswith("Z")


def test_the_windowsatpservice_identifier_and_the_v1_resource_form(live: Live) -> None:
    """The partner page's scope and the MDE Python sample's v1 `resource=` request."""
    demo = live.demo
    with live.client() as client:
        v2 = client.post(
            live.token_url(2),
            data={
                "grant_type": "client_credentials",
                "client_id": demo.client_id,
                "client_secret": demo.client_secret,
                "scope": "https://securitycenter.onmicrosoft.com/windowsatpservice/.default",
            },
        )
        v1 = client.post(
            live.token_url(1),
            data={
                "grant_type": "client_credentials",
                "client_id": demo.client_id,
                "client_secret": demo.client_secret,
                "resource": ENDPOINT,
            },
        )
    assert v2.status_code == 200, v2.text
    assert v1.status_code == 200, v1.text
    assert _claims(v2.json()["access_token"])["aud"] == (
        "https://securitycenter.onmicrosoft.com/windowsatpservice"
    )
    assert v1.json()["resource"] == ENDPOINT
    for token in (v2.json()["access_token"], v1.json()["access_token"]):
        # The demo app holds the permission, consented.
        assert "AdvancedQuery.Read.All" in _claims(token)["roles"]
        with live.client() as client:
            response = client.post(PATH, json=QUERY, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text


def test_a_defender_xdr_token_is_refused_on_its_roles(make_app: MakeApp) -> None:
    app = make_app(defender=["AdvancedHunting.Read.All"])
    response = app.call("POST", PATH, token=app.token(DEFENDER), json=QUERY)
    assert response.status_code == 403, response.text
    error = error_of(response)
    assert error["code"] == "Forbidden"
    assert error["message"] == (
        "Missing application roles. API required roles: AdvancedQuery.Read.All, "
        "application roles: AdvancedHunting.Read.All."
    )


def test_an_endpoint_token_is_refused_by_the_defender_xdr_and_graph_apis(
    make_app: MakeApp,
) -> None:
    app = make_app(endpoint=["AdvancedQuery.Read.All"])
    token = app.token(ENDPOINT)
    xdr = app.call("POST", "/api/advancedhunting/run", token=token, json=QUERY)
    assert xdr.status_code == 401, xdr.text
    assert error_of(xdr)["code"] == "Unauthorized"
    assert f"Audience: {ENDPOINT}," in error_of(xdr)["message"]
    incidents = app.call("GET", "/api/incidents", token=token)
    assert incidents.status_code == 401
    graph = app.call("POST", "/v1.0/security/runHuntingQuery", token=token, json=QUERY)
    assert graph.status_code == 401
    assert error_of(graph)["code"] == "InvalidAuthenticationToken"


def test_a_graph_token_is_refused(make_app: MakeApp) -> None:
    app = make_app(graph=["ThreatHunting.Read.All"])
    response = app.call("POST", PATH, token=app.token(GRAPH), json=QUERY)
    assert response.status_code == 401
    assert "Audience: https://graph.microsoft.com," in error_of(response)["message"]


def test_an_app_without_the_permission_gets_a_token_without_roles_and_403(
    make_app: MakeApp,
) -> None:
    app = make_app(defender=["Incident.Read.All"])
    token = app.token(ENDPOINT)
    assert "roles" not in _claims(token)
    response = app.call("POST", PATH, token=token, json=QUERY)
    assert response.status_code == 403
    assert error_of(response)["message"] == (
        "Missing application roles. API required roles: AdvancedQuery.Read.All, "
        "application roles: ."
    )


def test_bad_bodies_and_bad_queries_get_the_defender_error_shape(make_app: MakeApp) -> None:
    app = make_app(endpoint=["AdvancedQuery.Read.All"])
    token = app.token(ENDPOINT)
    missing = app.call("POST", PATH, token=token, json={"query": "DeviceInfo"})
    assert missing.status_code == 400
    assert error_of(missing)["code"] == "InvalidRequestBody"
    assert error_of(missing)["message"] == "Missing query."
    bad = app.call("POST", PATH, token=token, json={"Query": "DeviceInfo | where Nope == 1"})
    assert bad.status_code == 400
    error = error_of(bad)
    assert error["code"] == "BadRequest" and error["target"]
    assert "Failed to resolve scalar expression named 'Nope'" in error["message"]


def test_a_user_token_from_the_mde_password_sample(live: Live) -> None:
    """The MDE C# sample's v1 password grant with the demo public client: a Security Reader's
    delegated `AdvancedQuery.Read` token runs queries."""
    reader = next(u for u in live.demo.users if "Security Reader" in u["roles"])
    with live.client() as client:
        response = client.post(
            live.token_url(1),
            data={
                "resource": ENDPOINT,
                "client_id": live.demo.public_client_id,
                "grant_type": "password",
                "username": reader["upn"],
                "password": reader["password"],
            },
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert _claims(token)["scp"] == "AdvancedQuery.Read"
        answer = client.post(PATH, json=QUERY, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["Results"]) == 3


def test_45_calls_a_minute_then_429(make_app: MakeApp) -> None:
    app = make_app(endpoint=["AdvancedQuery.Read.All"])
    token = app.token(ENDPOINT)
    if time.time() % 60 > 30:  # a fixed calendar window: start the burst early in a minute
        time.sleep(60 - time.time() % 60 + 0.2)
    body = {"Query": "DeviceInfo | take 1"}
    with app.live.client() as client:
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [client.post(PATH, json=body, headers=headers).status_code for _ in range(45)]
        refused = client.post(PATH, json=body, headers=headers)
    assert statuses == [200] * 45
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "429"
    assert error["message"] == "API calls quota exceeded! maximum allowed 45 per 00:01:00"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_1500_calls_an_hour(tmp_path: Path) -> None:
    """The hourly quota, on the limiter with a clock the test moves."""
    engine = make_engine(f"sqlite:///{tmp_path / 'cp.db'}")
    migrate(engine)
    clock = MovableClock(dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=dt.UTC))
    limiter = RateLimiter(session_factory(engine), clock)
    for minute in range(34):  # 45 a minute stays under the minute's quota
        clock.set(dt.datetime(2026, 11, 24, 10, minute, 1, tzinfo=dt.UTC))
        for _ in range(45 if minute < 33 else 15):
            limiter.check("advancedqueries", "t", "a", Surface.DEFENDER)
    with pytest.raises(ApiError) as refused:
        limiter.check("advancedqueries", "t", "a", Surface.DEFENDER)
    assert refused.value.status == 429
    assert refused.value.message == "API calls quota exceeded! maximum allowed 1500 per 01:00:00"
