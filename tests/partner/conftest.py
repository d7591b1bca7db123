"""Helpers for partner-context tests: the demo's MSSP app, fresh MSAL clients (no token cache
between requests), API calls with a token, and counting a tenant's lake rows directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import msal
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from tests.api.conftest import make_app
from tests.conftest import Live
from xdrlab.demo.partner import PartnerDemo
from xdrlab.demo.telemetry.frame import table_def
from xdrlab.store.models import Incident

__all__ = ["make_app"]  # the API tests' fixture, for apps with chosen permissions

DEFENDER = "https://api.security.microsoft.com"
DEFAULT_SCOPE = [f"{DEFENDER}/.default"]


@dataclass
class Partner:
    live: Live
    demo: PartnerDemo

    @property
    def customer(self) -> str:
        """The consented customer (Woodgrove)."""
        return self.demo.consented_tenant_id

    @property
    def stranger(self) -> str:
        """The customer that never consented (Tailspin)."""
        return self.demo.unconsented_tenant_id

    def msal_app(self, tenant: str, client_id: str | None = None, secret: str | None = None) -> Any:
        return msal.ConfidentialClientApplication(
            client_id or self.demo.client_id,
            client_credential=secret or self.demo.client_secret,
            authority=f"{self.live.base_url}/{tenant}",
            instance_discovery=False,
        )

    def token_result(self, tenant: str, **kwargs: str) -> dict[str, Any]:
        """One token request through a new MSAL client, so nothing comes from a cache."""
        result = self.msal_app(tenant, **kwargs).acquire_token_for_client(scopes=DEFAULT_SCOPE)
        assert isinstance(result, dict)
        return result

    def token(self, tenant: str, **kwargs: str) -> str:
        result = self.token_result(tenant, **kwargs)
        assert "access_token" in result, result
        token = result["access_token"]
        assert isinstance(token, str)
        return token


def call(live: Live, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    with live.client() as client:
        return client.request(method, path, headers=headers, **kwargs)


def hunt(live: Live, token: str, query: str) -> list[dict[str, Any]]:
    response = call(live, token, "POST", "/api/advancedhunting/run", json={"Query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["Results"]
    assert isinstance(rows, list)
    return rows


def lake_rows(live: Live, tenant_id: str, table: str) -> int:
    """Rows of one table in a tenant's lake, read from its Parquet files (not through KQL)."""
    files = live.state.lake.files(tenant_id, table_def(table))
    return sum(pq.ParquetFile(path).metadata.num_rows for path in files)


def incident_ids(live: Live, tenant_id: str) -> set[int]:
    with live.state.sessions() as session:
        return set(session.scalars(select(Incident.id).where(Incident.tenant_id == tenant_id)))


@pytest.fixture
def partner(live: Live) -> Partner:
    assert live.demo.partner is not None
    return Partner(live, live.demo.partner)
