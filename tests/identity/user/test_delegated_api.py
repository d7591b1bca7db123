"""Delegated tokens from the user grants at the API: the app's scopes and the user's directory
roles both have to allow an operation."""

from __future__ import annotations

import uuid

from tests.identity.user.conftest import (
    DEFENDER,
    PASSWORD,
    UserLab,
    claims,
    consented_public_client,
)
from xdrlab.api.auth import READ_ROLES
from xdrlab.identity import tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR


def _token(lab: UserLab, upn: str) -> str:
    token = lab.password_token(upn, f"{DEFENDER}/.default")
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
    graph = lab.password_token(
        lab.operator, "https://graph.microsoft.com/SecurityIncident.Read.All"
    )
    headers = {"Authorization": f"Bearer {graph}"}
    with lab.live.client() as client:
        listed = client.get("/v1.0/security/incidents", headers=headers)
        assert listed.status_code == 200, listed.text
        incident = listed.json()["value"][0]["id"]
        refused = client.patch(
            f"/v1.0/security/incidents/{incident}", headers=headers, json={"status": "active"}
        )
    assert refused.status_code == 403, refused.text


def test_defender_update_needs_the_write_scope_even_for_an_operator(lab: UserLab) -> None:
    """A Security Operator may update incidents in the portal, but a token whose only scope is
    `Incident.Read` (an app consented for reading only) reads and does not write."""
    client_id = consented_public_client(
        lab.live.state,
        lab.tenant_id,
        f"incident viewer {uuid.uuid4().hex[:6]}",
        {DEFENDER_XDR: ["Incident.Read"]},
        redirect_uris=["http://localhost"],
    )
    token = lab.password_token(lab.operator, f"{DEFENDER}/.default", client_id)
    assert claims(token)["scp"] == "Incident.Read"
    listed = lab.api("GET", "/api/incidents", token)
    assert listed.status_code == 200, listed.text
    incident = listed.json()["value"][0]

    refused = lab.api(
        "PATCH",
        f"/api/incidents/{incident['incidentId']}",
        token,
        json={"assignedTo": lab.operator},
    )
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "Forbidden"
    assert error["message"] == (
        "Missing application scopes. API required scopes: Incident.ReadWrite, "
        "application scopes: Incident.Read."
    )
    again = lab.api("GET", f"/api/incidents/{incident['incidentId']}", token)
    assert again.status_code == 200
    assert again.json()["assignedTo"] == incident["assignedTo"]


def test_a_user_without_a_directory_role_cannot_hunt_whatever_the_token_allows(
    lab: UserLab,
) -> None:
    """The app's `AdvancedHunting.Read` scope is not enough: the user also needs a role that
    shows the data in the portal, and a user with no directory role has none."""
    state = lab.live.state
    upn = f"norole-{uuid.uuid4().hex[:6]}@{lab.domain}"
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, lab.tenant_id)
        user = users.create_user(session, state.clock, tenant, upn, PASSWORD, roles=[])
        assert user.roles == []
    token = lab.password_token(upn, f"{DEFENDER}/.default")
    assert "AdvancedHunting.Read" in claims(token)["scp"].split()
    assert "wids" not in claims(token) or claims(token)["wids"] == []

    refused = lab.api(
        "POST", "/api/advancedhunting/run", token, json={"Query": "DeviceInfo | take 1"}
    )
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "Forbidden"
    assert error["message"] == (
        f"The user {upn} does not have a role that allows this operation. Required directory "
        f"roles: {', '.join(READ_ROLES)}."
    )
    # The same scope with a role that shows the data (Security Reader) runs the query.
    reader = lab.password_token(lab.reader, f"{DEFENDER}/.default")
    allowed = lab.api(
        "POST", "/api/advancedhunting/run", reader, json={"Query": "DeviceInfo | take 1"}
    )
    assert allowed.status_code == 200, allowed.text


def test_the_incident_read_scope_also_reads_alerts_on_graph(lab: UserLab) -> None:
    """Production lets SecurityIncident.Read.All read alerts_v2 as well as incidents."""
    token = lab.password_token(lab.reader, "https://graph.microsoft.com/.default")
    assert claims(token)["scp"] == "SecurityIncident.Read.All"
    listed = lab.api("GET", "/v1.0/security/alerts_v2", token)
    assert listed.status_code == 200, listed.text
    alerts = listed.json()["value"]
    assert alerts
    one = lab.api("GET", f"/v1.0/security/alerts_v2/{alerts[0]['id']}", token)
    assert one.status_code == 200, one.text
    assert one.json()["id"] == alerts[0]["id"]
