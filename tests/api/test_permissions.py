"""The permission matrix, exercised with real tokens on a real server.

Each operation is called by apps holding one permission each. An allowed call gets past the
guard (the unknown incident or alert id then answers 404); a refused one gets the 403 naming the
roles, word for word as production writes it: the required roles comma-separated without
spaces, then the token's own roles the same way.
"""

from __future__ import annotations

import jwt
import pytest

from tests.api.conftest import GRAPH, MakeApp, error_of

MISSING = 987654321  # no such incident: an authorized call answers 404
MISSING_ALERT = "da637000000000000000_-1234567890"  # no such alert

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

COMMENT = {"@odata.type": "microsoft.graph.security.alertComment", "comment": "Triaged"}
GRAPH_OPERATIONS = {
    "hunt": ("POST", "/v1.0/security/runHuntingQuery", {"Query": "DeviceInfo | take 1"}, 200),
    "list": ("GET", "/v1.0/security/incidents", None, 200),
    "get": ("GET", f"/v1.0/security/incidents/{MISSING}", None, 404),
    "update": ("PATCH", f"/v1.0/security/incidents/{MISSING}", {"status": "active"}, 404),
    "comment": ("POST", f"/v1.0/security/incidents/{MISSING}/comments", COMMENT, 404),
    "alerts": ("GET", "/v1.0/security/alerts_v2", None, 200),
    "alert": ("GET", f"/v1.0/security/alerts_v2/{MISSING_ALERT}", None, 404),
}
GRAPH_ALLOWED = {
    "ThreatHunting.Read.All": {"hunt"},
    # Production accepts the incident permissions for reading alerts too.
    "SecurityIncident.Read.All": {"list", "get", "alerts", "alert"},
    "SecurityIncident.ReadWrite.All": {"list", "get", "update", "comment", "alerts", "alert"},
    "SecurityAlert.Read.All": {"alerts", "alert"},
    "SecurityAlert.ReadWrite.All": {"alerts", "alert"},
}
ALERTS_REQUIRED = (
    "SecurityAlert.Read.All,SecurityAlert.ReadWrite.All,"
    "SecurityIncident.Read.All,SecurityIncident.ReadWrite.All"
)
GRAPH_REQUIRED = {
    "hunt": "ThreatHunting.Read.All",
    "list": "SecurityIncident.Read.All,SecurityIncident.ReadWrite.All",
    "get": "SecurityIncident.Read.All,SecurityIncident.ReadWrite.All",
    "update": "SecurityIncident.ReadWrite.All",
    "comment": "SecurityIncident.ReadWrite.All",
    "alerts": ALERTS_REQUIRED,
    "alert": ALERTS_REQUIRED,
}


def _missing_roles(required: str, held: str) -> str:
    return f"Missing application roles. API required roles: {required}, application roles: {held}."


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
            assert error_of(response)["message"] == _missing_roles(
                DEFENDER_REQUIRED[operation], role
            )


@pytest.mark.parametrize("role", sorted(GRAPH_ALLOWED))
def test_graph_permission_matrix(make_app: MakeApp, role: str) -> None:
    app = make_app(graph=[role])
    token = app.token(GRAPH)
    for operation, (method, path, body, success) in GRAPH_OPERATIONS.items():
        response = app.call(method, path, token=token, json=body)
        if operation in GRAPH_ALLOWED[role]:
            assert response.status_code == success, (role, operation, response.text)
        else:
            assert response.status_code == 403, (role, operation, response.text)
            error = error_of(response)
            assert error["code"] == "Forbidden"
            assert error["message"] == _missing_roles(GRAPH_REQUIRED[operation], role), operation
            assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def test_alerts_refusal_is_productions_text_for_a_token_without_roles(make_app: MakeApp) -> None:
    """The body production gave for `GET /v1.0/security/alerts_v2` with no suitable role."""
    app = make_app()
    response = app.call("GET", "/v1.0/security/alerts_v2", token=app.token(GRAPH))
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "Forbidden"
    assert error["message"] == (
        "Missing application roles. API required roles: SecurityAlert.Read.All,"
        "SecurityAlert.ReadWrite.All,SecurityIncident.Read.All,SecurityIncident.ReadWrite.All, "
        "application roles: ."
    )


def test_the_refusal_lists_every_role_of_the_token_in_its_order(make_app: MakeApp) -> None:
    app = make_app(graph=["ThreatHunting.Read.All", "SecurityAlert.ReadWrite.All"])
    token = app.token(GRAPH)
    roles = jwt.decode(token, options={"verify_signature": False})["roles"]
    assert sorted(roles) == ["SecurityAlert.ReadWrite.All", "ThreatHunting.Read.All"]
    assert app.call("GET", "/v1.0/security/alerts_v2", token=token).status_code == 200
    response = app.call("GET", "/v1.0/security/incidents", token=token)
    assert response.status_code == 403
    assert error_of(response)["message"] == _missing_roles(GRAPH_REQUIRED["list"], ",".join(roles))


def test_defender_roles_do_not_open_graph_and_graph_roles_do_not_open_defender(
    make_app: MakeApp,
) -> None:
    app = make_app(defender=["AdvancedHunting.Read.All"], graph=["ThreatHunting.Read.All"])
    response = app.call(
        "POST",
        "/v1.0/security/runHuntingQuery",
        token=app.token(GRAPH),
        json={"Query": "DeviceInfo | take 1"},
    )
    assert response.status_code == 200, response.text
    only_defender = make_app(defender=["AdvancedHunting.Read.All"])
    response = only_defender.call(
        "POST", "/v1.0/security/runHuntingQuery", json={"Query": "DeviceInfo | take 1"}
    )
    assert response.status_code == 403
    assert error_of(response)["message"] == _missing_roles("ThreatHunting.Read.All", "")
    only_graph = make_app(graph=["ThreatHunting.Read.All", "SecurityIncident.Read.All"])
    response = only_graph.call("GET", "/api/incidents")
    assert response.status_code == 403
    assert error_of(response)["message"] == _missing_roles(DEFENDER_REQUIRED["list"], "")
