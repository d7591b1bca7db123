"""The permission matrix, exercised with real tokens on a real server.

Each operation is called by apps holding one permission each. An allowed call gets past the
guard (the unknown incident id then answers 404); a refused one gets the 403 naming the roles.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import MakeApp, error_of

MISSING = 987654321  # no such incident: an authorized call answers 404

DEFENDER_OPERATIONS = {
    "hunt": ("POST", "/api/advancedhunting/run", {"Query": "DeviceInfo | take 1"}, 200),
    "list": ("GET", "/api/incidents", None, 200),
    "get": ("GET", f"/api/incidents/{MISSING}", None, 404),
    "update": ("PATCH", f"/api/incidents/{MISSING}", {"status": "Active"}, 404),
}
DEFENDER_ALLOWED = {
    "AdvancedHunting.Read.All": {"hunt"},
    "Incident.Read.All": {"list", "get"},
    "Incident.ReadWrite.All": {"list", "get", "update"},
}
DEFENDER_REQUIRED = {
    "hunt": "AdvancedHunting.Read.All",
    "list": "Incident.Read.All,Incident.ReadWrite.All",
    "get": "Incident.Read.All,Incident.ReadWrite.All",
    "update": "Incident.ReadWrite.All",
}

GRAPH_OPERATIONS = {
    "hunt": ("POST", "/v1.0/security/runHuntingQuery", {"Query": "DeviceInfo | take 1"}, 200),
    "list": ("GET", "/v1.0/security/incidents", None, 200),
    "get": ("GET", f"/v1.0/security/incidents/{MISSING}", None, 404),
    "update": ("PATCH", f"/v1.0/security/incidents/{MISSING}", {"status": "active"}, 404),
    "alerts": ("GET", "/v1.0/security/alerts_v2", None, 200),
}
GRAPH_ALLOWED = {
    "ThreatHunting.Read.All": {"hunt"},
    "SecurityIncident.Read.All": {"list", "get"},
    "SecurityIncident.ReadWrite.All": {"list", "get", "update"},
    "SecurityAlert.Read.All": {"alerts"},
    "SecurityAlert.ReadWrite.All": {"alerts"},
}


@pytest.mark.parametrize("role", sorted(DEFENDER_ALLOWED))
def test_defender_permission_matrix(make_app: MakeApp, role: str) -> None:
    app = make_app(defender=[role])
    token = app.token()
    for operation, (method, path, body, success) in DEFENDER_OPERATIONS.items():
        response = app.call(method, path, token=token, json=body)
        if operation in DEFENDER_ALLOWED[role]:
            assert response.status_code == success, (role, operation, response.text)
        else:
            assert response.status_code == 403, (role, operation, response.text)
            assert error_of(response)["message"] == (
                f"Missing application roles. API required roles: "
                f"{DEFENDER_REQUIRED[operation]}, application roles: {role}."
            )


@pytest.mark.parametrize("role", sorted(GRAPH_ALLOWED))
def test_graph_permission_matrix(make_app: MakeApp, role: str) -> None:
    app = make_app(graph=[role])
    token = app.token("https://graph.microsoft.com")
    for operation, (method, path, body, success) in GRAPH_OPERATIONS.items():
        response = app.call(method, path, token=token, json=body)
        if operation in GRAPH_ALLOWED[role]:
            assert response.status_code == success, (role, operation, response.text)
        else:
            assert response.status_code == 403, (role, operation, response.text)
            error = error_of(response)
            assert error["code"] == "Forbidden"
            assert error["message"].startswith("Missing application roles. API required roles: ")
            assert error["message"].endswith(f"application roles: {role}.")


def test_defender_roles_do_not_open_graph_and_graph_roles_do_not_open_defender(
    make_app: MakeApp,
) -> None:
    app = make_app(defender=["AdvancedHunting.Read.All"])
    response = app.call(
        "POST",
        "/v1.0/security/runHuntingQuery",
        json={"Query": "DeviceInfo | take 1"},
    )
    assert response.status_code == 403
    assert error_of(response)["message"].endswith("application roles: .")
