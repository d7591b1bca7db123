"""Unmodified programs that hard-code production's URLs, run with `xdrlab run` against
`xdrlab serve --demo --hostnames`: each reaches the demo tenant, the machine's hosts file is the
same afterwards, and nothing left loopback.

"Nothing left loopback" is shown two ways: an audit hook in every Python program records each
name it looked up and each address it connected to (all loopback, all lookups production names
answered from the private hosts file), and xdrlab's request log holds every call the program's
output depends on. Each test prints its calls as xdrlab logged them (`pytest -s`).
"""

from __future__ import annotations

import ipaddress
import subprocess
from pathlib import Path

from tests.hostnames.conftest import HostnamesServer, Ran, hosts_fingerprint
from xdrlab.hostnames.names import NAMES


def assert_stayed_on_loopback(ran: Ran, server: HostnamesServer, names: set[str]) -> None:
    # `xdrlab run` itself (checking that the server answers before it execs the program) is
    # audited too; it connects to the listener's address, by number.
    runner = [r for r in ran.audit if r["argv"][1:4] == ["-m", "xdrlab", "run"]]
    program = [r for r in ran.audit if r not in runner]
    connects = [r for r in program if r["event"] == "connect"]
    lookups = {r["host"] for r in program if r["event"] == "lookup"}
    assert connects, "the audit hook saw no connection"
    for record in [*connects, *(r for r in runner if r["event"] == "connect")]:
        assert ipaddress.ip_address(record["address"]).is_loopback, record
        assert (record["address"], record["port"]) == (server.address, 443), record
    assert names <= lookups  # the program asked for production's names...
    assert lookups <= set(NAMES)  # ...and for nothing else
    # Every connection the program opened is one xdrlab's host-name listener served.
    assert {r["listener"] for r in ran.requests} == {f"{server.address}:443"}
    assert len({r["client"] for r in ran.requests}) == len(connects)


def show(title: str, ran: Ran) -> None:
    print(f"\n{title}\n{ran.table()}")


def test_default_azure_credential_from_environment_only(
    hostnames_server: HostnamesServer, hosts_before: tuple[str, list[str]]
) -> None:
    server, demo = hostnames_server, hostnames_server.demo
    ran = server.python(
        "default_azure_credential.py",
        env={
            "AZURE_TENANT_ID": demo["tenant_id"],
            "AZURE_CLIENT_ID": demo["client_id"],
            "AZURE_CLIENT_SECRET": demo["client_secret"],
        },
    )
    show("DefaultAzureCredential()", ran)
    out = ran.output()
    assert out["iss"] == f"https://sts.windows.net/{server.tenant_id}/"
    assert out["aud"] == "https://api.security.microsoft.com"
    assert out["schema"] == ["Timestamp", "DeviceName", "FileName"]
    assert out["rows"] == 3
    tid = server.tenant_id
    assert ran.calls() == [
        ("GET", "login.microsoftonline.com", f"/{tid}/v2.0/.well-known/openid-configuration", 200),
        ("POST", "login.microsoftonline.com", f"/{tid}/oauth2/v2.0/token", 200),
        ("POST", "api.security.microsoft.com", "/api/advancedhunting/run", 200),
    ]
    token_call = ran.requests[1]
    assert token_call["headers"]["user-agent"].startswith("azsdk-python-identity/")
    assert token_call["headers"]["x-client-sku"] == "MSAL.Python"
    assert_stayed_on_loopback(
        ran, server, {"login.microsoftonline.com", "api.security.microsoft.com"}
    )
    assert hosts_fingerprint() == hosts_before


def test_msal_with_its_default_authority(
    hostnames_server: HostnamesServer, hosts_before: tuple[str, list[str]]
) -> None:
    server, demo = hostnames_server, hostnames_server.demo
    ran = server.python(
        "msal_default_authority.py",
        env={
            "TENANT_ID": demo["tenant_id"],
            "CLIENT_ID": demo["client_id"],
            "CLIENT_SECRET": demo["client_secret"],
        },
    )
    show("MSAL ConfidentialClientApplication", ran)
    out = ran.output()
    assert out["defender_iss"] == out["graph_iss"] == f"https://sts.windows.net/{server.tenant_id}/"
    assert out["graph_aud"] == "https://graph.microsoft.com"
    assert out["incidents"] == 2
    assert out["alerts"] == 2
    tid = server.tenant_id
    assert ran.calls() == [
        ("GET", "login.microsoftonline.com", f"/{tid}/v2.0/.well-known/openid-configuration", 200),
        ("POST", "login.microsoftonline.com", f"/{tid}/oauth2/v2.0/token", 200),
        ("GET", "api.security.microsoft.com", "/api/incidents", 200),
        ("POST", "login.microsoftonline.com", f"/{tid}/oauth2/v2.0/token", 200),
        ("GET", "graph.microsoft.com", "/v1.0/security/alerts_v2", 200),
    ]
    assert ran.requests[1]["headers"]["x-client-sku"] == "MSAL.Python"
    assert_stayed_on_loopback(
        ran,
        server,
        {"login.microsoftonline.com", "api.security.microsoft.com", "graph.microsoft.com"},
    )
    assert hosts_fingerprint() == hosts_before


def test_msticpy_certificate_mode(
    hostnames_server: HostnamesServer, hosts_before: tuple[str, list[str]], tmp_path: Path
) -> None:
    """msticpy's certificate flow builds MSAL with the login host from the cloud metadata
    document and no instance-discovery setting: it can only reach xdrlab in this mode. Its
    configuration names the app, tenant, certificate (DER, as msticpy reads it) and key; no
    URL."""
    server, demo = hostnames_server, hostnames_server.demo
    der = tmp_path / "app-cert.der"
    subprocess.run(
        ["openssl", "x509", "-in", demo["certificate_file"], "-outform", "der", "-out", str(der)],
        check=True,
    )
    config = tmp_path / "msticpyconfig.yaml"
    config.write_text(
        "DataProviders:\n"
        "  MicrosoftDefender:\n"
        "    Args:\n"
        f'      ClientId: "{demo["client_id"]}"\n'
        f'      TenantId: "{demo["tenant_id"]}"\n'
        f'      Certificate: "{der}"\n'
        f'      PrivateKey: "{demo["private_key_file"]}"\n'
    )
    ran = server.python(
        "msticpy_certificate.py", "M365DGraph", "MDE", env={"MSTICPYCONFIG": str(config)}
    )
    show("msticpy (certificate): M365DGraph, MDE", ran)
    out = ran.output()
    for provider in ("M365DGraph", "MDE"):
        assert out[provider] == {
            "rows": 4,
            "columns": ["Timestamp", "DeviceName", "FileName"],
            "timestamp_type": "datetime64[ns, UTC]",
        }
    tid = server.tenant_id
    calls = ran.calls()
    assert calls[0] == ("GET", "management.azure.com", "/metadata/endpoints", 200)
    assert calls[1:] == [
        ("GET", "login.microsoftonline.com", f"/{tid}/v2.0/.well-known/openid-configuration", 200),
        ("POST", "login.microsoftonline.com", f"/{tid}/oauth2/v2.0/token", 200),
        ("POST", "graph.microsoft.com", "/v1.0/security/runHuntingQuery", 200),
        ("GET", "login.microsoftonline.com", f"/{tid}/v2.0/.well-known/openid-configuration", 200),
        ("POST", "login.microsoftonline.com", f"/{tid}/oauth2/v2.0/token", 200),
        ("POST", "api.securitycenter.microsoft.com", "/api/advancedqueries/run", 200),
    ]
    assert ran.requests[3]["headers"]["useragent"].startswith("MSTICPy")
    assert_stayed_on_loopback(
        ran,
        server,
        {
            "management.azure.com",
            "login.microsoftonline.com",
            "graph.microsoft.com",
            "api.securitycenter.microsoft.com",
        },
    )
    assert hosts_fingerprint() == hosts_before


def test_microsofts_python_sample(
    hostnames_server: HostnamesServer, hosts_before: tuple[str, list[str]]
) -> None:
    server, demo = hostnames_server, hostnames_server.demo
    ran = server.python(
        "hello_world.py",
        env={
            "TENANT_ID": demo["tenant_id"],
            "CLIENT_ID": demo["client_id"],
            "CLIENT_SECRET": demo["client_secret"],
        },
    )
    show("Microsoft's Python sample (urllib)", ran)
    out = ran.output()
    assert out["iss"] == f"https://sts.windows.net/{server.tenant_id}/"
    assert out["aud"] == "https://api.security.microsoft.com"
    assert out["schema"] == ["Timestamp", "FileName", "InitiatingProcessFileName"]
    assert out["rows"] == 2
    assert out["incidents"] > 0
    assert ran.calls() == [
        ("POST", "login.windows.net", f"/{server.tenant_id}/oauth2/token", 200),
        ("POST", "api.security.microsoft.com", "/api/advancedhunting/run", 200),
        ("GET", "api.security.microsoft.com", "/api/incidents", 200),
    ]
    assert ran.requests[0]["headers"]["user-agent"].startswith("Python-urllib/")
    assert_stayed_on_loopback(ran, server, {"login.windows.net", "api.security.microsoft.com"})
    assert hosts_fingerprint() == hosts_before


def test_curl_trusts_the_ca_through_the_environment(hostnames_server: HostnamesServer) -> None:
    """Not only Python: curl reads CURL_CA_BUNDLE and resolves through the same hosts file."""
    server = hostnames_server
    url = f"https://login.microsoftonline.com/{server.tenant_id}/v2.0/.well-known/openid-configuration"
    ran = server.run(["curl", "--silent", "--show-error", "--fail", url], audit=False)
    assert ran.returncode == 0, ran.stderr
    assert '"issuer":"https://login.microsoftonline.com/' in ran.stdout
    assert ran.calls() == [
        (
            "GET",
            "login.microsoftonline.com",
            f"/{server.tenant_id}/v2.0/.well-known/openid-configuration",
            200,
        )
    ]
    assert ran.requests[0]["headers"]["user-agent"].startswith("curl/")
