"""Quotas on a real server with real tokens: the call after the quota gets production's 429.

Windows are fixed calendar windows, so each burst starts with enough of the minute left.
Configured quotas and the sharing of counters between server instances are checked on two live
servers started on one state folder; the hourly arithmetic is checked on the limiter itself
(further down), with a clock the test moves.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import DEFENDER, GRAPH, ApiApp, MakeApp, daemon_app, error_of
from tests.clocks import MovableClock
from tests.servers import app_tokens, serve
from xdrlab.api.errors import ApiError, Surface
from xdrlab.api.ratelimit import RateLimiter, parse_quotas
from xdrlab.demo.seed import seed_demo
from xdrlab.identity import tenants
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH
from xdrlab.server.state import ServerState
from xdrlab.store.db import make_engine, migrate, session_factory


def _fresh_minute(needed_seconds: float = 20) -> None:
    into = time.time() % 60
    if into > 60 - needed_seconds:
        time.sleep(60 - into + 0.2)


def _burst(app: ApiApp, method: str, path: str, calls: int, body: object = None) -> list[int]:
    token = app.token(GRAPH if path.startswith("/v1.0") else "https://api.security.microsoft.com")
    with app.live.client() as client:
        return [
            client.request(
                method, path, headers={"Authorization": f"Bearer {token}"}, json=body
            ).status_code
            for _ in range(calls)
        ]


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "quota", "ok"),
    [
        (
            "AdvancedHunting.Read.All",
            "POST",
            "/api/advancedhunting/run",
            {"Query": "DeviceInfo | take 1"},
            45,
            200,
        ),
        ("Incident.Read.All", "GET", "/api/incidents?$top=1", None, 50, 200),
        ("Incident.Read.All", "GET", "/api/incidents/987654321", None, 100, 404),
        (
            "Incident.ReadWrite.All",
            "PATCH",
            "/api/incidents/987654321",
            {"status": "Active"},
            50,
            404,
        ),
    ],
    ids=["hunting", "incidents-list", "incidents-get", "incidents-update"],
)
def test_defender_quota_per_minute(
    make_app: MakeApp, role: str, method: str, path: str, body: object, quota: int, ok: int
) -> None:
    app = make_app(defender=[role])
    _fresh_minute()
    statuses = _burst(app, method, path, quota, body)
    assert statuses == [ok] * quota
    token = app.token()
    refused = app.call(method, path, token=token, json=body)
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "429"
    assert error["message"] == f"API calls quota exceeded! maximum allowed {quota} per 00:01:00"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_quota_is_per_application(make_app: MakeApp) -> None:
    first = make_app(defender=["Incident.Read.All"])
    second = make_app(defender=["Incident.Read.All"])
    _fresh_minute()
    assert _burst(first, "GET", "/api/incidents?$top=1", 51)[-1] == 429
    assert _burst(second, "GET", "/api/incidents?$top=1", 1) == [200]


def test_graph_hunting_quota_answers_429_with_retry_after(make_app: MakeApp) -> None:
    app = make_app(graph=["ThreatHunting.Read.All"])
    _fresh_minute()
    statuses = _burst(
        app, "POST", "/v1.0/security/runHuntingQuery", 46, {"Query": "DeviceInfo | take 1"}
    )
    assert statuses[:45] == [200] * 45 and statuses[45] == 429
    refused = app.call(
        "POST", "/v1.0/security/runHuntingQuery", json={"Query": "DeviceInfo | take 1"}
    )
    assert error_of(refused)["code"] == "TooManyRequests"
    assert int(refused.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "quota", "ok"),
    [
        ("SecurityIncident.Read.All", "GET", "/v1.0/security/incidents?$top=1", None, 50, 200),
        ("SecurityIncident.Read.All", "GET", "/v1.0/security/incidents/987654321", None, 100, 404),
        (
            "SecurityIncident.ReadWrite.All",
            "PATCH",
            "/v1.0/security/incidents/987654321",
            {"status": "active"},
            50,
            404,
        ),
        ("SecurityAlert.Read.All", "GET", "/v1.0/security/alerts_v2?$top=1", None, 50, 200),
    ],
    ids=["incidents-list", "incidents-get", "incidents-update", "alerts-list"],
)
def test_graph_quota_per_minute(
    make_app: MakeApp, role: str, method: str, path: str, body: object, quota: int, ok: int
) -> None:
    app = make_app(graph=[role])
    _fresh_minute()
    statuses = _burst(app, method, path, quota, body)
    assert statuses == [ok] * quota
    refused = app.call(method, path, json=body)
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "TooManyRequests"
    assert error["message"] == f"API calls quota exceeded! maximum allowed {quota} per 00:01:00"
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


# Two servers on one state folder, as two processes behind one address would be, with quotas
# configured well below production's.
OVERRIDES = {"hunting": "2/60", "incidents.list": "5/60"}


@dataclass
class Instance:
    client: httpx.Client
    state: ServerState


@dataclass
class Pair:
    first: Instance
    second: Instance
    tenant_id: str

    def app(self, defender: list[str] | None = None, graph: list[str] | None = None) -> str:
        """A new app of the tenant with these roles; its client id and secret as `id:secret`."""
        state = self.first.state
        with state.sessions.begin() as session:
            tenant = tenants.find_tenant(session, self.tenant_id)
            assert tenant is not None
            roles = {DEFENDER_XDR: defender, MICROSOFT_GRAPH: graph}
            client_id, secret = daemon_app(session, state, tenant, "quota test app", roles)
            return f"{client_id}:{secret}"

    def token(self, instance: Instance, app: str, resource: str) -> str:
        client_id, secret = app.split(":", 1)
        return app_tokens(instance.client, self.tenant_id, client_id, secret, [resource])[resource]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    folder = tmp_path_factory.mktemp("shared-quotas")
    # Each instance its own engine on the same database; the first seeds the demo tenant.
    with (
        serve(folder, prepare=seed_demo, rate_limits=OVERRIDES) as first,
        serve(folder, rate_limits=OVERRIDES) as second,
        first.client() as first_client,
        second.client() as second_client,
    ):
        yield Pair(
            Instance(first_client, first.state),
            Instance(second_client, second.state),
            first.prepared.tenant_id,
        )


@pytest.mark.parametrize(
    ("path", "resource", "code"),
    [
        ("/api/advancedhunting/run", DEFENDER, "429"),
        ("/v1.0/security/runHuntingQuery", GRAPH, "TooManyRequests"),
    ],
    ids=["defender", "graph"],
)
def test_configured_quota_refuses_the_third_call(
    pair: Pair, path: str, resource: str, code: str
) -> None:
    app = pair.app(defender=["AdvancedHunting.Read.All"], graph=["ThreatHunting.Read.All"])
    headers = {"Authorization": f"Bearer {pair.token(pair.first, app, resource)}"}
    body = {"Query": "DeviceInfo | take 1"}
    _fresh_minute(10)
    statuses = [pair.first.client.post(path, json=body, headers=headers) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    refused = statuses[2]
    error = error_of(refused)
    assert error["code"] == code
    assert error["message"] == "API calls quota exceeded! maximum allowed 2 per 00:01:00"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_two_servers_on_one_state_folder_share_counters(pair: Pair) -> None:
    app = pair.app(defender=["Incident.Read.All"])
    first = {"Authorization": f"Bearer {pair.token(pair.first, app, DEFENDER)}"}
    second = {"Authorization": f"Bearer {pair.token(pair.second, app, DEFENDER)}"}
    _fresh_minute(10)
    statuses = [
        (pair.first if i % 2 == 0 else pair.second)
        .client.get("/api/incidents?$top=1", headers=first if i % 2 == 0 else second)
        .status_code
        for i in range(5)
    ]
    assert statuses == [200] * 5  # 3 calls to the first server, 2 to the second
    for instance, headers in ((pair.second, second), (pair.first, first)):
        refused = instance.client.get("/api/incidents?$top=1", headers=headers)
        assert refused.status_code == 429
        assert error_of(refused)["message"] == (
            "API calls quota exceeded! maximum allowed 5 per 00:01:00"
        )
        assert int(refused.headers["Retry-After"]) >= 1
    other = pair.app(defender=["Incident.Read.All"])  # counters are per application
    fresh = {"Authorization": f"Bearer {pair.token(pair.second, other, DEFENDER)}"}
    assert pair.second.client.get("/api/incidents?$top=1", headers=fresh).status_code == 200


def _limiter(tmp_path: Path, clock: MovableClock, **overrides: str) -> RateLimiter:
    engine = make_engine(f"sqlite:///{tmp_path / 'cp.db'}")
    migrate(engine)
    return RateLimiter(session_factory(engine), clock, overrides)


def _allowed(limiter: RateLimiter, operation: str, tenant: str = "t", app: str = "a") -> bool:
    try:
        limiter.check(operation, tenant, app, Surface.DEFENDER)
    except ApiError as error:
        assert error.status == 429
        return False
    return True


def test_hourly_quota_of_incident_listing(tmp_path: Path) -> None:
    clock = MovableClock(dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=dt.UTC))
    limiter = _limiter(tmp_path, clock)
    # 50 calls in each of 30 minutes stays under 50/min and reaches exactly 1500/h.
    for minute in range(30):
        clock.set(dt.datetime(2026, 11, 24, 10, minute, 1, tzinfo=dt.UTC))
        assert all(_allowed(limiter, "incidents.list") for _ in range(50))
    clock.set(dt.datetime(2026, 11, 24, 10, 30, 1, tzinfo=dt.UTC))
    with pytest.raises(ApiError) as refused:
        limiter.check("incidents.list", "t", "a", Surface.DEFENDER)
    assert refused.value.message == "API calls quota exceeded! maximum allowed 1500 per 01:00:00"
    assert refused.value.headers["Retry-After"] == str(29 * 60 + 59)
    clock.set(dt.datetime(2026, 11, 24, 11, 0, 0, tzinfo=dt.UTC))
    assert _allowed(limiter, "incidents.list")


def test_processes_sharing_a_database_share_counters(tmp_path: Path) -> None:
    clock = MovableClock(dt.datetime(2026, 11, 24, 10, 0, 5, tzinfo=dt.UTC))
    first = _limiter(tmp_path, clock)
    second = _limiter(tmp_path, clock)  # another engine on the same file, as another worker
    results = [_allowed(first if i % 2 else second, "hunting") for i in range(46)]
    assert results == [True] * 45 + [False]
    assert _allowed(first, "hunting", tenant="other tenant")


def test_overrides_replace_production_quotas(tmp_path: Path) -> None:
    clock = MovableClock(dt.datetime(2026, 11, 24, 10, 0, 5, tzinfo=dt.UTC))
    limiter = _limiter(tmp_path, clock, hunting="2/10")
    assert [_allowed(limiter, "hunting") for _ in range(3)] == [True, True, False]
    assert parse_quotas("50/60, 1500/3600")[1].period == "01:00:00"
    with pytest.raises(ValueError):
        parse_quotas("0/60")


def test_quotas_are_configurable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from xdrlab.settings import Settings

    monkeypatch.setenv("XDRLAB_RATE_LIMITS", '{"hunting": "10/60", "incidents.get": "5/1"}')
    monkeypatch.setenv("XDRLAB_RATE_LIMITS_ENABLED", "false")
    settings = Settings()
    assert settings.rate_limits == {"hunting": "10/60", "incidents.get": "5/1"}
    assert settings.rate_limits_enabled is False
    explicit = Settings(rate_limits={"hunting": "20/60"}, rate_limits_enabled=True)
    assert explicit.rate_limits["hunting"] == "20/60"  # explicit arguments win
    assert explicit.rate_limits_enabled is True
