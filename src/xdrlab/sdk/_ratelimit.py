"""A client-side limiter that keeps a caller under the published call quotas, so a busy script
waits a little before a call instead of tripping a 429 and waiting out a whole window.

Production counts fixed windows ("45 calls per 00:01:00") per tenant and application. A sliding
window with the same numbers is at least as strict as any fixed window, so staying inside it
never trips the server; a small margin covers calls that arrive later than they were sent.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    """`calls` per `seconds`."""

    calls: int
    seconds: float

    def __post_init__(self) -> None:
        if self.calls < 1 or self.seconds <= 0:
            raise ValueError(f"a quota needs positive calls and seconds, not {self}")


# The published quotas (Defender API pages: advanced hunting 45/min and 1500/h, incident list and
# update 50/min, get 100/min, each 1500/h; Graph states the same for runHuntingQuery).
PUBLISHED_QUOTAS: dict[str, tuple[Quota, ...]] = {
    "hunting": (Quota(45, 60), Quota(1500, 3600)),
    "incidents.list": (Quota(50, 60), Quota(1500, 3600)),
    "incidents.get": (Quota(100, 60), Quota(1500, 3600)),
    "incidents.update": (Quota(50, 60), Quota(1500, 3600)),
    "alerts.list": (Quota(50, 60), Quota(1500, 3600)),
    "alerts.get": (Quota(100, 60), Quota(1500, 3600)),
}


def parse_quotas(text: str) -> tuple[Quota, ...]:
    """`"45/60"` or `"50/60,1500/3600"` — calls/seconds, as xdrlab's `rate_limits` setting."""
    quotas = []
    for part in text.split(","):
        calls, _, seconds = part.strip().partition("/")
        quotas.append(Quota(int(calls), float(seconds)))
    return tuple(quotas)


QuotaSpec = str | Quota | Iterable[Quota]


def _quotas(spec: QuotaSpec) -> tuple[Quota, ...]:
    if isinstance(spec, str):
        return parse_quotas(spec)
    if isinstance(spec, Quota):
        return (spec,)
    return tuple(spec)


class RateLimiter:
    """Sliding windows per (surface, operation). `reserve` books the next call and says how long
    to wait before sending it; `block` honours a server's `Retry-After` for later calls too.
    Thread-safe; share one instance between clients that use the same app and tenant."""

    def __init__(
        self,
        quotas: Mapping[str, QuotaSpec] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        margin: float = 0.25,
    ) -> None:
        self._quotas: dict[str, tuple[Quota, ...]] = dict(PUBLISHED_QUOTAS)
        for operation, spec in (quotas or {}).items():
            self._quotas[operation] = _quotas(spec)
        self._clock = clock
        self._margin = margin
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._blocked: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def quotas(self, operation: str) -> Sequence[Quota]:
        return self._quotas.get(operation, ())

    def reserve(self, surface: str, operation: str) -> float:
        """Book one call; the seconds to wait before making it (0 when it may go now)."""
        key = (surface, operation)
        quotas = self.quotas(operation)
        with self._lock:
            now = self._clock()
            calls = self._calls.setdefault(key, deque())
            longest = max((q.seconds for q in quotas), default=0.0) + self._margin
            while calls and calls[0] <= now - longest:
                calls.popleft()
            at = max(now, self._blocked.get(key, now), calls[-1] if calls else now)
            for quota in quotas:
                if len(calls) >= quota.calls:
                    at = max(at, calls[-quota.calls] + quota.seconds + self._margin)
            calls.append(at)
            return at - now

    def block(self, surface: str, operation: str, seconds: float) -> None:
        """No call of this operation before `seconds` from now (a server's `Retry-After`)."""
        key = (surface, operation)
        with self._lock:
            until = self._clock() + seconds
            self._blocked[key] = max(until, self._blocked.get(key, until))


class NoRateLimit(RateLimiter):
    """Never waits (the server's 429 and `Retry-After` are still honoured)."""

    def reserve(self, surface: str, operation: str) -> float:
        with self._lock:
            now = self._clock()
            return max(0.0, self._blocked.get((surface, operation), now) - now)
