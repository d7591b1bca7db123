"""The password grant (ROPC), as the Defender user-context samples and MSAL use it, and the
answers for wrong credentials, locked and disabled accounts, missing consent and tenant aliases."""

from __future__ import annotations

import uuid
from typing import Any

import msal
import pytest
from azure.identity import UsernamePasswordCredential

from tests.identity.aadsts import assert_aadsts
from tests.identity.user.conftest import (
    DEFENDER,
    PASSWORD,
    DefaultPortServer,
    UserLab,
    claims,
    consented_public_client,
)
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR


def _new_user(lab: UserLab, **kwargs: Any) -> str:
    state = lab.live.state
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, lab.tenant_id)
        user = users.create_user(
            session,
            state.clock,
            tenant,
            f"ropc-{uuid.uuid4().hex[:6]}@{lab.domain}",
            PASSWORD,
            roles=["Security Operator"],
        )
        for name, value in kwargs.items():
            setattr(user, name, value)
        return user.user_principal_name


def test_v1_documented_sample(lab: UserLab) -> None:
    """Body of the Defender docs' ROPC sample: resource, client_id, grant_type, credentials."""
    response = lab.token(lab.password_form(lab.operator, PASSWORD, resource=DEFENDER), version=1)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resource"] == DEFENDER and isinstance(body["expires_on"], str)
    assert body["scope"] == "AdvancedHunting.Read Incident.Read Incident.ReadWrite"
    access = claims(body["access_token"])
    assert access["scp"] == body["scope"] and access["upn"] == lab.operator


def test_v2_scope_and_organizations(lab: UserLab) -> None:
    """On `/organizations` a multi-tenant app gets tokens in the user's home tenant."""
    client_id = consented_public_client(  # multi-tenant, consented in the lab's tenant
        lab.live.state,
        lab.tenant_id,
        f"ropc multi-tenant {uuid.uuid4().hex[:6]}",
        {DEFENDER_XDR: ["Incident.Read"]},
        multi_tenant=True,
    )
    scope = f"{DEFENDER}/.default openid profile offline_access"
    form = lab.password_form(lab.reader, PASSWORD, scope=scope, client_id=client_id)
    response = lab.token(form, tenant="organizations")
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"refresh_token", "id_token"} <= set(body)
    access = claims(body["access_token"])
    assert access["tid"] == lab.tenant_id and access["appid"] == client_id
    assert access["scp"] == "Incident.Read" and access["upn"] == lab.reader
    assert claims(body["id_token"])["tid"] == lab.tenant_id


def test_single_tenant_app_on_organizations_is_refused(lab: UserLab) -> None:
    """As production (and this server's authorize and device code endpoints) answer it: a
    single-tenant app may not use `/organizations`, whatever the credentials."""
    scope = f"{DEFENDER}/.default openid profile offline_access"
    with lab.live.state.sessions() as session:
        name = apps.require_app(session, lab.public_client_id).display_name
    for password in (PASSWORD, "not-the-password"):
        refused = lab.token(
            lab.password_form(lab.reader, password, scope=scope), tenant="organizations"
        )
        assert_aadsts(
            refused,
            status=400,
            error="invalid_request",
            code=50194,
            text=f"Application '{lab.public_client_id}'({name}) is not configured as a "
            "multi-tenant application. Usage of the /common endpoint is not supported for such "
            "applications created after '10/15/2018'. Use a tenant-specific endpoint or "
            "configure the application to be multi-tenant.",
            base_url=lab.live.base_url,
        )
    # The same app on its tenant's own endpoint is fine.
    direct = lab.token(lab.password_form(lab.reader, PASSWORD, scope=scope))
    assert direct.status_code == 200, direct.text


def test_wrong_password_unknown_user_and_aliases(lab: UserLab) -> None:
    scope = f"{DEFENDER}/.default"
    base = lab.live.base_url
    wrong = lab.token(lab.password_form(lab.operator, "nope-nope-nope", scope=scope))
    assert_aadsts(
        wrong,
        status=400,
        error="invalid_grant",
        code=50126,
        text="Error validating credentials due to invalid username or password.",
        base_url=base,
    )
    unknown = lab.token(lab.password_form(f"ghost@{lab.domain}", PASSWORD, scope=scope))
    assert_aadsts(
        unknown,
        status=400,
        error="invalid_grant",
        code=50034,
        text="The user account {EmailHidden} does not exist in the ",
        base_url=base,
    )
    for alias in ("common", "consumers"):
        refused = lab.token(lab.password_form(lab.operator, PASSWORD, scope=scope), tenant=alias)
        assert_aadsts(
            refused,
            status=400,
            error="invalid_request",
            code=9001023,
            text="The grant type is not supported over the /common or /consumers endpoints. "
            "Please use the /organizations or tenant-specific endpoint.",
            base_url=base,
        )


def test_lockout_and_disabled_accounts(lab: UserLab) -> None:
    upn = _new_user(lab)
    scope = f"{DEFENDER}/.default"
    for _ in range(10):
        assert lab.token(lab.password_form(upn, "wrong-password", scope=scope)).json()[
            "error_codes"
        ] == [50126]
    locked = lab.token(lab.password_form(upn, PASSWORD, scope=scope))
    assert locked.status_code == 400 and locked.json()["error_codes"] == [50053]

    disabled = _new_user(lab, account_enabled=False)
    refused = lab.token(lab.password_form(disabled, PASSWORD, scope=scope))
    assert refused.status_code == 400 and refused.json()["error_codes"] == [50057]


def test_missing_consent_is_consent_required(lab: UserLab) -> None:
    state = lab.live.state
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, lab.tenant_id)
        app = apps.create_app(session, state.clock, tenant, "no consent yet", public_client=True)
        consent.ensure_service_principal(session, state.clock, tenant, app)
        client_id, name = app.app_id, app.display_name
    scope = f"{DEFENDER}/Incident.Read"
    form = lab.password_form(lab.operator, PASSWORD, scope=scope, client_id=client_id)
    response = lab.token(form)
    body = response.json()
    assert response.status_code == 400
    assert body["error"] == "invalid_grant" and body["suberror"] == "consent_required"
    assert body["error_codes"] == [65001]
    assert body["error_description"].startswith(
        f"AADSTS65001: The user or administrator has not consented to use the application "
        f"with ID '{client_id}' named '{name}'. Send an interactive authorization request for "
        "this user and resource."
    )
    # Once the user consents (the consent page does this), the same request works.
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, lab.tenant_id)
        consent.grant_delegated(
            session,
            state.clock,
            tenant,
            apps.require_app(session, client_id),
            DEFENDER_XDR,
            ["Incident.Read"],
            user=users.require_user(session, lab.operator),
        )
    assert lab.token(form).status_code == 200


def test_user_realm_discovery(lab: UserLab) -> None:
    with lab.live.client() as client:
        managed = client.get(f"/common/userrealm/{lab.operator}?api-version=1.0").json()
        v2 = client.get(f"/common/UserRealm/{lab.operator}?api-version=2.0").json()
        unknown = client.get("/common/userrealm/someone@elsewhere.example?api-version=1.0")
    assert managed["account_type"] == "Managed" and managed["domain_name"] == lab.domain
    assert v2["NameSpaceType"] == "Managed" and v2["DomainName"] == lab.domain
    assert unknown.json()["account_type"] == "Unknown"


def test_msal_username_password(trust_443: DefaultPortServer) -> None:
    """MSAL unchanged: the authority names no port, so user realm discovery
    (`https://localhost/common/userrealm/...`) and every later call reach xdrlab on 443."""
    server = trust_443
    upn, password = server.user("Security Operator")
    app = msal.PublicClientApplication(
        server.demo["public_client_id"],
        authority=f"{server.base_url}/{server.demo['tenant_id']}",
        instance_discovery=False,
    )
    with pytest.warns(DeprecationWarning):
        result = app.acquire_token_by_username_password(
            upn, password, scopes=[f"{DEFENDER}/.default"]
        )
    assert "access_token" in result, result
    assert claims(result["access_token"])["upn"] == upn
    assert server.api("/api/incidents", result["access_token"]).status_code == 200
    account = app.get_accounts()[0]
    assert account["username"] == upn
    refreshed = app.acquire_token_silent(
        [f"{DEFENDER}/.default"], account=account, force_refresh=True
    )
    assert refreshed is not None and "access_token" in refreshed, refreshed
    assert refreshed["access_token"] != result["access_token"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_azure_identity_username_password_credential(trust_443: DefaultPortServer) -> None:
    server = trust_443
    upn, password = server.user("Security Reader")
    credential = UsernamePasswordCredential(
        client_id=server.demo["public_client_id"],
        username=upn,
        password=password,
        tenant_id=server.demo["tenant_id"],
        authority=server.base_url,
        disable_instance_discovery=True,
    )
    token = credential.get_token(f"{DEFENDER}/.default")
    assert claims(token.token)["upn"] == upn
    assert server.api("/api/incidents", token.token).status_code == 200
