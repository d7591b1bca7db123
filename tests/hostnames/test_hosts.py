"""Each production host answers as production does: the token service on the login hosts with
production's issuers, each API on its own host, a 404 for another host's path; the local port
keeps xdrlab's own issuers."""

from __future__ import annotations

import json
import shutil
import ssl
import tempfile
from pathlib import Path
from typing import Any

import httpx
import jwt

from tests.hostnames.conftest import HostnamesServer, Ran, start_server, stop_server

RESOURCE = "https://api.security.microsoft.com"


def probe(server: HostnamesServer, requests: list[dict[str, Any]]) -> tuple[Ran, list[Any]]:
    ran = server.python("probe.py", json.dumps(requests))
    return ran, ran.output()["answers"]


def client_credentials(server: HostnamesServer, **form: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": server.demo["client_id"],
        "client_secret": server.demo["client_secret"],
        **form,
    }


def test_login_hosts_publish_production_endpoints_and_issuers(
    hostnames_server: HostnamesServer,
) -> None:
    server, tid = hostnames_server, hostnames_server.tenant_id
    domain = server.demo["tenant_domain"]
    ran, answers = probe(
        server,
        [
            {
                "url": f"https://login.microsoftonline.com/{domain}/v2.0/.well-known/openid-configuration"
            },
            {"url": f"https://login.windows.net/{tid}/v2.0/.well-known/openid-configuration"},
            {"url": f"https://sts.windows.net/{tid}/.well-known/openid-configuration"},
            {"url": f"https://login.microsoft.com/{tid}/discovery/v2.0/keys"},
        ],
    )
    assert [a["status"] for a in answers] == [200, 200, 200, 200]
    v2, alias, v1, keys = (a["body"] for a in answers)
    # Production names the tenant by id and keeps the host the client asked.
    assert v2["token_endpoint"] == f"https://login.microsoftonline.com/{tid}/oauth2/v2.0/token"
    assert alias["token_endpoint"] == f"https://login.windows.net/{tid}/oauth2/v2.0/token"
    assert v1["token_endpoint"] == f"https://sts.windows.net/{tid}/oauth2/token"
    # Issuers are production's whichever login host answered.
    assert v2["issuer"] == alias["issuer"] == f"https://login.microsoftonline.com/{tid}/v2.0"
    assert v1["issuer"] == f"https://sts.windows.net/{tid}/"
    assert all(key["issuer"] == v2["issuer"] for key in keys["keys"])
    assert set(ran.output()["resolved"].values()) == {server.address}


def test_tokens_from_production_names_work_on_the_api_hosts(
    hostnames_server: HostnamesServer,
) -> None:
    server, tid = hostnames_server, hostnames_server.tenant_id
    query = {"Query": "DeviceProcessEvents | take 1 | project DeviceName"}
    _, answers = probe(
        server,
        [
            {
                "method": "POST",
                "url": f"https://sts.windows.net/{tid}/oauth2/token",
                "form": client_credentials(server, resource=RESOURCE),
            },
            {
                "method": "POST",
                "url": f"https://login.microsoftonline.com/{tid}/oauth2/v2.0/token",
                "form": client_credentials(
                    server, scope="https://api.securitycenter.microsoft.com/.default"
                ),
            },
            {
                "method": "POST",
                "url": f"{RESOURCE}/api/advancedhunting/run",
                "json": query,
                "token": 0,
            },
            {
                "method": "POST",
                "url": "https://api.securitycenter.microsoft.com/api/advancedqueries/run",
                "json": query,
                "token": 1,
            },
        ],
    )
    assert [a["status"] for a in answers] == [200, 200, 200, 200], answers
    defender = jwt.decode(answers[0]["body"]["access_token"], options={"verify_signature": False})
    endpoint = jwt.decode(answers[1]["body"]["access_token"], options={"verify_signature": False})
    assert defender["iss"] == endpoint["iss"] == f"https://sts.windows.net/{tid}/"
    assert answers[2]["body"]["Results"] and answers[3]["body"]["Results"]


def test_each_host_answers_only_its_own_paths(hostnames_server: HostnamesServer) -> None:
    server, tid = hostnames_server, hostnames_server.tenant_id
    wrong = [
        f"https://graph.microsoft.com/{tid}/v2.0/.well-known/openid-configuration",
        f"https://api.security.microsoft.com/{tid}/oauth2/v2.0/token",
        "https://login.microsoftonline.com/api/incidents",
        "https://api.security.microsoft.com/v1.0/security/incidents",
        "https://graph.microsoft.com/api/incidents",
        "https://management.azure.com/v1.0/security/incidents",
        "https://login.windows.net/metadata/endpoints?api-version=latest",
        "https://api.security.microsoft.com/openapi.json",
    ]
    _, answers = probe(server, [{"url": url} for url in wrong])
    for url, answer in zip(wrong, answers, strict=True):
        assert answer["status"] == 404, url
        assert answer["body"]["error"]["code"] == "NotFound", url
        assert isinstance(answer["body"]["error"]["message"], str)
    # The right host for each of those paths does answer (401 without a token on the APIs).
    _, right = probe(
        server,
        [
            {
                "url": f"https://login.microsoftonline.com/{tid}/v2.0/.well-known/openid-configuration"
            },
            {"url": "https://api.security.microsoft.com/api/incidents"},
            {"url": "https://graph.microsoft.com/v1.0/security/incidents"},
            {"url": "https://management.azure.com/metadata/endpoints?api-version=latest"},
        ],
    )
    assert [a["status"] for a in right] == [200, 401, 401, 200]
    assert right[3]["body"]["authentication"]["loginEndpoint"].startswith(
        "https://login.microsoftonline.com"
    )


def test_the_local_port_keeps_its_own_issuers(hostnames_server: HostnamesServer) -> None:
    """The usual port is unchanged by the mode, and an API host, like production's, refuses a
    token whose issuer is not production's (and the other way round)."""
    server, tid = hostnames_server, hostnames_server.tenant_id
    context = ssl.create_default_context(cafile=server.demo["ca_file"])
    with httpx.Client(base_url=server.local_base, verify=context, timeout=30) as client:
        local = client.post(
            f"/{tid}/oauth2/token", data=client_credentials(server, resource=RESOURCE)
        )
        assert local.status_code == 200, local.text
        local_token = local.json()["access_token"]
        claims = jwt.decode(local_token, options={"verify_signature": False})
        assert claims["iss"] == f"{server.local_base}/{tid}/"
        _, answers = probe(
            server,
            [
                {
                    "method": "POST",
                    "url": f"https://login.microsoftonline.com/{tid}/oauth2/token",
                    "form": client_credentials(server, resource=RESOURCE),
                },
                {"url": f"{RESOURCE}/api/incidents", "token": 0},
            ],
        )
        production_token = answers[0]["body"]["access_token"]
        assert answers[1]["status"] == 200
        on_local = client.get(
            "/api/incidents", headers={"Authorization": f"Bearer {production_token}"}
        )
        assert on_local.status_code == 401
        assert "Issuer: https://sts.windows.net/" in on_local.json()["error"]["message"]
    # And the local token on the production host.
    _, answers = probe(server, [{"url": f"{RESOURCE}/api/incidents", "bearer": local_token}])
    assert answers[0]["status"] == 401
    assert f"Issuer: {server.local_base}/" in answers[0]["body"]["error"]["message"]


def test_workers_serve_the_host_names_too() -> None:
    """With several worker processes each builds the host dispatch itself."""
    root = Path(tempfile.mkdtemp(prefix="xdrlab-hostnames-workers-"))
    server = start_server(root, "--workers", "2")
    try:
        tid = server.tenant_id
        ran, answers = probe(
            server,
            [
                {
                    "method": "POST",
                    "url": f"https://login.microsoftonline.com/{tid}/oauth2/v2.0/token",
                    "form": client_credentials(
                        server, scope="https://graph.microsoft.com/.default"
                    ),
                },
                {
                    "method": "POST",
                    "url": "https://graph.microsoft.com/v1.0/security/runHuntingQuery",
                    "json": {"Query": "DeviceInfo | take 2 | project DeviceName"},
                    "token": 0,
                },
                {"url": "https://graph.microsoft.com/api/incidents"},
            ],
        )
        assert [a["status"] for a in answers] == [200, 200, 404]
        assert len(answers[1]["body"]["results"]) == 2
        claims = jwt.decode(answers[0]["body"]["access_token"], options={"verify_signature": False})
        assert claims["iss"] == f"https://sts.windows.net/{tid}/"
        assert [c[:3] for c in ran.calls()] == [
            ("POST", "login.microsoftonline.com", f"/{tid}/oauth2/v2.0/token"),
            ("POST", "graph.microsoft.com", "/v1.0/security/runHuntingQuery"),
            ("GET", "graph.microsoft.com", "/api/incidents"),
        ]
    finally:
        output = stop_server(server)
        shutil.rmtree(root, ignore_errors=True)
    assert "Traceback" not in output
