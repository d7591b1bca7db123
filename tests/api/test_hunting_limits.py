"""The advanced hunting limits (rows, time, 30 days of data) on a real server with real tokens,
through both `POST /api/advancedhunting/run` and Graph's `POST /v1.0/security/runHuntingQuery`.

The server is started with a small row limit and a short timeout so each limit is reached in a
second; the 30-day window is production's own. Rows are written to the lake with known
timestamps relative to now, so what each query may return is known before it runs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.conftest import DEFENDER, GRAPH
from tests.servers import app_tokens, serve
from xdrlab.demo.seed import DemoCredentials, seed_demo
from xdrlab.lake.ingest import ingest_rows
from xdrlab.server.state import ServerState

ROW_LIMIT = 7
TIMEOUT_SECONDS = 1.5
DEFENDER_PATH = "/api/advancedhunting/run"
GRAPH_PATH = "/v1.0/security/runHuntingQuery"
RESOURCES = {"defender": DEFENDER, "graph": GRAPH}
TIMEOUT_MESSAGE = "Query exceeded the timeout period."  # production's text

# 100,000 rows joined with themselves twice on a constant key: 10^15 rows to count, which
# would take days.
SLOW = """let T = datatable(s:int) [1]
    | extend n = range(1, 100000)
    | mv-expand n limit 1000000
    | project k = 1;
T
| join kind=inner (T) on k
| join kind=inner (T) on k
| summarize count()"""


@dataclass
class Limited:
    client: httpx.Client
    tokens: dict[str, str]  # "defender" / "graph" -> bearer token
    now: dt.datetime
    old: dt.datetime  # the timestamp of the row 31 days back
    recent: dt.datetime  # the timestamp of the row 1 day back

    def run(self, surface: str, query: str, timespan: str | None = None) -> httpx.Response:
        body: dict[str, Any] = {"Query": query}
        if timespan is not None:
            body["Timespan"] = timespan
        path = DEFENDER_PATH if surface == "defender" else GRAPH_PATH
        headers = {"Authorization": f"Bearer {self.tokens[surface]}"}
        return self.client.post(path, json=body, headers=headers)


def rows_of(surface: str, response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    rows = response.json()["Results" if surface == "defender" else "results"]
    assert isinstance(rows, list)
    return rows


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    old, recent = now - dt.timedelta(days=31), now - dt.timedelta(days=1)

    def prepare(state: ServerState) -> DemoCredentials:
        demo = seed_demo(state)
        report = ingest_rows(
            state.lake,
            demo.tenant_id,
            "DeviceProcessEvents",
            [
                {"Timestamp": old, "DeviceName": "old-host", "ProcessId": 31},
                {"Timestamp": recent, "DeviceName": "recent-host", "ProcessId": 1},
            ],
        )
        assert report.committed and report.rows_written == 2
        return demo

    with (
        serve(
            tmp_path_factory.mktemp("hunting-limits"),
            prepare=prepare,
            rate_limits_enabled=False,
            hunting_row_limit=ROW_LIMIT,
            hunting_timeout_seconds=TIMEOUT_SECONDS,
            hunting_lookback_days=30,
        ) as running,
        running.client(timeout=60) as client,
    ):
        demo = running.prepared
        tokens = app_tokens(
            client, demo.tenant_id, demo.client_id, demo.client_secret, RESOURCES.values()
        )
        by_surface = {surface: tokens[resource] for surface, resource in RESOURCES.items()}
        yield Limited(client, by_surface, now, old, recent)


SURFACES = ["defender", "graph"]


@pytest.mark.parametrize("surface", SURFACES)
def test_row_limit_keeps_the_first_rows(limited: Limited, surface: str) -> None:
    numbers = ", ".join(str(x) for x in range(20, 0, -1))
    query = f"datatable(x:int) [{numbers}] | order by x asc"
    response = limited.run(surface, query)
    assert rows_of(surface, response) == [{"x": x} for x in range(1, ROW_LIMIT + 1)]
    if surface == "defender":  # the Defender API says so in Stats; Graph has no Stats
        (statistics,) = response.json()["Stats"]["dataset_statistics"]
        assert statistics["dataset_truncation"] is True
        assert statistics["table_row_count"] == ROW_LIMIT
    else:
        assert set(response.json()) == {"@odata.context", "schema", "results"}


@pytest.mark.parametrize("surface", SURFACES)
def test_a_result_at_the_limit_is_whole(limited: Limited, surface: str) -> None:
    numbers = ", ".join(str(x) for x in range(1, ROW_LIMIT + 1))
    response = limited.run(surface, f"datatable(x:int) [{numbers}]")
    assert sorted(r["x"] for r in rows_of(surface, response)) == list(range(1, ROW_LIMIT + 1))
    if surface == "defender":
        (statistics,) = response.json()["Stats"]["dataset_statistics"]
        assert statistics["dataset_truncation"] is False


@pytest.mark.parametrize("surface", SURFACES)
def test_a_slow_query_times_out_and_the_server_carries_on(limited: Limited, surface: str) -> None:
    started = time.monotonic()
    response = limited.run(surface, SLOW)
    elapsed = time.monotonic() - started
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == "BadRequest"
    assert error["message"] == TIMEOUT_MESSAGE
    if surface == "defender":
        assert set(error) == {"code", "message", "target"}
    else:
        assert set(error) == {"code", "message", "innerError"}
    assert TIMEOUT_SECONDS <= elapsed < TIMEOUT_SECONDS + 10  # stopped at its deadline
    # The next query is answered at once, with its rows.
    after = limited.run(surface, "DeviceProcessEvents | project DeviceName")
    assert rows_of(surface, after) == [{"DeviceName": "recent-host"}]


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(
    "query",
    [
        "DeviceProcessEvents | project DeviceName, ProcessId",
        "DeviceProcessEvents | where Timestamp > ago(60d) | project DeviceName, ProcessId",
        "DeviceProcessEvents | where DeviceName == 'old-host' | project DeviceName, ProcessId",
    ],
    ids=["all", "ago-60d", "by-name"],
)
def test_rows_older_than_30_days_are_not_returned(
    limited: Limited, surface: str, query: str
) -> None:
    rows = rows_of(surface, limited.run(surface, query))
    expected = [] if "old-host" in query else [{"DeviceName": "recent-host", "ProcessId": 1}]
    assert rows == expected


def test_the_recent_row_comes_back_with_its_timestamp(limited: Limited) -> None:
    query = "DeviceProcessEvents | project Timestamp, DeviceName"
    for surface in SURFACES:
        (row,) = rows_of(surface, limited.run(surface, query))
        assert row["DeviceName"] == "recent-host"
        seen = dt.datetime.fromisoformat(row["Timestamp"].replace("Z", "+00:00"))
        assert seen == limited.recent


def _instant(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("timespan", "names"),
    [
        ("P60D", ["recent-host"]),  # longer than allowed: clamped to the last 30 days
        ("P365D", ["recent-host"]),
        ("P2D", ["recent-host"]),
        ("PT12H", []),  # narrower than the recent row's age
        ("old-window", []),  # wholly before the 30 days: empty, not an error
        ("old-to-now", ["recent-host"]),  # reaches back past 30 days: clamped
    ],
)
def test_graph_timespan_is_clamped_to_30_days(
    limited: Limited, timespan: str, names: list[str]
) -> None:
    old = limited.old
    if timespan == "old-window":
        timespan = (
            f"{_instant(old - dt.timedelta(hours=1))}/{_instant(old + dt.timedelta(hours=1))}"
        )
    elif timespan == "old-to-now":
        timespan = f"{_instant(old - dt.timedelta(hours=1))}/{_instant(limited.now)}"
    response = limited.run("graph", "DeviceProcessEvents | project DeviceName", timespan)
    assert [row["DeviceName"] for row in rows_of("graph", response)] == names


def test_graph_timespan_that_is_not_iso_8601_is_refused(limited: Limited) -> None:
    response = limited.run("graph", "DeviceProcessEvents | count", "P30 days")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest"
    assert error["message"].startswith("Invalid Timespan 'P30 days'")
    assert "innerError" in error
