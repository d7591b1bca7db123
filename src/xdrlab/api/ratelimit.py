"""Call quotas per tenant and application, counted in the control plane.

Quotas are fixed windows ("45 calls per minute", "1500 per hour"), as production states them.
The counters live in the database, so several server processes share them; each call is one
atomic upsert per window, which both SQLite and PostgreSQL do natively.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from xdrlab.api.errors import ApiError, Surface
from xdrlab.clock import Clock
from xdrlab.store.models import RateLimitCounter


@dataclass(frozen=True)
class Quota:
    calls: int
    seconds: int

    @property
    def period(self) -> str:
        """The window as production prints it: `00:01:00`, `01:00:00`."""
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


# Production's published quotas per operation (Defender API pages; Graph states the same for
# runHuntingQuery). Operators may override them through the `rate_limits` setting.
DEFAULT_QUOTAS: dict[str, tuple[Quota, ...]] = {
    "hunting": (Quota(45, 60),),
    # Defender for Endpoint's advanced queries: "45 calls per minute, and up to 1,500 per hour".
    "advancedqueries": (Quota(45, 60), Quota(1500, 3600)),
    "incidents.list": (Quota(50, 60), Quota(1500, 3600)),
    "incidents.get": (Quota(100, 60), Quota(1500, 3600)),
    "incidents.update": (Quota(50, 60), Quota(1500, 3600)),
    "alerts.list": (Quota(50, 60), Quota(1500, 3600)),
}


def parse_quotas(text: str) -> tuple[Quota, ...]:
    """`"45/60"` or `"50/60,1500/3600"` (calls/seconds, comma separated)."""
    quotas = []
    for part in text.split(","):
        calls, _, seconds = part.strip().partition("/")
        quota = Quota(int(calls), int(seconds))
        if quota.calls < 1 or quota.seconds < 1:
            raise ValueError(f"quota {part!r} must be positive calls/seconds")
        quotas.append(quota)
    return tuple(quotas)


class RateLimiter:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        overrides: Mapping[str, str] | None = None,
        enabled: bool = True,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._enabled = enabled
        self._quotas = dict(DEFAULT_QUOTAS)
        for operation, text in (overrides or {}).items():
            self._quotas[operation] = parse_quotas(text)
        self._last_cleanup = 0.0

    def quotas(self, operation: str) -> Sequence[Quota]:
        return self._quotas.get(operation, ())

    def check(self, operation: str, tenant_id: str, client_id: str, surface: Surface) -> None:
        """Count one call; raise the production 429 if it goes over any quota."""
        if not self._enabled:
            return
        quotas = self.quotas(operation)
        if not quotas:
            return
        now = self._clock.now().timestamp()
        exceeded: tuple[Quota, float] | None = None
        with self._sessions.begin() as session:
            for quota in quotas:
                window_start = int(now // quota.seconds * quota.seconds)
                calls = self._increment(
                    session,
                    tenant_id,
                    client_id,
                    f"{operation}/{quota.seconds}",
                    window_start,
                    window_start + quota.seconds,
                )
                if calls > quota.calls and exceeded is None:
                    exceeded = (quota, window_start + quota.seconds - now)
            self._cleanup(session, now)
        if exceeded is not None:
            quota, wait = exceeded
            message = f"API calls quota exceeded! maximum allowed {quota.calls} per {quota.period}"
            code = "TooManyRequests" if surface is Surface.GRAPH else "429"
            raise ApiError(
                429, code, message, headers={"Retry-After": str(max(1, math.ceil(wait)))}
            )

    @staticmethod
    def _increment(
        session: Session, tenant_id: str, client_id: str, bucket: str, start: int, end: int
    ) -> int:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(RateLimitCounter).values(
            tenant_id=tenant_id,
            client_id=client_id,
            bucket=bucket,
            window_start=start,
            calls=1,
            expires_at=end,
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["tenant_id", "client_id", "bucket", "window_start"],
            set_={"calls": RateLimitCounter.calls + 1},
        ).returning(RateLimitCounter.calls)
        return int(session.execute(upsert).scalar_one())

    def _cleanup(self, session: Session, now: float) -> None:
        # Expired windows are dead weight; sweep them at most once a minute per process.
        if time.monotonic() - self._last_cleanup < 60:
            return
        self._last_cleanup = time.monotonic()
        session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < int(now)))
