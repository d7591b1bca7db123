"""The request pipeline, written once for both clients: bearer token, client-side pacing,
retries on 429 and 5xx honouring `Retry-After`, timeouts, and errors mapped to the exception
tree. Every function here is a flow (see `_runner`): it yields requests and sleeps."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from xdrlab.sdk._errors import TransportError, api_error, retry_after_seconds
from xdrlab.sdk._ratelimit import RateLimiter
from xdrlab.sdk._runner import Flow, Sleep

USER_AGENT = "xdrlab-sdk/0.1"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Advanced hunting may run for three minutes on the service before it gives up.
HUNTING_TIMEOUT = httpx.Timeout(200.0, connect=10.0)

# Failures that happen before the server could act on the request, so sending it again is safe.
_RETRYABLE_TRANSPORT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class RetryPolicy:
    """`max_retries` further attempts after a 429, a 5xx in `statuses` or a failed connection.
    Waits follow `Retry-After` when the server sends one, else exponential backoff from
    `backoff` seconds up to `max_backoff`. An advised wait longer than `max_retry_after` is not
    sat out: the error is raised at once (a `RateLimitError` with `retry_after`)."""

    max_retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    statuses: frozenset[int] = frozenset({500, 502, 503, 504})

    def delay(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.backoff * 2**attempt))


@dataclass(frozen=True)
class HttpSettings:
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    user_agent: str = USER_AGENT
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Request:
        request = httpx.Request(
            method,
            url,
            params=params,
            json=json,
            data=data,
            headers={
                "Accept": "application/json",
                "User-Agent": self.user_agent,
                "client-request-id": str(uuid.uuid4()),
                **(headers or {}),
            },
        )
        # Requests built outside a client carry no timeout unless told; httpx reads this.
        request.extensions["timeout"] = (timeout or self.timeout).as_dict()
        return request


def send(
    settings: HttpSettings,
    build: Callable[[], httpx.Request],
    *,
    pace: Callable[[], float] | None = None,
    on_throttle: Callable[[float], None] | None = None,
) -> Flow[httpx.Response]:
    """Send what `build` makes until it gets an answer worth returning; the last answer is
    returned whatever its status. `pace` says how long to wait before each attempt (the rate
    limiter); `on_throttle` hears of each 429's advised wait."""
    policy = settings.retry
    attempt = 0
    while True:
        if pace is not None:
            wait = pace()
            if wait > 0.001:
                yield Sleep(wait)
        request = build()
        try:
            response: httpx.Response = yield request
        except httpx.TransportError as failure:
            if attempt >= policy.max_retries or not isinstance(failure, _RETRYABLE_TRANSPORT):
                raise TransportError(
                    f"{request.method} {request.url.copy_with(query=None)} failed: "
                    f"{type(failure).__name__}: {failure}",
                    request_id=request.headers.get("client-request-id"),
                ) from failure
            yield Sleep(policy.delay(attempt))
            attempt += 1
            continue
        status = response.status_code
        if status != 429 and status not in policy.statuses:
            return response
        advised = retry_after_seconds(response)
        if attempt >= policy.max_retries or (
            advised is not None and advised > policy.max_retry_after
        ):
            return response
        wait = advised if advised is not None else policy.delay(attempt)
        if status == 429 and on_throttle is not None:
            on_throttle(wait)
        yield Sleep(wait)
        attempt += 1


class Auth(Protocol):
    """What the pipeline needs from a credential: a bearer token for a scope, as a flow."""

    def token(self, scope: str) -> Flow[str]: ...

    def invalidate(self, scope: str, token: str) -> None: ...


@dataclass
class Pipeline:
    auth: Auth
    settings: HttpSettings
    limiter: RateLimiter

    def call(
        self,
        surface: str,
        operation: str,
        scope: str,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: httpx.Timeout | None = None,
        hunting: bool = False,
    ) -> Flow[Any]:
        """One API call; returns the decoded JSON body or raises the mapped `ApiError`."""
        renewed = False
        while True:
            token = yield from self.auth.token(scope)
            headers = {"Authorization": f"Bearer {token}"}
            response = yield from send(
                self.settings,
                functools.partial(
                    self.settings.request,
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=headers,
                    timeout=timeout,
                ),
                pace=lambda: self.limiter.reserve(surface, operation),
                on_throttle=lambda seconds: self.limiter.block(surface, operation, seconds),
            )
            if response.status_code == 401 and not renewed:
                # A token revoked or signed with a rotated key: one fresh token, one more try.
                self.auth.invalidate(scope, token)
                renewed = True
                continue
            if response.is_success:
                return response.json() if response.content else None
            raise api_error(response, hunting=hunting)
