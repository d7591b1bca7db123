"""Quotas and token lifetimes against a second live server whose hunting quota is lowered by
configuration (`rate_limits`): the client retries a 429 after the advertised `Retry-After`;
its own limiter, set to the same quota, never trips it; a cached token is renewed before it
expires, by a clock the test moves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

import httpx
import pytest

from tests.sdk.conftest import Recorder
from tests.servers import serve
from xdrlab.demo.seed import seed_demo, write_demo_json
from xdrlab.sdk import (
    AsyncClient,
    Client,
    ClientSecretCredential,
    Endpoints,
    RateLimitError,
    RetryPolicy,
    UsernamePasswordCredential,
)

QUOTA, WINDOW = 3, 4  # hunting calls per seconds on this server


@dataclass
class Limited:
    endpoints: Endpoints
    tenant_id: str
    client_id: str
    client_secret: str
    public_client_id: str
    user: tuple[str, str]

    def credential(self, **kwargs: object) -> ClientSecretCredential:
        return ClientSecretCredential(
            self.tenant_id,
            self.client_id,
            self.client_secret,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    state_dir = tmp_path_factory.mktemp("limited")
    quota = {"hunting": f"{QUOTA}/{WINDOW}"}
    with serve(state_dir, prepare=seed_demo, rate_limits=quota) as running:
        assert running.ca_file is not None
        demo = running.prepared
        write_demo_json(state_dir, demo.document(running.base_url, running.ca_file))
        user = next(u for u in demo.users if "Security Reader" in u["roles"])
        yield Limited(
            Endpoints.from_demo_json(state_dir / "demo.json"),
            demo.tenant_id,
            demo.client_id,
            demo.client_secret,
            demo.public_client_id,
            (user["upn"], user["password"]),
        )


def _fresh_window() -> None:
    """Start a burst at the beginning of the server's fixed window."""
    into = time.time() % WINDOW
    time.sleep(WINDOW - into + 0.05)


def test_429_is_retried_after_the_advertised_delay(limited: Limited, recorder: Recorder) -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    http = httpx.Client(verify=limited.endpoints.verify(), event_hooks=recorder.hooks())
    with Client(
        limited.credential(),
        endpoints=limited.endpoints,
        rate_limits=False,  # only the server's 429s pace this client
        sleep=sleep,
        http_client=http,
    ) as client:
        _fresh_window()
        results = [client.hunt("DeviceInfo | count") for _ in range(QUOTA + 1)]
    http.close()
    assert [len(r) for r in results] == [1] * (QUOTA + 1)
    hunts = [r for r in recorder.responses if r.url.path.endswith("/advancedhunting/run")]
    hunts += [r for r in recorder.responses if r.url.path.endswith("/runHuntingQuery")]
    assert [r.status_code for r in hunts] == [200] * QUOTA + [429, 200]
    advertised = int(hunts[QUOTA].headers["Retry-After"])
    assert 1 <= advertised <= WINDOW
    hunts[QUOTA].read()
    assert hunts[QUOTA].json()["error"]["code"] == "TooManyRequests"
    assert slept == [advertised]


def test_retries_exhausted_raise_rate_limit_error(limited: Limited) -> None:
    with Client(
        limited.credential(),
        endpoints=limited.endpoints,
        rate_limits=False,
        retry=RetryPolicy(max_retries=0),
    ) as client:
        _fresh_window()
        for _ in range(QUOTA):
            client.hunt("DeviceInfo | count")
        with pytest.raises(RateLimitError) as caught:
            client.hunt("DeviceInfo | count")
    error = caught.value
    assert error.status == 429 and error.code == "TooManyRequests" and error.request_id
    assert error.retry_after is not None and 1 <= error.retry_after <= WINDOW
    assert error.message == f"API calls quota exceeded! maximum allowed {QUOTA} per 00:00:04"


def test_client_side_limiter_stays_under_the_quota(limited: Limited, recorder: Recorder) -> None:
    http = httpx.Client(verify=limited.endpoints.verify(), event_hooks=recorder.hooks())
    started = time.monotonic()
    with Client(
        limited.credential(),
        endpoints=limited.endpoints,
        surface="defender",
        rate_limits={"hunting": f"{QUOTA}/{WINDOW}"},
        http_client=http,
    ) as client:
        _fresh_window()
        started = time.monotonic()
        for _ in range(2 * QUOTA + 1):
            client.hunt("DeviceInfo | count")
    elapsed = time.monotonic() - started
    http.close()
    statuses = [r.status_code for r in recorder.responses if "advancedhunting" in r.url.path]
    assert statuses == [200] * (2 * QUOTA + 1)  # never a 429
    assert elapsed >= 2 * WINDOW  # the 4th and 7th calls waited for the window to slide


def test_async_client_retries_429_too(limited: Limited) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds)

    async def burst() -> list[int]:
        async with AsyncClient(
            limited.credential(), endpoints=limited.endpoints, rate_limits=False, sleep=sleep
        ) as client:
            _fresh_window()
            return [len(await client.hunt("DeviceInfo | count")) for _ in range(QUOTA + 1)]

    assert asyncio.run(burst()) == [1] * (QUOTA + 1)
    assert len(slept) == 1 and 1 <= slept[0] <= WINDOW


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def token_requests(recorder: Recorder) -> list[str]:
    return [
        dict(parse_qsl(r.content.decode()))["grant_type"]
        for r in recorder.requests
        if r.url.path.endswith("/oauth2/v2.0/token")
    ]


def test_token_is_renewed_before_it_expires(limited: Limited, recorder: Recorder) -> None:
    clock = Clock()
    credential = limited.credential(clock=clock, refresh_margin=300)
    http = httpx.Client(verify=limited.endpoints.verify(), event_hooks=recorder.hooks())
    with Client(
        credential, endpoints=limited.endpoints, surface="defender", http_client=http, clock=clock
    ) as client:
        list(client.incidents.list(limit=1))
        first = credential.get_token("https://api.security.microsoft.com/.default")
        assert token_requests(recorder) == ["client_credentials"]
        clock.offset = 3599 - 301  # 301 s before expiry: still used
        list(client.incidents.list(limit=1))
        assert token_requests(recorder) == ["client_credentials"]
        clock.offset = 3599 - 299  # inside the margin, not yet expired: renewed
        list(client.incidents.list(limit=1))
        assert token_requests(recorder) == ["client_credentials"] * 2
        second = credential.get_token("https://api.security.microsoft.com/.default")
    http.close()
    assert second.token != first.token and second.expires_on > first.expires_on


def test_user_token_is_renewed_with_the_refresh_token(limited: Limited, recorder: Recorder) -> None:
    clock = Clock()
    upn, password = limited.user
    credential = UsernamePasswordCredential(
        limited.tenant_id, limited.public_client_id, upn, password, clock=clock
    )
    http = httpx.Client(verify=limited.endpoints.verify(), event_hooks=recorder.hooks())
    with Client(
        credential, endpoints=limited.endpoints, surface="defender", http_client=http, clock=clock
    ) as client:
        list(client.incidents.list(limit=1))
        clock.offset = 3400  # within five minutes of the hour's end
        list(client.incidents.list(limit=1))
    http.close()
    assert token_requests(recorder) == ["password", "refresh_token"]
