"""Partner context against the live server: the demo MSSP app finds which customers consented
(Woodgrove did, Tailspin did not, a made-up tenant does not exist) and reads only the
consented customer's incidents and hunting data."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.conftest import Live
from tests.partner.conftest import incident_ids
from xdrlab.sdk import (
    AsyncClient,
    AuthenticationError,
    Client,
    Endpoints,
    PartnerApp,
    PartnerCredential,
)


def test_consented_tenants_probes_each_candidate(live: Live, endpoints: Endpoints) -> None:
    partner = live.demo.partner
    assert partner is not None
    nowhere = str(uuid.uuid4())
    skipped: dict[str, tuple[int, ...]] = {}
    app = PartnerApp(partner.client_id, client_secret=partner.client_secret, endpoints=endpoints)
    found = list(
        app.consented_tenants(
            [partner.unconsented_tenant_id, partner.consented_tenant_id, nowhere],
            on_skip=lambda tenant, error: skipped.update({tenant: error.error_codes}),
        )
    )
    assert [c.tenant_id for c in found] == [partner.consented_tenant_id]
    assert skipped == {partner.unconsented_tenant_id: (700016,), nowhere: (90002,)}
    assert "Incident.Read.All" in found[0].roles

    woodgrove = found[0].credential
    assert isinstance(woodgrove, PartnerCredential)
    with Client(woodgrove, endpoints=endpoints, surface="defender") as client:
        seen = {i.id for i in client.incidents.list()}
        devices = client.hunt("DeviceInfo | distinct DeviceName")
    assert seen == incident_ids(live, partner.consented_tenant_id) and seen
    assert seen.isdisjoint(incident_ids(live, live.tenant_id))
    assert all(r["DeviceName"] for r in devices)


def test_a_wrong_secret_is_raised_not_skipped(live: Live, endpoints: Endpoints) -> None:
    partner = live.demo.partner
    assert partner is not None
    app = PartnerApp(partner.client_id, client_secret="not-the-secret", endpoints=endpoints)
    with pytest.raises(AuthenticationError) as caught:
        list(app.consented_tenants(partner.customer_tenant_ids))
    assert caught.value.error_codes == (7000215,)


def test_partner_credential_for_a_tenant_that_never_consented(
    live: Live, endpoints: Endpoints
) -> None:
    partner = live.demo.partner
    assert partner is not None
    credential = PartnerCredential(
        partner.unconsented_tenant_id, partner.client_id, client_secret=partner.client_secret
    )
    with (
        Client(credential, endpoints=endpoints) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    assert caught.value.code == "unauthorized_client" and caught.value.error_codes == (700016,)


def test_async_probe_and_client(live: Live, endpoints: Endpoints) -> None:
    partner = live.demo.partner
    assert partner is not None
    app = PartnerApp(partner.client_id, client_secret=partner.client_secret, endpoints=endpoints)

    async def scan() -> dict[str, int]:
        counts: dict[str, int] = {}
        async for customer in app.aconsented_tenants(partner.customer_tenant_ids):
            async with AsyncClient(
                customer.credential, endpoints=endpoints, surface="defender"
            ) as client:
                counts[customer.tenant_id] = len([i async for i in client.incidents.list()])
        return counts

    counts = asyncio.run(scan())
    assert counts == {
        partner.consented_tenant_id: len(incident_ids(live, partner.consented_tenant_id))
    }
