"""Fixtures for the SDK tests: the live server's endpoints as `demo.json` describes them, SDK
credentials for the demo apps, and a tenant of its own holding more incidents than three pages."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import daemon_app, make_app
from tests.conftest import Live
from xdrlab.identity import tenants
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH
from xdrlab.sdk import ClientSecretCredential, Endpoints
from xdrlab.store.models import Alert, Incident

__all__ = ["make_app"]  # the API tests' fixture, for apps with chosen permissions

INCIDENTS_IN_BIG_TENANT = 320


def demo_json_path(live: Live) -> Path:
    return live.state.settings.state_dir / "demo.json"


@pytest.fixture(scope="session")
def endpoints(live: Live) -> Endpoints:
    return Endpoints.from_demo_json(demo_json_path(live))


@pytest.fixture
def secret_credential(live: Live) -> ClientSecretCredential:
    return ClientSecretCredential(live.tenant_id, live.demo.client_id, live.demo.client_secret)


@dataclass
class Recorder:
    """Every request a client sends and every answer it gets, via httpx event hooks."""

    requests: list[httpx.Request] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)

    def hooks(self) -> dict[str, list[object]]:
        return {"request": [self.requests.append], "response": [self.responses.append]}

    def paths(self, contains: str = "") -> list[str]:
        return [r.url.path for r in self.requests if contains in r.url.path]


@dataclass
class BigTenant:
    tenant_id: str
    client_id: str
    client_secret: str
    incident_ids: list[int]  # most recent first


@pytest.fixture(scope="session")
def big_tenant(live: Live) -> BigTenant:
    """A tenant with 320 incidents (one alert each) and an app that may read and triage them
    on both surfaces."""
    state = live.state
    domain = f"big-{uuid.uuid4().hex[:6]}.onmicrosoft.com"
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=5)
    with state.sessions.begin() as session:
        tenant = tenants.create_tenant(session, state.clock, "Big", domain)
        roles = {
            DEFENDER_XDR: ["Incident.ReadWrite.All"],
            MICROSOFT_GRAPH: ["SecurityIncident.ReadWrite.All", "SecurityAlert.Read.All"],
        }
        client_id, secret = daemon_app(session, state, tenant, "sdk paging app", roles)
        rows = []
        for number in range(INCIDENTS_IN_BIG_TENANT):
            created = start + dt.timedelta(minutes=number)
            incident = Incident(
                tenant_id=tenant.id,
                display_name=f"Incident {number}",
                severity=("Low", "Medium", "High")[number % 3],
                status="Active" if number % 2 else "InProgress",
                created_at=created,
                last_update_at=created,
            )
            incident.alerts = [
                Alert(
                    id=f"da{uuid.uuid4().hex}",
                    tenant_id=tenant.id,
                    title=f"Alert {number}",
                    severity=incident.severity,
                    status="New",
                    service_source="MicrosoftDefenderForEndpoint",
                    detection_source="EDR",
                    created_at=created,
                    last_update_at=created,
                    first_activity_at=created,
                    last_activity_at=created,
                )
            ]
            session.add(incident)
            rows.append(incident)
        session.flush()
        ids = [row.id for row in reversed(rows)]
        return BigTenant(tenant.id, client_id, secret, ids)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    yield Recorder()
