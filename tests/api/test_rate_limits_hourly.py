"""The hourly quotas, on a real server with real tokens: the server's clock is one the test moves,
so an hour of calls at the per-minute ceiling takes seconds, not an hour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.api.conftest import DEFENDER
from tests.clocks import MovableClock
from tests.servers import app_tokens, serve
from xdrlab.demo.seed import seed_demo

START = dt.datetime.now(dt.UTC).replace(minute=0, second=1, microsecond=0)


@dataclass
class Timed:
    client: httpx.Client
    clock: MovableClock
    token: str


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Timed]:
    clock = MovableClock(START)
    state_dir = tmp_path_factory.mktemp("hourly")
    with serve(state_dir, clock=clock, prepare=seed_demo) as running, running.client() as client:
        demo = running.prepared
        tokens = app_tokens(client, demo.tenant_id, demo.client_id, demo.client_secret, [DEFENDER])
        yield Timed(client, clock, tokens[DEFENDER])


@pytest.mark.parametrize(
    ("method", "path", "body", "per_minute", "ok"),
    [
        ("GET", "/api/incidents?$top=1", None, 50, 200),
        ("GET", "/api/incidents/987654321", None, 100, 404),
        ("PATCH", "/api/incidents/987654321", {"status": "Active"}, 50, 404),
    ],
    ids=["list", "get", "update"],
)
def test_hourly_quota_of_1500_calls(
    timed: Timed, method: str, path: str, body: object, per_minute: int, ok: int
) -> None:
    headers = {"Authorization": f"Bearer {timed.token}"}
    minutes = 1500 // per_minute
    for minute in range(minutes):  # at the per-minute ceiling, never over it
        timed.clock.set(START + dt.timedelta(minutes=minute))
        statuses = {
            timed.client.request(method, path, headers=headers, json=body).status_code
            for _ in range(per_minute)
        }
        assert statuses == {ok}, (minute, statuses)
    timed.clock.set(START + dt.timedelta(minutes=minutes, seconds=30))
    refused = timed.client.request(method, path, headers=headers, json=body)
    assert refused.status_code == 429
    assert refused.json()["error"]["message"] == (
        "API calls quota exceeded! maximum allowed 1500 per 01:00:00"
    )
    # START is one second past the hour, so the window has 3600 - (elapsed + 1) s left.
    assert int(refused.headers["Retry-After"]) == 3600 - (minutes * 60 + 30 + 1)
    timed.clock.set(START + dt.timedelta(hours=1))  # the next hour starts afresh
    again = timed.client.request(method, path, headers=headers, json=body)
    assert again.status_code == ok
