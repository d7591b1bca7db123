"""What the API routes need at run time, built once per server process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from xdrlab.api.auth import BearerValidator
from xdrlab.api.errors import Surface
from xdrlab.api.ratelimit import RateLimiter
from xdrlab.clock import Clock
from xdrlab.identity.catalogue import (
    DEFENDER_XDR,
    MICROSOFT_GRAPH,
    WINDOWS_DEFENDER_ATP,
    Resource,
)
from xdrlab.identity.context import IdentityContext
from xdrlab.lake.store import Lake
from xdrlab.settings import Settings


@dataclass
class ApiContext:
    settings: Settings
    clock: Clock
    sessions: sessionmaker[Session]
    lake: Lake
    limiter: RateLimiter
    defender: BearerValidator
    graph: BearerValidator
    endpoint: BearerValidator  # Defender for Endpoint's API (WindowsDefenderATP)

    def validator(self, surface: Surface, resource: Resource | None = None) -> BearerValidator:
        if resource is WINDOWS_DEFENDER_ATP:
            return self.endpoint
        return self.graph if surface is Surface.GRAPH else self.defender


def build_api_context(identity: IdentityContext, lake: Lake) -> ApiContext:
    settings = identity.settings
    return ApiContext(
        settings=settings,
        clock=identity.clock,
        sessions=identity.sessions,
        lake=lake,
        limiter=RateLimiter(
            identity.sessions,
            identity.clock,
            settings.rate_limits,
            enabled=settings.rate_limits_enabled,
        ),
        defender=BearerValidator(identity, DEFENDER_XDR, Surface.DEFENDER),
        graph=BearerValidator(identity, MICROSOFT_GRAPH, Surface.GRAPH),
        endpoint=BearerValidator(
            identity, WINDOWS_DEFENDER_ATP, Surface.DEFENDER, also_authenticates=(DEFENDER_XDR,)
        ),
    )
