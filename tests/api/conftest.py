"""Helpers for API tests: apps with exactly the permissions a test needs, and their tokens.

Quotas count per tenant and application, so each test that makes many calls uses its own app.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import Live
from xdrlab.identity import apps, consent, tenants
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH, WINDOWS_DEFENDER_ATP

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
        response = self.live.post_token(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": f"{resource}/.default",
            },
            tenant=self.tenant_id,
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert isinstance(token, str)
        return token

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
            app = apps.create_app(session, state.clock, tenant, f"api test app {number}")
            secret = apps.add_secret(session, state.clock, state.secret_hash_key, app).value
            consent.ensure_service_principal(session, state.clock, tenant, app)
            for resource, roles in (
                (DEFENDER_XDR, defender),
                (MICROSOFT_GRAPH, graph),
                (WINDOWS_DEFENDER_ATP, endpoint),
            ):
                if roles:
                    consent.grant_app_roles(session, state.clock, tenant, app, resource, roles)
            return ApiApp(live, tenant.id, app.app_id, secret)

    return make


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of a Defender or Graph error body."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict)
    return error
