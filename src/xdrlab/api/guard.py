"""The per-route guard: authenticate, authorize, count the call — in that order.

Each operation names what it needs once, here, as the permission matrix states it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import Request

from xdrlab.api.auth import READ_ROLES, WRITE_ROLES, Caller, Requirement
from xdrlab.api.context import ApiContext
from xdrlab.api.errors import Surface
from xdrlab.identity.catalogue import Resource

# Declared so the OpenAPI document shows the bearer scheme; validation is ours (auto_error off).
bearer_scheme = HTTPBearer(auto_error=False, description="An access token from the token service.")

DEFENDER_HUNTING = Requirement(("AdvancedHunting.Read.All",), ("AdvancedHunting.Read",), READ_ROLES)
ENDPOINT_HUNTING = Requirement(("AdvancedQuery.Read.All",), ("AdvancedQuery.Read",), READ_ROLES)
DEFENDER_INCIDENTS_READ = Requirement(
    ("Incident.Read.All", "Incident.ReadWrite.All"),
    ("Incident.Read", "Incident.ReadWrite"),
    READ_ROLES,
)
DEFENDER_INCIDENTS_WRITE = Requirement(
    ("Incident.ReadWrite.All",), ("Incident.ReadWrite",), WRITE_ROLES
)
GRAPH_HUNTING = Requirement(("ThreatHunting.Read.All",), ("ThreatHunting.Read.All",), READ_ROLES)
GRAPH_INCIDENTS_READ = Requirement(
    ("SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"),
    ("SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"),
    READ_ROLES,
)
GRAPH_INCIDENTS_WRITE = Requirement(
    ("SecurityIncident.ReadWrite.All",), ("SecurityIncident.ReadWrite.All",), WRITE_ROLES
)
# Production's 403 for alerts_v2 names the incident permissions too, and they do open it:
# "API required roles: SecurityAlert.Read.All,SecurityAlert.ReadWrite.All,
# SecurityIncident.Read.All,SecurityIncident.ReadWrite.All" (the order of the message).
_ALERTS_READ_PERMISSIONS = (
    "SecurityAlert.Read.All",
    "SecurityAlert.ReadWrite.All",
    "SecurityIncident.Read.All",
    "SecurityIncident.ReadWrite.All",
)
GRAPH_ALERTS_READ = Requirement(_ALERTS_READ_PERMISSIONS, _ALERTS_READ_PERMISSIONS, READ_ROLES)


def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.api
    return context


def guard(
    operation: str,
    requirement: Requirement,
    surface: Surface,
    resource: Resource | None = None,
) -> Callable[..., Caller]:
    """`resource` names the API whose tokens the route takes when the surface alone does not
    say it (Defender for Endpoint's routes share the Defender API's paths and error shape)."""

    def dependency(
        request: Request,
        _credentials: HTTPAuthorizationCredentials | None = Security(bearer_scheme),
    ) -> Caller:
        api = api_context(request)
        validator = api.validator(surface, resource)
        caller = validator.authenticate(request.headers.get("authorization"))
        validator.authorize(caller, requirement)
        api.limiter.check(operation, caller.tenant_id, caller.client_id, surface)
        return caller

    return dependency
