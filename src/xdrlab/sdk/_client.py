"""`Client` and `AsyncClient`: the same operations (`_operations`) driven by httpx's sync or
async client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from xdrlab.sdk._config import Endpoints
from xdrlab.sdk._credentials._auth import make_auth
from xdrlab.sdk._credentials._base import ssl_context
from xdrlab.sdk._filters import Condition
from xdrlab.sdk._hunting import HuntingResult, Timespan
from xdrlab.sdk._models import (
    Alert,
    Classification,
    Determination,
    Incident,
    IncidentStatus,
    Surface,
)
from xdrlab.sdk._operations import Operations, Paging
from xdrlab.sdk._ratelimit import NoRateLimit, QuotaSpec, RateLimiter
from xdrlab.sdk._runner import AsyncSleepFn, Flow, SleepFn, run_async, run_sync
from xdrlab.sdk._surfaces import Changes, surface_spec
from xdrlab.sdk._transport import DEFAULT_TIMEOUT, USER_AGENT, HttpSettings, Pipeline, RetryPolicy

T = TypeVar("T")
Filter = Condition | str | None
RateLimits = bool | RateLimiter | Mapping[str, QuotaSpec]


def _limiter(rate_limits: RateLimits, clock: Callable[[], float]) -> RateLimiter:
    if isinstance(rate_limits, RateLimiter):
        return rate_limits
    if rate_limits is False:
        return NoRateLimit(clock=clock)
    if rate_limits is True:
        return RateLimiter(clock=clock)
    return RateLimiter(rate_limits, clock=clock)


class _Base:
    def __init__(
        self,
        credential: Any,
        *,
        endpoints: Endpoints | None,
        surface: Surface | str,
        timeout: float | httpx.Timeout,
        retry: RetryPolicy | None,
        rate_limits: RateLimits,
        clock: Callable[[], float],
        user_agent: str,
        is_async: bool,
    ) -> None:
        self.endpoints = endpoints or Endpoints.production()
        self.surface = Surface(surface)
        self.credential = credential
        self.settings = HttpSettings(
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            user_agent=user_agent,
            retry=retry or RetryPolicy(),
        )
        self.rate_limiter = _limiter(rate_limits, clock)
        auth = make_auth(
            credential, self.endpoints.authority, self.settings, is_async=is_async, clock=clock
        )
        self._ops = Operations(
            Pipeline(auth, self.settings, self.rate_limiter),
            surface_spec(self.surface, self.endpoints),
        )


def _changes(
    status: IncidentStatus | str | None,
    assigned_to: str | None,
    classification: Classification | str | None,
    determination: Determination | str | None,
    tags: Sequence[str] | None,
    comment: str | None,
) -> Changes:
    return Changes(
        status,
        assigned_to,
        classification,
        determination,
        None if tags is None else list(tags),
        comment,
    )


class Client(_Base):
    """A synchronous client for the Defender XDR APIs.

    - `credential`: an SDK credential or any azure-identity `TokenCredential`.
    - `endpoints`: where to connect (production by default; `Endpoints.from_demo_json(path)`
      for xdrlab).
    - `surface`: ``"graph"`` (the Graph security API, default) or ``"defender"``.
    - `timeout`: seconds (or an `httpx.Timeout`) per request; hunting allows 200 s.
    - `retry`: retries on 429, 5xx and failed connections (`RetryPolicy`).
    - `rate_limits`: True keeps under the published quotas, False only honours 429s, a mapping
      ``{"hunting": "45/60,1500/3600"}`` sets other quotas, or a shared `RateLimiter`.
    - `clock`, `sleep`: injectable time, for tests.
    """

    def __init__(
        self,
        credential: Any,
        *,
        endpoints: Endpoints | None = None,
        surface: Surface | str = Surface.GRAPH,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimits = True,
        clock: Callable[[], float] = time.time,
        sleep: SleepFn = time.sleep,
        user_agent: str = USER_AGENT,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            credential,
            endpoints=endpoints,
            surface=surface,
            timeout=timeout,
            retry=retry,
            rate_limits=rate_limits,
            clock=clock,
            user_agent=user_agent,
            is_async=False,
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self.http = http_client or httpx.Client(verify=ssl_context(self.endpoints.verify()))
        self.incidents = Incidents(self)
        self.alerts = Alerts(self)

    def _run(self, flow: Flow[T]) -> T:
        return run_sync(flow, self.http, self._sleep)

    def hunt(self, query: str, timespan: Timespan | None = None) -> HuntingResult:
        """Run an advanced hunting query. `timespan` (Graph only): ISO 8601 text (``"P7D"``),
        a `timedelta`, or a (start, end) pair of aware datetimes."""
        return self._run(self._ops.hunt(query, timespan))

    def _iterate(self, paging: Paging[T]) -> Iterator[T]:
        while True:
            items = self._run(self._ops.page(paging))
            if items is None:
                return
            yield from items

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Incidents:
    def __init__(self, client: Client) -> None:
        self._client = client

    def list(
        self,
        filter: Filter = None,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        expand_alerts: bool = False,
    ) -> Iterator[Incident]:
        """Incidents, most recent first, fetched page by page as the iterator advances.
        `filter`: an `IncidentFilter` condition or raw `$filter` text. `limit`: most items."""
        ops = self._client._ops
        return self._client._iterate(ops.incidents(filter, page_size, limit, expand_alerts))

    def get(self, incident_id: int) -> Incident:
        return self._client._run(self._client._ops.get_incident(incident_id))

    def update(
        self,
        incident_id: int,
        *,
        status: IncidentStatus | str | None = None,
        assigned_to: str | None = None,
        classification: Classification | str | None = None,
        determination: Determination | str | None = None,
        tags: Sequence[str] | None = None,
        comment: str | None = None,
    ) -> Incident:
        """Change what is given; `assigned_to=""` unassigns; `tags` replaces the tags;
        `comment` adds a comment. Returns the updated incident."""
        changes = _changes(status, assigned_to, classification, determination, tags, comment)
        return self._client._run(self._client._ops.update_incident(incident_id, changes))


class Alerts:
    def __init__(self, client: Client) -> None:
        self._client = client

    def list(
        self, filter: Filter = None, *, page_size: int | None = None, limit: int | None = None
    ) -> Iterator[Alert]:
        """Alerts (Graph `alerts_v2`; on the Defender API, the alerts of each incident)."""
        return self._client._iterate(self._client._ops.alerts(filter, page_size, limit))

    def get(self, alert_id: str) -> Alert:
        return self._client._run(self._client._ops.get_alert(alert_id))


class AsyncClient(_Base):
    """The asynchronous client: the same arguments and operations as `Client`, awaited; lists
    are async iterators. Takes SDK credentials and azure-identity's sync or async credentials."""

    def __init__(
        self,
        credential: Any,
        *,
        endpoints: Endpoints | None = None,
        surface: Surface | str = Surface.GRAPH,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimits = True,
        clock: Callable[[], float] = time.time,
        sleep: AsyncSleepFn = asyncio.sleep,
        user_agent: str = USER_AGENT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            credential,
            endpoints=endpoints,
            surface=surface,
            timeout=timeout,
            retry=retry,
            rate_limits=rate_limits,
            clock=clock,
            user_agent=user_agent,
            is_async=True,
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self.http = http_client or httpx.AsyncClient(verify=ssl_context(self.endpoints.verify()))
        self.incidents = AsyncIncidents(self)
        self.alerts = AsyncAlerts(self)

    async def _run(self, flow: Flow[T]) -> T:
        return await run_async(flow, self.http, self._sleep)

    async def hunt(self, query: str, timespan: Timespan | None = None) -> HuntingResult:
        return await self._run(self._ops.hunt(query, timespan))

    async def _iterate(self, paging: Paging[T]) -> AsyncIterator[T]:
        while True:
            items = await self._run(self._ops.page(paging))
            if items is None:
                return
            for item in items:
                yield item

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class AsyncIncidents:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def list(
        self,
        filter: Filter = None,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        expand_alerts: bool = False,
    ) -> AsyncIterator[Incident]:
        ops = self._client._ops
        return self._client._iterate(ops.incidents(filter, page_size, limit, expand_alerts))

    async def get(self, incident_id: int) -> Incident:
        return await self._client._run(self._client._ops.get_incident(incident_id))

    async def update(
        self,
        incident_id: int,
        *,
        status: IncidentStatus | str | None = None,
        assigned_to: str | None = None,
        classification: Classification | str | None = None,
        determination: Determination | str | None = None,
        tags: Sequence[str] | None = None,
        comment: str | None = None,
    ) -> Incident:
        changes = _changes(status, assigned_to, classification, determination, tags, comment)
        return await self._client._run(self._client._ops.update_incident(incident_id, changes))


class AsyncAlerts:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def list(
        self, filter: Filter = None, *, page_size: int | None = None, limit: int | None = None
    ) -> AsyncIterator[Alert]:
        return self._client._iterate(self._client._ops.alerts(filter, page_size, limit))

    async def get(self, alert_id: str) -> Alert:
        return await self._client._run(self._client._ops.get_alert(alert_id))
