"""`XDRLAB_REQUEST_LOG=true xdrlab serve`: one JSON line per request on stderr, saying what a
client sent (the call tables of docs/clients come from it) and never what it proved."""

from __future__ import annotations

import base64
import json
import os
import re
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

SECRET = "Sup3r-Secret~value"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzZWNyZXQiOiJ0b2tlbiJ9.c2lnbmF0dXJl"


def test_the_request_log_names_headers_and_never_credentials(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "xdrlab", "serve", "--state", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDRLAB_REQUEST_LOG": "true", "COLUMNS": "200"},
    )
    try:
        assert server.stdout is not None
        deadline, base = time.monotonic() + 60, None
        while base is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            assert line or server.poll() is None, "the server stopped"
            found = re.search(r"listening on (https://\S+)", line)
            base = found[1] if found else None
        assert base is not None
        verify = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.pem"))
        with httpx.Client(base_url=base, verify=verify, timeout=30) as client:
            basic = base64.b64encode(f"some-client:{SECRET}".encode()).decode()
            client.post(
                "/contoso.example/oauth2/v2.0/token?api-version=1",
                headers={"Authorization": f"Basic {basic}", "User-Agent": "probe/1"},
                data={"grant_type": "client_credentials", "client_secret": SECRET},
            )
            client.post(
                "/api/advancedqueries/run",
                headers={"Authorization": f"Bearer {TOKEN}"},
                json={"Query": "DeviceInfo"},
            )
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)

    assert SECRET not in errors and TOKEN not in errors and basic not in errors
    entries = [json.loads(line) for line in errors.splitlines() if line.startswith("{")]
    token_call, api_call = entries[-2:]
    assert token_call["method"] == "POST"
    assert token_call["path"] == "/contoso.example/oauth2/v2.0/token"
    assert token_call["query"] == ["api-version"]  # names only
    assert token_call["status"] == 400
    assert token_call["headers"]["authorization"] == "Basic"
    assert token_call["headers"]["user-agent"] == "probe/1"
    assert token_call["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert api_call["path"] == "/api/advancedqueries/run" and api_call["status"] == 401
    assert api_call["headers"]["authorization"] == "Bearer"
