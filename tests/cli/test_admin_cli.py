"""The admin CLI builds a working setup from nothing: tenant, app, secret, certificate,
consent, users; the running server then issues tokens for what the CLI made."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import jwt
import msal
import pytest
from typer.testing import CliRunner

from tests.conftest import Live
from xdrlab.cli.main import app as cli
from xdrlab.identity import apps
from xdrlab.identity.catalogue import DEFENDER_XDR

runner = CliRunner()


def run(live: Live, *args: str) -> Any:
    result = runner.invoke(cli, [*args, "--json", "--state", str(live.state.settings.state_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_tenant_app_secret_certificate_grant(live: Live, tmp_path: Path) -> None:
    domain = f"woodgrove{uuid.uuid4().hex[:6]}.onmicrosoft.com"
    tenant = run(live, "tenant", "create", "Woodgrove", "--domain", domain)
    assert tenant["domains"] == [domain]
    assert tenant["tenant_id"] in [t["tenant_id"] for t in run(live, "tenant", "list")]

    user = run(
        live,
        "user",
        "create",
        f"ana@{domain}",
        "--password",
        "Correct-Horse-9",
        "--role",
        "security reader",
    )
    assert user["roles"] == ["Security Reader"]

    created = run(live, "app", "create", "woodgrove soar", "--tenant", domain)
    client_id = created["client_id"]
    assert created["sign_in_audience"] == "AzureADMyOrg"
    secret = run(live, "secret", "add", client_id, "--name", "ci")
    listed = run(live, "secret", "list", client_id)
    assert listed == [
        {
            "key_id": secret["key_id"],
            "name": "ci",
            "hint": secret["secret"][:3] + "***",
            "expires": secret["expires"],
        }
    ]
    assert secret["secret"] not in json.dumps(listed)

    granted = run(
        live,
        "app",
        "grant",
        client_id,
        "--permission",
        "Incident.Read.All",
        "--permission",
        "AdvancedHunting.Read.All",
    )
    assert granted["granted_roles"] == ["AdvancedHunting.Read.All", "Incident.Read.All"]

    cert = run(live, "cert", "add", client_id, "--generate", str(tmp_path))
    assert Path(cert["private_key_file"]).stat().st_mode & 0o077 == 0

    authority = f"{live.base_url}/{domain}"
    by_secret = msal.ConfidentialClientApplication(
        client_id, client_credential=secret["secret"], authority=authority, instance_discovery=False
    ).acquire_token_for_client(["https://api.security.microsoft.com/.default"])
    claims = jwt.decode(by_secret["access_token"], options={"verify_signature": False})
    assert claims["tid"] == tenant["tenant_id"]
    assert claims["roles"] == ["AdvancedHunting.Read.All", "Incident.Read.All"]

    by_cert = msal.ConfidentialClientApplication(
        client_id,
        authority=authority,
        instance_discovery=False,
        client_credential={
            "private_key": Path(cert["private_key_file"]).read_text(),
            "thumbprint": cert["thumbprint_sha1"],
        },
    ).acquire_token_for_client(["https://api.security.microsoft.com/.default"])
    assert "access_token" in by_cert, by_cert

    revoked = run(live, "app", "revoke", client_id, "--permission", "Incident.Read.All")
    assert revoked["granted_roles"] == ["AdvancedHunting.Read.All"]


def test_bad_input_is_a_clear_error(live: Live) -> None:
    state = str(live.state.settings.state_dir)
    result = runner.invoke(
        cli, ["tenant", "create", "X", "--domain", "not a domain", "--state", state]
    )
    assert result.exit_code == 1
    assert "not a valid domain name" in result.output
    result = runner.invoke(
        cli,
        [
            "app",
            "grant",
            live.demo.client_id,
            "--permission",
            "Incident.Delete.All",
            "--state",
            state,
        ],
    )
    assert result.exit_code == 1
    assert "has no role 'Incident.Delete.All'" in result.output
    result = runner.invoke(
        cli,
        [
            "user",
            "create",
            "x@contoso.onmicrosoft.com",
            "--password",
            "Long-enough-1",
            "--role",
            "Wizard",
            "--state",
            state,
        ],
    )
    assert result.exit_code == 1 and "unknown role 'Wizard'" in result.output
    assert "Traceback" not in result.output


def test_audit_log_records_sign_ins_with_the_reason_kept_internal(live: Live) -> None:
    correlation = str(uuid.uuid4())
    live.post_token(
        live.client_credentials_form(client_secret="wrong"),
        headers={"client-request-id": correlation},
    )
    live.post_token(live.client_credentials_form())
    events = run(live, "audit", "list", "--limit", "1000", "--tenant", live.tenant_id)
    refused = [
        e
        for e in events
        if e["activity"] == "Token refused"
        and e["detail"].get("reason") == "no registered secret matches"
    ]
    assert refused and refused[0]["message"] == "AADSTS7000215"
    assert refused[0]["result"] == "failure"
    assert any(e["activity"] == "Token issued" and e["result"] == "success" for e in events)


def test_grant_in_a_customer_tenant_leaves_the_registration_alone(live: Live) -> None:
    """`app grant --tenant` in a customer tenant is that tenant's admin consent: the app gets
    the roles there, but its registration (what every other tenant is asked for) is unchanged."""
    home = f"mssp{uuid.uuid4().hex[:6]}.onmicrosoft.com"
    customer = f"client{uuid.uuid4().hex[:6]}.onmicrosoft.com"
    run(live, "tenant", "create", "MSSP", "--domain", home)
    customer_id = run(live, "tenant", "create", "Client", "--domain", customer)["tenant_id"]
    client_id = run(live, "app", "create", "console", "--tenant", home, "--multi-tenant")[
        "client_id"
    ]
    secret = run(live, "secret", "add", client_id, "--name", "ci")["secret"]
    run(live, "app", "grant", client_id, "--permission", "Incident.Read.All")
    granted = run(
        live,
        "app",
        "grant",
        client_id,
        "--tenant",
        customer,
        "--permission",
        "AdvancedHunting.Read.All",
    )
    assert granted["tenant_id"] == customer_id
    assert granted["granted_roles"] == ["AdvancedHunting.Read.All"]

    with live.state.sessions() as session:
        app = apps.require_app(session, client_id)
        requested = [(p.permission_id, p.kind) for p in app.requested_permissions]
    incident_read = DEFENDER_XDR.permission("Incident.Read.All", "Role")
    assert incident_read is not None and requested == [(incident_read.id, "Role")]

    token = msal.ConfidentialClientApplication(
        client_id,
        client_credential=secret,
        authority=f"{live.base_url}/{customer}",
        instance_discovery=False,
    ).acquire_token_for_client(["https://api.security.microsoft.com/.default"])
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert (claims["tid"], claims["roles"]) == (customer_id, ["AdvancedHunting.Read.All"])


@pytest.mark.parametrize(
    ("uri", "public", "problem"),
    [
        ("http://evil.example/callback", False, "http only on localhost or loopback"),
        ("https://app.example/cb#frag", False, "no spaces, fragments, wildcards"),
        ("https://*.example.com/cb", False, "no spaces, fragments, wildcards"),
        ("https://app.example/cb?a=(1)", False, "no spaces, fragments, wildcards"),
        ("javascript://alert", True, "the javascript scheme is never a redirect URI"),
        ("myapp://callback", False, "a custom scheme needs a public client"),
        ("https://app.example/" + "a" * 240, False, "longer than 256 characters"),
        ("http://localhost:port", False, "not a well-formed URI"),
        ("app.example/cb", False, "not an absolute URI"),
    ],
)
def test_app_create_refuses_a_redirect_uri_production_would_not_register(
    live: Live, uri: str, public: bool, problem: str
) -> None:
    name = f"bad-redirect-{uuid.uuid4().hex[:6]}"
    args = [
        "app",
        "create",
        name,
        "--tenant",
        live.demo.tenant_id,
        "--redirect-uri",
        uri,
        "--state",
        str(live.state.settings.state_dir),
    ]
    result = runner.invoke(cli, [*args, "--public-client"] if public else args)
    assert result.exit_code == 1, result.output
    expected = f"'{uri}' is not a valid redirect URI: {problem}"
    assert "".join(expected.split()) in "".join(result.output.split())  # however it wraps
    assert "Traceback" not in result.output
    assert name not in json.dumps(run(live, "app", "list"))


@pytest.mark.parametrize(
    ("uris", "public"),
    [
        (["https://app.example/signin-oidc?tenant=x", "http://localhost:5000/cb"], False),
        (["http://localhost", "http://127.0.0.1", "http://[::1]"], True),
        ([f"msal{uuid.uuid4()}://auth"], True),
    ],
)
def test_app_create_registers_what_production_allows(
    live: Live, uris: list[str], public: bool
) -> None:
    args = [
        "app",
        "create",
        f"good-redirect-{uuid.uuid4().hex[:6]}",
        "--tenant",
        live.demo.tenant_id,
    ]
    for uri in uris:
        args += ["--redirect-uri", uri]
    created = run(live, *args, *(["--public-client"] if public else []))
    with live.state.sessions() as session:
        assert apps.require_app(session, created["client_id"]).redirect_uris == uris
