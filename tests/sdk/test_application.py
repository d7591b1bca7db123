"""Application context against the live server: secret and certificate credentials (both
assertion dialects), azure-identity credentials, hunting into pandas and Arrow with the right
types, paging over 320 incidents on both surfaces, get and update."""

from __future__ import annotations

import datetime as dt

import httpx
import pandas as pd
import pyarrow as pa
import pytest
from azure.identity import CertificateCredential as AzureCertificateCredential
from azure.identity import ClientSecretCredential as AzureClientSecretCredential

from tests.conftest import Live
from tests.sdk.conftest import INCIDENTS_IN_BIG_TENANT, BigTenant, Recorder
from xdrlab.sdk import (
    CertificateCredential,
    Classification,
    Client,
    ClientSecretCredential,
    Determination,
    Endpoints,
    IncidentFilter,
    IncidentStatus,
    Severity,
)

TYPED_QUERY = """DeviceProcessEvents
| take 3
| project Timestamp, DeviceName, ProcessId, Half = todouble(ProcessId) / 2,
    Big = ProcessId > 100, Bag = pack("pid", ProcessId), Span = 1h + 30m, Small = toint(7)
| render timechart with (title="Processes, by time")"""


@pytest.mark.parametrize("surface", ["graph", "defender"])
def test_hunting_with_a_client_secret_into_pandas_and_arrow(
    endpoints: Endpoints, secret_credential: ClientSecretCredential, surface: str
) -> None:
    with Client(secret_credential, endpoints=endpoints, surface=surface) as client:
        result = client.hunt(TYPED_QUERY)
    assert [(c.name, c.type) for c in result.columns] == [
        ("Timestamp", "DateTime"),
        ("DeviceName", "String"),
        ("ProcessId", "Int64"),
        ("Half", "Double"),
        ("Big", "Boolean"),
        ("Bag", "Object"),
        ("Span", "TimeSpan"),
        ("Small", "Int32"),
    ]
    assert len(result) == 3
    row = next(iter(result))
    assert row["Timestamp"].tzinfo is dt.UTC
    assert row["Bag"] == {"pid": row["ProcessId"]} and isinstance(row["ProcessId"], int)
    assert row["Half"] == row["ProcessId"] / 2 and row["Big"] is True
    assert row["Span"] == dt.timedelta(hours=1, minutes=30) and row["Small"] == 7
    assert result.render is not None and result.render.visualization == "timechart"
    assert result.render.properties == {"title": "Processes, by time"}

    frame = result.to_pandas()
    assert str(frame["Timestamp"].dtype) == "datetime64[us, UTC]"
    assert isinstance(frame["DeviceName"].dtype, pd.StringDtype)
    assert str(frame["ProcessId"].dtype) == "Int64" and str(frame["Small"].dtype) == "Int32"
    assert frame["Half"].dtype == "float64" and str(frame["Big"].dtype) == "boolean"
    assert frame["Bag"].dtype == object and frame["Bag"][0] == {"pid": int(frame["ProcessId"][0])}
    assert str(frame["Span"].dtype) == "timedelta64[us]"
    assert frame["Timestamp"][0] == pd.Timestamp(row["Timestamp"])

    table = result.to_arrow()
    assert table.schema.field("Timestamp").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("ProcessId").type == pa.int64()
    assert table.schema.field("Small").type == pa.int32()
    assert table.schema.field("Big").type == pa.bool_()
    assert table.schema.field("Span").type == pa.duration("us")
    assert table.schema.field("Bag").metadata == {b"kusto_type": b"Object"}
    assert table.column("Bag")[0].as_py() == f'{{"pid": {row["ProcessId"]}}}'

    polars_frame = result.to_polars()
    assert polars_frame.shape == (3, 8)
    assert str(polars_frame.schema["Timestamp"]) == "Datetime(time_unit='us', time_zone='UTC')"


def test_graph_timespan_narrows_the_data(
    endpoints: Endpoints, secret_credential: ClientSecretCredential
) -> None:
    with Client(secret_credential, endpoints=endpoints) as client:
        everything = client.hunt("DeviceProcessEvents | count")[0]["Count"]
        last_day = client.hunt("DeviceProcessEvents | count", timespan=dt.timedelta(days=1))
        window = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2), dt.datetime.now(dt.UTC))
        two_days = client.hunt("DeviceProcessEvents | count", timespan=window)
    assert 0 < last_day[0]["Count"] <= two_days[0]["Count"] < everything


@pytest.mark.parametrize(
    ("algorithm", "chain"), [("RS256", False), ("PS256", False), ("RS256", True)]
)
def test_certificate_credential(
    live: Live, endpoints: Endpoints, algorithm: str, chain: bool
) -> None:
    credential = CertificateCredential(
        live.tenant_id,
        live.demo.client_id,
        live.demo.certificate_file,
        private_key_path=live.demo.private_key_file,
        algorithm=algorithm,  # type: ignore[arg-type]
        send_certificate_chain=chain,
    )
    with Client(credential, endpoints=endpoints, surface="defender") as client:
        assert client.hunt("DeviceInfo | take 1 | project DeviceId").column_names == ["DeviceId"]


def test_certificate_bundle_and_direct_get_token(live: Live, endpoints: Endpoints) -> None:
    """One PEM holding key and certificate; `get_token` works without a client, as
    azure-identity's protocol asks."""
    credential = CertificateCredential(
        live.tenant_id,
        live.demo.client_id,
        live.demo.bundle_file,
        authority=endpoints.authority,
        verify=live.ca_file,
    )
    token = credential.get_token("https://api.security.microsoft.com/.default")
    assert token.token.count(".") == 2 and token.expires_on > dt.datetime.now().timestamp()
    again = credential.get_token("https://api.security.microsoft.com/.default")
    assert again == token  # cached


def test_azure_identity_credentials_are_accepted(live: Live, endpoints: Endpoints) -> None:
    secret = AzureClientSecretCredential(
        live.tenant_id,
        live.demo.client_id,
        live.demo.client_secret,
        authority=endpoints.authority,
        disable_instance_discovery=True,
    )
    certificate = AzureCertificateCredential(
        live.tenant_id,
        live.demo.client_id,
        str(live.demo.bundle_file),
        authority=endpoints.authority,
        disable_instance_discovery=True,
    )
    for credential in (secret, certificate):
        with Client(credential, endpoints=endpoints) as client:
            assert len(client.hunt("DeviceInfo | take 2")) == 2


@pytest.mark.parametrize(("surface", "page_size"), [("defender", 100), ("graph", 50)])
def test_paging_over_320_incidents(
    big_tenant: BigTenant, endpoints: Endpoints, recorder: Recorder, surface: str, page_size: int
) -> None:
    credential = ClientSecretCredential(
        big_tenant.tenant_id, big_tenant.client_id, big_tenant.client_secret
    )
    http = httpx.Client(verify=endpoints.verify(), event_hooks=recorder.hooks())
    with Client(credential, endpoints=endpoints, surface=surface, http_client=http) as client:
        incidents = client.incidents.list()
        first = next(incidents)
        assert len(recorder.paths("incidents")) == 1  # lazily: one page so far
        rest = list(incidents)
    http.close()
    ids = [first.id, *(i.id for i in rest)]
    assert ids == big_tenant.incident_ids and len(ids) == INCIDENTS_IN_BIG_TENANT
    pages = -(-INCIDENTS_IN_BIG_TENANT // page_size)
    assert len(recorder.paths("incidents")) == pages
    assert all(r.status_code == 200 for r in recorder.responses if "incidents" in r.url.path)
    assert first.created is not None and first.created.tzinfo is dt.UTC


@pytest.mark.parametrize("surface", ["defender", "graph"])
def test_filters_and_limits(big_tenant: BigTenant, endpoints: Endpoints, surface: str) -> None:
    credential = ClientSecretCredential(
        big_tenant.tenant_id, big_tenant.client_id, big_tenant.client_secret
    )
    with Client(credential, endpoints=endpoints, surface=surface) as client:
        active = list(client.incidents.list(IncidentFilter.status == IncidentStatus.ACTIVE))
        assert len(active) == INCIDENTS_IN_BIG_TENANT // 2
        assert {i.status for i in active} == {IncidentStatus.ACTIVE}
        newest = client.incidents.get(big_tenant.incident_ids[0])
        assert newest.created is not None
        since = newest.created - dt.timedelta(minutes=9)
        recent = list(client.incidents.list(IncidentFilter.created >= since, page_size=3))
        assert [i.id for i in recent] == big_tenant.incident_ids[:10]
        assert len(list(client.incidents.list(limit=7, page_size=5))) == 7
        raw = "status eq 'active'" if surface == "graph" else "status eq 'Active'"
        assert len(list(client.incidents.list(raw, limit=3))) == 3


def test_get_and_update_on_both_surfaces(big_tenant: BigTenant, endpoints: Endpoints) -> None:
    credential = ClientSecretCredential(
        big_tenant.tenant_id, big_tenant.client_id, big_tenant.client_secret
    )
    incident_id = big_tenant.incident_ids[5]
    with Client(credential, endpoints=endpoints, surface="defender") as defender:
        updated = defender.incidents.update(
            incident_id,
            status=IncidentStatus.RESOLVED,
            assigned_to="analyst@big.example",
            classification=Classification.TRUE_POSITIVE,
            determination=Determination.COMPROMISED_USER,
            tags=["sdk", "paging"],
            comment="resolved from the SDK",
        )
        assert updated.status is IncidentStatus.RESOLVED
        assert updated.determination is Determination.COMPROMISED_USER
        assert updated.comments[-1].comment == "resolved from the SDK"
        assert updated.alerts and updated.alerts[0].incident_id == incident_id
    with Client(credential, endpoints=endpoints, surface="graph") as graph:
        seen = graph.incidents.get(incident_id)
        assert (seen.status, seen.classification, seen.assigned_to, seen.tags) == (
            IncidentStatus.RESOLVED,
            Classification.TRUE_POSITIVE,
            "analyst@big.example",
            ["sdk", "paging"],
        )
        assert seen.severity in set(Severity) and seen.alerts  # get expands alerts on Graph
        back = graph.incidents.update(
            incident_id,
            status="inProgress",
            assigned_to="",
            tags=[],
            classification="unknown",
            comment="reopened on Graph",  # Graph takes comments through its comments collection
        )
        # As the fixture made it (even-numbered incidents are in progress).
        assert (back.status, back.assigned_to, back.tags) == (IncidentStatus.IN_PROGRESS, None, [])
        assert [c.comment for c in back.comments][-2:] == [
            "resolved from the SDK",
            "reopened on Graph",
        ]


def test_alerts_on_both_surfaces(big_tenant: BigTenant, endpoints: Endpoints) -> None:
    credential = ClientSecretCredential(
        big_tenant.tenant_id, big_tenant.client_id, big_tenant.client_secret
    )
    with Client(credential, endpoints=endpoints, surface="graph") as graph:
        alerts = list(graph.alerts.list(page_size=100, limit=150))
        assert len(alerts) == 150 and all(a.title.startswith("Alert ") for a in alerts)
        assert graph.alerts.get(alerts[0].id).title == alerts[0].title
    with Client(credential, endpoints=endpoints, surface="defender") as defender:
        flat = list(defender.alerts.list(limit=150))
        assert [a.id for a in flat] == [a.id for a in alerts]
