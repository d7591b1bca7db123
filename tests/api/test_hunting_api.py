"""Advanced hunting end to end on the demo tenant: MSAL gets the token, the API runs the query.

Expectations come from the other side of the platform: the incidents API says which device and
command line the attack story's alert saw, and hunting must find exactly those rows.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msal
import pytest

from tests.api.conftest import GRAPH, ApiApp, MakeApp, error_of
from tests.conftest import Live

ISO_7 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")


def _msal_token(live: Live, resource: str) -> str:
    app = msal.ConfidentialClientApplication(
        live.demo.client_id,
        client_credential=live.demo.client_secret,
        authority=f"{live.base_url}/{live.demo.tenant_id}",
        instance_discovery=False,  # a private authority: no lookup at login.microsoftonline.com
    )
    result = app.acquire_token_for_client(scopes=[f"{resource}/.default"])
    assert "access_token" in result, result
    token = result["access_token"]
    assert isinstance(token, str)
    return token


def _kql_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid KQL double-quoted literal


@pytest.fixture(scope="module")
def story(live: Live) -> dict[str, Any]:
    """The encoded-PowerShell alert of the multi-stage incident, read through the incidents API."""
    token = _msal_token(live, "https://api.security.microsoft.com")
    with live.client() as client:
        listed = client.get("/api/incidents", headers={"Authorization": f"Bearer {token}"}).json()[
            "value"
        ]
    for incident in listed:
        for alert in incident["alerts"]:
            for entity in alert["entities"]:
                command = entity["processCommandLine"] or ""
                if "-EncodedCommand" in command:
                    return {"incident": incident, "alert": alert, "command": command}
    raise AssertionError("the demo has no encoded PowerShell alert")


@pytest.fixture
def hunter(make_app: MakeApp) -> ApiApp:
    return make_app(defender=["AdvancedHunting.Read.All"], graph=["ThreatHunting.Read.All"])


def test_msal_token_runs_a_hunting_query_that_finds_the_story(live: Live, story: Any) -> None:
    device = story["alert"]["devices"][0]["deviceDnsName"]
    query = (
        "DeviceProcessEvents\n"
        "| where Timestamp > ago(30d)\n"
        f"| where DeviceName == {_kql_string(device)}\n"
        '| where FileName =~ "powershell.exe" and ProcessCommandLine has "-EncodedCommand"\n'
        "| project Timestamp, DeviceName, AccountName, ProcessCommandLine, "
        "InitiatingProcessFileName\n"
        "| order by Timestamp asc"
    )
    token = _msal_token(live, "https://api.security.microsoft.com")
    with live.client() as client:
        response = client.post(
            "/api/advancedhunting/run",
            headers={"Authorization": f"Bearer {token}"},
            json={"Query": query},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["Stats", "Schema", "Results"]
    assert body["Schema"] == [
        {"Name": "Timestamp", "Type": "DateTime"},
        {"Name": "DeviceName", "Type": "String"},
        {"Name": "AccountName", "Type": "String"},
        {"Name": "ProcessCommandLine", "Type": "String"},
        {"Name": "InitiatingProcessFileName", "Type": "String"},
    ]
    rows = body["Results"]
    assert story["command"] in [row["ProcessCommandLine"] for row in rows]
    hit = next(row for row in rows if row["ProcessCommandLine"] == story["command"])
    assert hit["DeviceName"] == device
    assert hit["InitiatingProcessFileName"].lower() == "winword.exe"
    assert ISO_7.match(hit["Timestamp"])
    assert story["alert"]["firstActivity"] <= hit["Timestamp"] <= story["alert"]["lastActivity"]
    assert body["Stats"]["dataset_statistics"][0]["table_row_count"] == len(rows)


def test_graph_run_hunting_query_same_rows_in_graph_shape(live: Live, story: Any) -> None:
    device = story["alert"]["devices"][0]["deviceDnsName"]
    query = (
        f"DeviceProcessEvents | where DeviceName == {_kql_string(device)} "
        '| where ProcessCommandLine has "-EncodedCommand" | project Timestamp, ProcessCommandLine'
    )
    token = _msal_token(live, GRAPH)
    with live.client() as client:
        response = client.post(
            "/v1.0/security/runHuntingQuery",
            headers={"Authorization": f"Bearer {token}"},
            json={"Query": query, "Timespan": "P7D"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith(
        "/v1.0/$metadata#microsoft.graph.security.huntingQueryResults"
    )
    assert body["schema"] == [
        {"name": "Timestamp", "type": "DateTime"},
        {"name": "ProcessCommandLine", "type": "String"},
    ]
    assert story["command"] in [row["ProcessCommandLine"] for row in body["results"]]


def test_alert_tables_agree_with_the_alerts_api(live: Live, hunter: ApiApp) -> None:
    incidents = live_incidents(live)
    alerts = {a["alertId"]: a for i in incidents for a in i["alerts"]}
    response = hunter.call(
        "POST",
        "/api/advancedhunting/run",
        json={"Query": "AlertInfo | project AlertId, Title, Severity, ServiceSource"},
    )
    assert response.status_code == 200, response.text
    rows = response.json()["Results"]
    assert {r["AlertId"] for r in rows} == set(alerts)
    for row in rows:
        assert row["Title"] == alerts[row["AlertId"]]["title"]
        assert row["Severity"] == alerts[row["AlertId"]]["severity"]
    evidence = hunter.call(
        "POST",
        "/api/advancedhunting/run",
        json={"Query": "AlertEvidence | summarize Entities = count() by AlertId"},
    ).json()["Results"]
    assert {row["AlertId"] for row in evidence} == set(alerts)
    for row in evidence:  # one evidence row per entity, and one per device ("Machine")
        alert = alerts[row["AlertId"]]
        assert row["Entities"] == len(alert["entities"]) + len(alert["devices"])


def live_incidents(live: Live) -> list[dict[str, Any]]:
    token = _msal_token(live, "https://api.security.microsoft.com")
    with live.client() as client:
        body = client.get("/api/incidents", headers={"Authorization": f"Bearer {token}"}).json()
    value = body["value"]
    assert isinstance(value, list)
    return value


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("DeviceProcessEvents | where", "line"),
        ("DeviceProcessEventz | take 1", "DeviceProcessEventz"),
        ("DeviceProcessEvents | project NoSuchColumn", "NoSuchColumn"),
        ("DeviceInfo | where DeviceName = 'x'", "line"),
    ],
)
def test_bad_queries_answer_400_with_what_and_where(
    hunter: ApiApp, query: str, needle: str
) -> None:
    response = hunter.call("POST", "/api/advancedhunting/run", json={"Query": query})
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "BadRequest"
    assert needle in error["message"]
    assert "SELECT" not in error["message"].upper().split("'")[0]


@pytest.mark.parametrize(
    "body",
    [{}, {"query": "DeviceInfo"}, {"Query": ""}, {"Query": 5}],
    ids=["empty", "lower-case", "blank", "number"],
)
def test_defender_body_is_checked_case_sensitively(hunter: ApiApp, body: Any) -> None:
    response = hunter.call("POST", "/api/advancedhunting/run", json=body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "InvalidRequestBody"


def test_malformed_json_is_a_400(hunter: ApiApp) -> None:
    response = hunter.call(
        "POST",
        "/api/advancedhunting/run",
        content=b'{"Query": "DeviceInfo',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "InvalidRequestBody"


def test_graph_accepts_lower_case_query_and_rejects_bad_timespan(hunter: ApiApp) -> None:
    ok = hunter.call(
        "POST", "/v1.0/security/runHuntingQuery", json={"query": "DeviceInfo | take 2"}
    )
    assert ok.status_code == 200 and len(ok.json()["results"]) == 2
    bad = hunter.call(
        "POST",
        "/v1.0/security/runHuntingQuery",
        json={"Query": "DeviceInfo | take 2", "Timespan": "last week"},
    )
    assert bad.status_code == 400
    assert "Timespan" in error_of(bad)["message"]


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("externaldata(x:string) [@'https://example.com/x.csv'] | take 1", "externaldata"),
        ("externaldata(x:string) [@'/etc/passwd'] with(format='txt')", "externaldata"),
        ("external_table('passwd') | take 1", "external_table"),
        ('cluster("other").database("db").DeviceInfo | take 1', "cluster"),
        ('database("db").DeviceInfo | take 1', "database"),
        ("['../../../etc/passwd'] | take 1", "../../../etc/passwd"),
        ("['/etc/passwd']", "/etc/passwd"),
        ("table('x;y') | take 1", "table"),
        ("table('DeviceInfo; select 1') | take 1", "table"),
    ],
)
def test_queries_cannot_reach_files_or_other_data(hunter: ApiApp, query: str, needle: str) -> None:
    for path in ("/api/advancedhunting/run", "/v1.0/security/runHuntingQuery"):
        response = hunter.call("POST", path, json={"Query": query})
        assert response.status_code == 400, (path, response.text)
        error = error_of(response)
        assert error["code"] == "BadRequest"
        assert needle in error["message"]
        extra = "target" if path.startswith("/api") else "innerError"
        assert set(error) == {"code", "message", extra}
        state_dir = str(hunter.live.state.settings.state_dir)
        assert state_dir not in response.text and ".parquet" not in response.text
        assert "root:" not in response.text  # no /etc/passwd content


INJECTION = "x'); SELECT * FROM read_csv('/etc/passwd'); --"


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("strcat('/etc/', 'passwd')", "/etc/passwd"),
        ("'../../../etc/passwd'", "../../../etc/passwd"),
        (_kql_string(INJECTION), INJECTION),
        ("@'C:\\Windows\\System32\\config\\SAM'", "C:\\Windows\\System32\\config\\SAM"),
    ],
    ids=["strcat", "relative", "quotes", "verbatim"],
)
def test_a_path_in_a_string_is_only_a_string(hunter: ApiApp, expression: str, value: str) -> None:
    query = f"DeviceInfo | take 2 | project DeviceName, p = {expression}"
    response = hunter.call("POST", "/api/advancedhunting/run", json={"Query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["Results"]
    assert len(rows) == 2
    assert [row["p"] for row in rows] == [value, value]
    assert response.json()["Schema"][1] == {"Name": "p", "Type": "String"}
    # Compared as a value it matches no device; it is never read as anything else.
    filtered = hunter.call(
        "POST",
        "/api/advancedhunting/run",
        json={"Query": f"DeviceInfo | where DeviceName == {expression} | count"},
    )
    assert filtered.status_code == 200, filtered.text
    assert filtered.json()["Results"] == [{"Count": 0}]


def test_another_tenant_sees_none_of_the_demo_rows(live: Live, make_app: MakeApp) -> None:
    outsider = make_app(
        defender=["AdvancedHunting.Read.All"], tenant_domain="outsider.onmicrosoft.com"
    )
    response = outsider.call(
        "POST", "/api/advancedhunting/run", json={"Query": "DeviceProcessEvents | count"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["Results"] == [{"Count": 0}]
    assert live.demo_data.row_counts["DeviceProcessEvents"] > 0
