"""Delegated tokens from the user grants at the API: the app's scopes and the user's directory
roles both have to allow an operation."""

from __future__ import annotations

from tests.identity.user.conftest import DEFENDER, PASSWORD, UserLab, claims


def _token(lab: UserLab, upn: str) -> str:
    response = lab.token(
        {
            "grant_type": "password",
            "client_id": lab.public_client_id,
            "username": upn,
            "password": PASSWORD,
            "scope": f"{DEFENDER}/.default",
        }
    )
    assert response.status_code == 200, response.text
    token = str(response.json()["access_token"])
    assert "Incident.ReadWrite" in claims(token)["scp"].split()
    return token


def test_security_reader_cannot_update_incidents_but_an_operator_can(lab: UserLab) -> None:
    reader = _token(lab, lab.reader)
    operator = _token(lab, lab.operator)
    listed = lab.api("GET", "/api/incidents", reader)
    assert listed.status_code == 200, listed.text
    incident = listed.json()["value"][0]
    incident_id, assigned = incident["incidentId"], incident["assignedTo"]

    refused = lab.api("PATCH", f"/api/incidents/{incident_id}", reader, json={"tags": ["x"]})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "Forbidden"
    assert "Security Operator" in refused.json()["error"]["message"]

    updated = lab.api(
        "PATCH", f"/api/incidents/{incident_id}", operator, json={"assignedTo": lab.operator}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["assignedTo"] == lab.operator
    restored = lab.api(
        "PATCH", f"/api/incidents/{incident_id}", operator, json={"assignedTo": assigned or ""}
    )
    assert restored.status_code == 200, restored.text


def test_graph_token_without_the_write_scope_cannot_update(lab: UserLab) -> None:
    """An operator may update incidents, but not with a token whose scopes only read."""
    graph = lab.token(
        {
            "grant_type": "password",
            "client_id": lab.public_client_id,
            "username": lab.operator,
            "password": PASSWORD,
            "scope": "https://graph.microsoft.com/SecurityIncident.Read.All",
        }
    )
    assert graph.status_code == 200, graph.text
    headers = {"Authorization": f"Bearer {graph.json()['access_token']}"}
    with lab.live.client() as client:
        listed = client.get("/v1.0/security/incidents", headers=headers)
        assert listed.status_code == 200, listed.text
        incident = listed.json()["value"][0]["id"]
        refused = client.patch(
            f"/v1.0/security/incidents/{incident}", headers=headers, json={"status": "active"}
        )
    assert refused.status_code == 403, refused.text
