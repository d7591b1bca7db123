"""Incidents and alerts through both surfaces, on a tenant whose incidents the test wrote itself
(so every expectation below is computed from known rows, not read back from the server)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import GRAPH, ApiApp, MakeApp, error_of
from tests.conftest import Live
from xdrlab.identity import tenants
from xdrlab.store.models import Alert, Incident

STATUSES = ["Active", "InProgress", "Resolved"]
ANALYSTS = ["alice@fabrikam.example", "bob@fabrikam.example", None]
BASE = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
_domains = itertools.count(1)


@dataclass
class Known:
    app: ApiApp
    ids: list[int]
    rows: dict[int, dict[str, Any]]


def _alert(tenant_id: str, number: int, created: dt.datetime, serial: int = 1) -> Alert:
    return Alert(
        id=f"da{number:018d}_{serial}",
        tenant_id=tenant_id,
        title=f"Suspicious PowerShell {number}",
        category="Execution",
        severity="High" if number % 2 else "Low",
        status="New",
        service_source="MicrosoftDefenderForEndpoint",
        detection_source="EDR",
        mitre_techniques=["T1059.001"],
        devices=[{"mdatpDeviceId": "a" * 40, "deviceDnsName": "ws-1.fabrikam.example"}],
        entities=[
            {"entityType": "Process", "processCommandLine": "powershell -enc SQBFAFgA"},
            {"entityType": "User", "accountName": "alice", "evidenceRole": "Impacted"},
        ],
        created_at=created,
        last_update_at=created,
        first_activity_at=created,
        last_activity_at=created,
    )


@pytest.fixture
def known(live: Live, make_app: MakeApp) -> Known:
    domain = f"fabrikam{next(_domains)}.onmicrosoft.com"
    with live.state.sessions.begin() as session:
        tenant = tenants.create_tenant(session, live.state.clock, "Fabrikam", domain)
        rows: dict[int, dict[str, Any]] = {}
        for n in range(23):
            created = BASE + dt.timedelta(hours=n)
            incident = Incident(
                tenant_id=tenant.id,
                display_name=f"Incident {n}",
                severity="Medium",
                status=STATUSES[n % 3],
                assigned_to=ANALYSTS[n % 3],
                created_at=created,
                last_update_at=created + dt.timedelta(minutes=30),
            )
            incident.alerts = [_alert(tenant.id, n, created)]
            if n % 4 == 1:  # some incidents have a second alert
                incident.alerts.append(_alert(tenant.id, n, created, serial=2))
            session.add(incident)
            session.flush()
            rows[incident.id] = {
                "status": incident.status,
                "assignedTo": incident.assigned_to,
                "created": created,
                "alerts": sorted(a.id for a in incident.alerts),
            }
    app = make_app(
        defender=["Incident.ReadWrite.All"],
        graph=["SecurityIncident.ReadWrite.All", "SecurityAlert.Read.All"],
        tenant_domain=domain,
    )
    return Known(app, sorted(rows), rows)


def _walk(app: ApiApp, first: str, resource: str | None = None) -> tuple[list[int], int]:
    token = app.token(resource or "https://api.security.microsoft.com")
    seen: list[int] = []
    pages = 0
    url: str | None = first
    with app.live.client() as client:
        while url:
            response = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            body = response.json()
            key = "incidentId" if "incidentId" in str(body["value"][:1]) else "id"
            seen.extend(int(item[key]) for item in body["value"])
            url = body.get("@odata.nextLink")
            pages += 1
    return seen, pages


def test_paging_walks_every_incident_exactly_once(known: Known) -> None:
    seen, pages = _walk(known.app, "/api/incidents?$top=5")
    assert sorted(seen) == known.ids
    assert len(seen) == len(set(seen))
    assert pages == 5  # 5+5+5+5+3
    created = [known.rows[i]["created"] for i in seen]
    assert created == sorted(created, reverse=True)  # most recent first


def test_graph_paging_walks_every_incident_exactly_once(known: Known) -> None:
    seen, pages = _walk(known.app, "/v1.0/security/incidents?$top=4", GRAPH)
    assert sorted(seen) == known.ids and len(seen) == len(set(seen))
    assert pages == 6


@pytest.mark.parametrize(
    ("filter_", "expect"),
    [
        ("status eq 'Active'", lambda r: r["status"] == "Active"),
        (
            "status eq 'Resolved' and assignedTo eq 'bob@fabrikam.example'",
            lambda r: r["status"] == "Resolved" and r["assignedTo"] == "bob@fabrikam.example",
        ),
        (
            "createdTime gt 2026-11-01T12:00:00Z",
            lambda r: r["created"] > dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC),
        ),
        (
            "lastUpdateTime ge 2026-11-01T20:30:00.0000000Z",
            lambda r: (
                r["created"] + dt.timedelta(minutes=30)
                >= dt.datetime(2026, 11, 1, 20, 30, tzinfo=dt.UTC)
            ),
        ),
        ("assignedTo eq null", lambda r: r["assignedTo"] is None),
    ],
)
def test_filters_return_exactly_the_matching_incidents(
    known: Known, filter_: str, expect: Any
) -> None:
    response = known.app.call("GET", "/api/incidents", params={"$filter": filter_, "$top": "100"})
    assert response.status_code == 200, response.text
    got = sorted(item["incidentId"] for item in response.json()["value"])
    assert got == [i for i in known.ids if expect(known.rows[i])]


def test_hello_world_filter_with_plus_signs_and_seven_digit_fraction(known: Known) -> None:
    # The PowerShell sample builds the URL by hand: '+' for spaces, ToString("o") datetimes.
    response = known.app.call(
        "GET", "/api/incidents?$filter=lastUpdateTime+ge+2026-11-01T20:30:00.1234567Z"
    )
    assert response.status_code == 200, response.text
    expected = [
        i
        for i in known.ids
        if known.rows[i]["created"] + dt.timedelta(minutes=30)
        >= dt.datetime(2026, 11, 1, 20, 30, 0, 123456, tzinfo=dt.UTC)
    ]
    assert sorted(item["incidentId"] for item in response.json()["value"]) == expected


@pytest.mark.parametrize(
    "query",
    [
        "$filter=severity eq 'High'",  # not filterable on this API
        "$filter=status eq Active",  # unquoted enum
        "$filter=createdTime gt 2026-13-01T00:00:00Z",
        "$filter=status eq 'Active' and",
        "$top=101",
        "$top=0",
        "$skip=-1",
    ],
)
def test_bad_odata_is_a_400_in_production_body(known: Known, query: str) -> None:
    response = known.app.call("GET", f"/api/incidents?{query}")
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "ODataError"
    assert error["message"].startswith("Invalid OData URI query")


def test_get_incident_has_nested_alerts_devices_and_all_entity_keys(known: Known) -> None:
    incident_id = known.ids[0]
    response = known.app.call("GET", f"/api/incidents/{incident_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["incidentId"] == incident_id
    assert body["createdTime"].endswith("Z") and len(body["createdTime"]) == 28
    alert = body["alerts"][0]
    assert alert["incidentId"] == incident_id
    assert alert["devices"][0]["mdatpDeviceId"] == "a" * 40
    process, user = alert["entities"]
    assert len(process) == len(user) == 31  # every key, unused ones null
    assert process["processCommandLine"] == "powershell -enc SQBFAFgA"
    assert process["accountName"] is None and user["accountName"] == "alice"


def test_unknown_and_foreign_incidents_are_404(known: Known, live: Live, make_app: MakeApp) -> None:
    assert known.app.call("GET", "/api/incidents/987654321").status_code == 404
    stranger = make_app(defender=["Incident.ReadWrite.All"])  # the demo tenant
    response = stranger.call("GET", f"/api/incidents/{known.ids[0]}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "ResourceNotFound"
    listed = stranger.call("GET", "/api/incidents?$top=100").json()["value"]
    assert known.ids[0] not in {item["incidentId"] for item in listed}
    patched = stranger.call("PATCH", f"/api/incidents/{known.ids[0]}", json={"status": "Resolved"})
    assert patched.status_code == 404
    assert known.app.call("GET", f"/api/incidents/{known.ids[0]}").json()["status"] != "Resolved"


def test_patch_updates_and_appends_a_comment(known: Known) -> None:
    incident_id = known.ids[1]
    body = {
        "status": "Resolved",
        "assignedTo": "secop2@fabrikam.example",
        "classification": "TruePositive",
        "determination": "Malware",
        "tags": ["Yossi's playground", "Don't mess with the Zohan"],
        "comment": "pen testing",
    }
    response = known.app.call("PATCH", f"/api/incidents/{incident_id}", json=body)
    assert response.status_code == 200, response.text
    updated = response.json()
    for key in ("status", "assignedTo", "classification", "determination", "tags"):
        assert updated[key] == body[key]
    assert updated["comments"][-1]["comment"] == "pen testing"
    assert updated["comments"][-1]["createdBy"] == known.app.client_id
    again = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    assert again["status"] == "Resolved" and len(again["comments"]) == 1
    assert again["lastUpdateTime"] > known.rows[incident_id]["created"].isoformat()
    unassigned = known.app.call("PATCH", f"/api/incidents/{incident_id}", json={"assignedTo": ""})
    assert unassigned.json()["assignedTo"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"status": "Closed"},
        {"classification": "Maybe"},
        {"classification": "FalsePositive", "determination": "Malware"},
        {"determination": "Phishing"},  # classification is still Unknown
        {"Status": "Resolved"},  # property names are case-sensitive
        {"tags": "not-a-list"},
        {"status": "Resolved", "comment": 5},
        ["status", "Resolved"],
    ],
)
def test_patch_with_an_invalid_value_changes_nothing(known: Known, body: Any) -> None:
    incident_id = known.ids[2]
    before = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    response = known.app.call("PATCH", f"/api/incidents/{incident_id}", json=body)
    assert response.status_code == 400, response.text
    assert error_of(response)["code"] == "InvalidRequestBody"
    after = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    assert after == before


def test_graph_incident_shape_expand_and_patch(known: Known) -> None:
    incident_id = known.ids[3]
    response = known.app.call(
        "GET", f"/v1.0/security/incidents/{incident_id}", params={"$expand": "alerts"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == str(incident_id)
    assert (
        body["status"]
        == known.rows[incident_id]["status"][0].lower() + known.rows[incident_id]["status"][1:]
    )
    assert body["incidentWebUrl"].endswith(f"/incidents/{incident_id}?tid={known.app.tenant_id}")
    evidence = body["alerts"][0]["evidence"]
    kinds = [e["@odata.type"] for e in evidence]
    assert kinds == [
        "#microsoft.graph.security.deviceEvidence",
        "#microsoft.graph.security.processEvidence",
        "#microsoft.graph.security.userEvidence",
    ]
    patched = known.app.call(
        "PATCH",
        f"/v1.0/security/incidents/{incident_id}",
        json={
            "status": "resolved",
            "classification": "truePositive",
            "determination": "compromisedUser",
            "customTags": ["Demo"],
        },
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["determination"] == "compromisedUser"
    defender_view = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    assert defender_view["determination"] == "CompromisedAccount"
    assert defender_view["tags"] == ["Demo"] and defender_view["status"] == "Resolved"
    bad = known.app.call(
        "PATCH", f"/v1.0/security/incidents/{incident_id}", json={"status": "closed"}
    )
    assert bad.status_code == 400
    assert "innerError" in error_of(bad)


def test_graph_comment_is_added_and_listed(known: Known) -> None:
    incident_id = known.ids[4]
    path = f"/v1.0/security/incidents/{incident_id}/comments"
    body = {"@odata.type": "microsoft.graph.security.alertComment", "comment": "Triaged via Graph"}
    added = known.app.call("POST", path, json=body, resource="https://graph.microsoft.com")
    assert added.status_code == 200, added.text
    answer = added.json()
    assert answer["@odata.context"].endswith(f"#security/incidents('{incident_id}')/comments")
    assert [c["comment"] for c in answer["value"]] == ["Triaged via Graph"]
    assert answer["value"][0]["createdByDisplayName"] == known.app.client_id
    assert answer["value"][0]["createdDateTime"].endswith("Z")
    second = known.app.call(
        "POST", path, json={"comment": "second"}, resource="https://graph.microsoft.com"
    )
    assert [c["comment"] for c in second.json()["value"]] == ["Triaged via Graph", "second"]
    shown = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    assert [c["comment"] for c in shown["comments"]] == ["Triaged via Graph", "second"]

    for bad in ({"comment": ""}, {"comment": 5}, {"text": "x"}, ["comment"]):
        refused = known.app.call("POST", path, json=bad, resource="https://graph.microsoft.com")
        assert refused.status_code == 400, (bad, refused.text)
        assert "innerError" in error_of(refused)
    after = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    assert len(after["comments"]) == 2
    missing = known.app.call(
        "POST",
        "/v1.0/security/incidents/99999999/comments",
        json={"comment": "x"},
        resource="https://graph.microsoft.com",
    )
    assert missing.status_code == 404


def test_graph_filters_and_alerts_v2(known: Known) -> None:
    response = known.app.call(
        "GET",
        "/v1.0/security/incidents",
        params={"$filter": "status eq 'inProgress'", "$top": "50"},
    )
    assert response.status_code == 200, response.text
    got = sorted(int(i["id"]) for i in response.json()["value"])
    assert got == [i for i in known.ids if known.rows[i]["status"] == "InProgress"]
    alerts = known.app.call(
        "GET", "/v1.0/security/alerts_v2", params={"$filter": "severity eq 'high'", "$top": "100"}
    )
    assert alerts.status_code == 200, alerts.text
    values = alerts.json()["value"]
    assert values and all(a["severity"] == "high" for a in values)
    assert {a["incidentId"] for a in values} <= {str(i) for i in known.ids}
    one = known.app.call("GET", f"/v1.0/security/alerts_v2/{values[0]['id']}")
    assert one.status_code == 200 and one.json()["id"] == values[0]["id"]
    assert known.app.call("GET", "/v1.0/security/incidents?$top=51").status_code == 400


def _pages(app: ApiApp, first: str, resource: str) -> list[dict[str, Any]]:
    """Every page of a list, following `@odata.nextLink` from `first`."""
    token = app.token(resource)
    pages: list[dict[str, Any]] = []
    url: str | None = first
    with app.live.client() as client:
        while url is not None:
            response = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (url, response.text)
            pages.append(response.json())
            url = pages[-1].get("@odata.nextLink")
            assert len(pages) <= 50, "the walk does not end"
    return pages


def _query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_graph_expand_alerts_walk_gives_every_incident_once_with_its_alerts(
    known: Known,
) -> None:
    pages = _pages(known.app, "/v1.0/security/incidents?$expand=alerts&$top=4", GRAPH)
    assert len(pages) == 6  # 4 * 5 + 3
    for page in pages[:-1]:  # every next link keeps $expand (and $top) and moves $skip on
        query = _query_of(page["@odata.nextLink"])
        assert query["$expand"] == ["alerts"] and query["$top"] == ["4"]
    skips = [int(_query_of(p["@odata.nextLink"])["$skip"][0]) for p in pages[:-1]]
    assert skips == [4, 8, 12, 16, 20]
    items = [item for page in pages for item in page["value"]]
    seen = [int(item["id"]) for item in items]
    assert sorted(seen) == known.ids and len(seen) == len(set(seen))
    for item in items:
        listed = sorted(alert["id"] for alert in item["alerts"])
        assert listed == known.rows[int(item["id"])]["alerts"]
        assert {alert["incidentId"] for alert in item["alerts"]} == {item["id"]}
    # The list says the same as each incident read on its own.
    for item in items[:6]:
        one = known.app.call(
            "GET", f"/v1.0/security/incidents/{item['id']}", params={"$expand": "alerts"}
        )
        assert one.status_code == 200, one.text
        assert [a["id"] for a in one.json()["alerts"]] == [a["id"] for a in item["alerts"]]
        assert one.json()["alerts"] == item["alerts"]


def test_graph_list_without_expand_has_no_alerts(known: Known) -> None:
    pages = _pages(known.app, "/v1.0/security/incidents?$top=10", GRAPH)
    items = [item for page in pages for item in page["value"]]
    assert len(items) == len(known.ids)
    assert all("alerts" not in item for item in items)
    for page in pages[:-1]:
        assert "$expand" not in _query_of(page["@odata.nextLink"])
    one = known.app.call("GET", f"/v1.0/security/incidents/{known.ids[0]}")
    assert one.status_code == 200 and "alerts" not in one.json()


@pytest.mark.parametrize("expand", ["foo", "alerts,foo", "comments"])
def test_graph_unsupported_expand_is_a_400_in_graph_body(known: Known, expand: str) -> None:
    for path in ("/v1.0/security/incidents", f"/v1.0/security/incidents/{known.ids[0]}"):
        response = known.app.call("GET", path, params={"$expand": expand})
        assert response.status_code == 400, response.text
        error = error_of(response)
        assert error["code"] == "BadRequest"
        assert expand in error["message"]
        assert set(error) == {"code", "message", "innerError"}
        assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def test_odata_context_of_each_answer(known: Known) -> None:
    base = known.app.live.base_url
    incident_id = known.ids[0]
    answers = {
        "/api/incidents": f"{base}/api/$metadata#Incidents",
        f"/api/incidents/{incident_id}": f"{base}/api/$metadata#Incidents/$entity",
        "/v1.0/security/incidents": f"{base}/v1.0/$metadata#security/incidents",
        "/v1.0/security/incidents?$expand=alerts": (
            f"{base}/v1.0/$metadata#security/incidents(alerts())"
        ),
        f"/v1.0/security/incidents/{incident_id}": (
            f"{base}/v1.0/$metadata#security/incidents/$entity"
        ),
        f"/v1.0/security/incidents/{incident_id}?$expand=alerts": (
            f"{base}/v1.0/$metadata#security/incidents(alerts())/$entity"
        ),
        "/v1.0/security/alerts_v2": f"{base}/v1.0/$metadata#security/alerts_v2",
        "/beta/security/incidents": f"{base}/beta/$metadata#security/incidents",
    }
    for path, context in answers.items():
        response = known.app.call("GET", path)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["@odata.context"] == context, path
    alert_id = known.rows[incident_id]["alerts"][0]
    one = known.app.call("GET", f"/v1.0/security/alerts_v2/{alert_id}")
    assert one.json()["@odata.context"] == f"{base}/v1.0/$metadata#security/alerts_v2/$entity"
    patched = known.app.call(
        "PATCH", f"/v1.0/security/incidents/{incident_id}", json={"customTags": ["ctx"]}
    )
    assert patched.json()["@odata.context"] == f"{base}/v1.0/$metadata#security/incidents/$entity"


@pytest.mark.parametrize(
    ("first", "resource", "status"),
    [
        ("/api/incidents?$filter=status eq 'Active'&$top=2", None, "Active"),
        ("/v1.0/security/incidents?$filter=status eq 'active'&$top=2", GRAPH, "active"),
    ],
    ids=["defender", "graph"],
)
def test_filtered_walk_sees_each_match_once_and_keeps_the_filter(
    known: Known, first: str, resource: str | None, status: str
) -> None:
    pages = _pages(known.app, first, resource or "https://api.security.microsoft.com")
    expected = [i for i in known.ids if known.rows[i]["status"] == "Active"]
    assert len(expected) == 8  # 23 incidents, every third one Active
    assert len(pages) == 4  # 2 + 2 + 2 + 2, and no next link after the last full page
    for page in pages[:-1]:
        query = _query_of(page["@odata.nextLink"])
        assert query["$filter"] == [first.split("$filter=")[1].split("&")[0]]
        assert query["$top"] == ["2"]
    key = "incidentId" if resource is None else "id"
    items = [item for page in pages for item in page["value"]]
    seen = [int(item[key]) for item in items]
    assert sorted(seen) == expected and len(seen) == len(set(seen))
    assert {item["status"] for item in items} == {status}


@pytest.mark.parametrize(
    "body",
    [
        {"status": "closed"},
        {"status": "active", "classification": "maybe"},
        {"classification": "falsePositive", "determination": "malware"},
        {"determination": "phishing"},  # classification is still unknown
        {"status": "active", "customTags": "not-a-list"},
        {"status": "active", "assignedTo": 5},
        {"status": "active", "tags": ["Defender's name for it"]},
        ["status", "active"],
    ],
)
def test_graph_patch_with_an_invalid_value_changes_nothing(known: Known, body: Any) -> None:
    incident_id = known.ids[5]
    path = f"/v1.0/security/incidents/{incident_id}"
    before = known.app.call("GET", path, params={"$expand": "alerts"}).json()
    response = known.app.call("PATCH", path, json=body)
    assert response.status_code == 400, response.text
    assert set(error_of(response)) == {"code", "message", "innerError"}
    after = known.app.call("GET", path, params={"$expand": "alerts"}).json()
    assert after == before
    assert after["status"] == "resolved"  # Incident 5: STATUSES[5 % 3]
    assert len(after["alerts"]) == 2
    defender = known.app.call("GET", f"/api/incidents/{incident_id}").json()
    assert defender["status"] == "Resolved" and defender["tags"] == []
