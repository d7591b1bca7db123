"""The async client against the live server: the same operations awaited, with an SDK
credential and with azure-identity's async credential (`azure.identity.aio`)."""

from __future__ import annotations

import asyncio

import pytest
from azure.identity.aio import ClientSecretCredential as AioClientSecretCredential

from tests.conftest import Live
from tests.sdk.conftest import INCIDENTS_IN_BIG_TENANT, BigTenant
from xdrlab.sdk import (
    AsyncClient,
    Client,
    ClientSecretCredential,
    Endpoints,
    IncidentFilter,
    IncidentStatus,
    NotFoundError,
    QueryError,
)


def test_async_paging_update_and_errors(big_tenant: BigTenant, endpoints: Endpoints) -> None:
    credential = ClientSecretCredential(
        big_tenant.tenant_id, big_tenant.client_id, big_tenant.client_secret
    )

    async def work() -> None:
        async with AsyncClient(credential, endpoints=endpoints, surface="defender") as client:
            ids = [i.id async for i in client.incidents.list()]
            assert ids == big_tenant.incident_ids and len(ids) == INCIDENTS_IN_BIG_TENANT
            target = ids[10]
            updated = await client.incidents.update(target, status=IncidentStatus.IN_PROGRESS)
            assert updated.status is IncidentStatus.IN_PROGRESS
            assert (await client.incidents.get(target)).status is IncidentStatus.IN_PROGRESS
            with pytest.raises(NotFoundError):
                await client.incidents.get(987654321)
            filtered = client.incidents.list(IncidentFilter.status == IncidentStatus.IN_PROGRESS)
            assert target in {i.id async for i in filtered}
            await client.incidents.update(target, status=IncidentStatus.ACTIVE)

    asyncio.run(work())


def test_async_hunting_with_azure_identity_aio(live: Live, endpoints: Endpoints) -> None:
    async def work() -> tuple[list[str], str]:
        credential = AioClientSecretCredential(
            live.tenant_id,
            live.demo.client_id,
            live.demo.client_secret,
            authority=endpoints.authority,
            disable_instance_discovery=True,
        )
        async with credential, AsyncClient(credential, endpoints=endpoints) as client:
            result = await client.hunt("DeviceInfo | take 3 | project DeviceName, Timestamp")
            with pytest.raises(QueryError) as caught:
                await client.hunt("DeviceInfo | where")
            return [r["DeviceName"] for r in result], str(caught.value.code)

    names, code = asyncio.run(work())
    assert len(names) == 3 and all(names) and code == "BadRequest"


def test_an_async_credential_needs_the_async_client(live: Live, endpoints: Endpoints) -> None:
    credential = AioClientSecretCredential(
        live.tenant_id, live.demo.client_id, live.demo.client_secret
    )
    with pytest.raises(TypeError, match="AsyncClient"):
        Client(credential, endpoints=endpoints)
    asyncio.run(credential.close())
