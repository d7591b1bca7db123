"""Helpers for API tests: apps with exactly the permissions a test needs, and their tokens.

Quotas count per tenant and application, so each test that makes many calls uses its own app.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from tests.conftest import Live
from tests.servers import app_tokens
from xdrlab.identity import apps, consent, tenants
from xdrlab.identity.catalogue import (
    DEFENDER_XDR,
    MICROSOFT_GRAPH,
    WINDOWS_DEFENDER_ATP,
    Resource,
)
from xdrlab.server.state import ServerState
from xdrlab.store.models import Tenant

DEFENDER = "https://api.security.microsoft.com"
GRAPH = "https://graph.microsoft.com"
ENDPOINT = "https://api.securitycenter.microsoft.com"  # Defender for Endpoint
_numbers = itertools.count(1)


@dataclass
class ApiApp:
    live: Live
    tenant_id: str
    client_id: str
    client_secret: str

    def token(self, resource: str = DEFENDER) -> str:
        with self.live.client() as client:
            tokens = app_tokens(
                client, self.tenant_id, self.client_id, self.client_secret, [resource]
            )
        return tokens[resource]

    def call(
        self,
        method: str,
        path: str,
        *,
        resource: str | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        if token is None:
            token = self.token(resource or _resource_of(path))
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        with self.live.client() as client:
            return client.request(method, path, headers=headers, **kwargs)


def _resource_of(path: str) -> str:
    if path.startswith(("/v1.0", "/beta")):
        return GRAPH
    return ENDPOINT if path.startswith("/api/advancedqueries") else DEFENDER


MakeApp = Callable[..., ApiApp]


def daemon_app(
    session: Session,
    state: ServerState,
    tenant: Tenant,
    name: str,
    roles: Mapping[Resource, list[str] | None],
) -> tuple[str, str]:
    """A confidential app registered in `tenant` with a client secret, its service principal
    there and `roles` (resource: application permissions; None or [] grants none) granted by
    admin consent; its client id and secret."""
    app = apps.create_app(session, state.clock, tenant, name)
    secret = apps.add_secret(session, state.clock, state.secret_hash_key, app).value
    consent.ensure_service_principal(session, state.clock, tenant, app)
    for resource, granted in roles.items():
        if granted:
            consent.grant_app_roles(session, state.clock, tenant, app, resource, granted)
    return app.app_id, secret


@pytest.fixture
def make_app(live: Live) -> MakeApp:
    """`make_app(defender=[...], graph=[...], endpoint=[...], tenant_domain=None)` → a new daemon
    app (`endpoint`: Defender for Endpoint's roles)."""

    def make(
        defender: list[str] | None = None,
        graph: list[str] | None = None,
        tenant_domain: str | None = None,
        endpoint: list[str] | None = None,
    ) -> ApiApp:
        state = live.state
        number = next(_numbers)
        with state.sessions.begin() as session:
            tenant = tenants.find_tenant(session, tenant_domain or live.demo.tenant_domain)
            if tenant is None:
                assert tenant_domain is not None
                tenant = tenants.create_tenant(
                    session, state.clock, tenant_domain.split(".")[0].title(), tenant_domain
                )
            roles = {DEFENDER_XDR: defender, MICROSOFT_GRAPH: graph, WINDOWS_DEFENDER_ATP: endpoint}
            client_id, secret = daemon_app(session, state, tenant, f"api test app {number}", roles)
            return ApiApp(live, tenant.id, client_id, secret)

    return make


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of a Defender or Graph error body."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict)
    return error
