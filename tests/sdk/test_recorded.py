"""Behaviours xdrlab cannot produce, against recorded production-shaped answers (httpx's
MockTransport standing in for the cloud): a Defender list page without `@odata.nextLink`,
`Retry-After` as an HTTP date on a 503, a next link pointing at another host. Also: the public
names and that the SDK loads no server code."""

from __future__ import annotations

import email.utils
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import xdrlab.sdk as sdk
from xdrlab.sdk import AccessToken, ApiError, Client, Endpoints

API = "https://api.security.microsoft.com"
GRAPH = "https://graph.microsoft.com"


class FixedToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("recorded-token", int(time.time()) + 3600)


def _incident(number: int) -> dict[str, Any]:
    return {
        "incidentId": number,
        "incidentName": f"Recorded {number}",
        "createdTime": "2024-05-01T10:11:12.1234567Z",
        "lastUpdateTime": "2024-05-01T10:11:12.29Z",
        "assignedTo": None,
        "classification": "Unknown",
        "determination": "NotAvailable",
        "status": "Active",
        "severity": "UnSpecified",
        "tags": [],
        "comments": [],
        "alerts": [],
    }


def _client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Client(FixedToken(), endpoints=Endpoints.production(), http_client=http, **kwargs)


def test_defender_pages_without_next_link_are_walked_by_skip() -> None:
    """XSOAR's note: the Defender list may leave out @odata.nextLink; a full page means more."""
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        skip = int(params.get("$skip", 0))
        numbers = range(1000 - skip, max(1000 - skip - 100, 1000 - 250), -1)
        body = {
            "@odata.context": f"{API}/api/$metadata#Incidents",
            "value": [_incident(n) for n in numbers],
        }
        return httpx.Response(200, json=body)

    with _client(handler, surface="defender") as client:
        incidents = list(client.incidents.list())
    assert len(incidents) == 250 and incidents[0].id == 1000 and incidents[-1].id == 751
    assert [p.get("$skip") for p in seen] == [None, "100", "200"]
    assert all(p["$top"] == "100" for p in seen)
    assert incidents[0].severity == "unknown" and incidents[0].determination == "unknown"
    assert incidents[0].created is not None and incidents[0].created.microsecond == 123456


def test_503_with_an_http_date_retry_after_is_retried() -> None:
    answers = iter(
        [
            httpx.Response(
                503,
                headers={"Retry-After": email.utils.formatdate(time.time() + 2, usegmt=True)},
                json={"error": {"code": "ServiceUnavailable", "message": "Try later"}},
            ),
            httpx.Response(
                200,
                json={
                    "schema": [{"name": "n", "type": "Int64"}],
                    "results": [{"n": 1}],
                },
            ),
        ]
    )
    slept: list[float] = []
    with _client(lambda request: next(answers), sleep=slept.append) as client:
        result = client.hunt("print n = 1")
    assert result.rows == [{"n": 1}]
    assert len(slept) == 1 and 0 < slept[0] <= 2


def test_next_link_to_another_host_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "graph.microsoft.com"
        return httpx.Response(
            200,
            json={
                "value": [{"id": "1", "displayName": "One", "status": "active"}],
                "@odata.nextLink": "https://attacker.example/v1.0/security/incidents?$skip=1",
            },
        )

    with _client(handler) as client:
        incidents = client.incidents.list()
        with pytest.raises(ApiError, match="another host"):
            list(incidents)


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(sdk).items()
        if not name.startswith("_") and not isinstance(value, type(sys))
    }
    assert set(sdk.__all__) == public
    assert len(set(sdk.__all__)) == len(sdk.__all__)


def test_the_sdk_loads_no_server_code() -> None:
    code = (
        "import sys, xdrlab.sdk; "
        "print(sorted(m for m in sys.modules if m.startswith('xdrlab.') "
        "and not m.startswith('xdrlab.sdk')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
