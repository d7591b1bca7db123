"""The README's start command: `xdrlab serve --demo` in its own process, ready to use."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_demo_writes_demo_json_and_issues_tokens(tmp_path: Path, workers: str) -> None:
    state = tmp_path / "state"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xdrlab",
            "serve",
            "--demo",
            "--state",
            str(state),
            "--port",
            "0",
            "--workers",
            workers,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        demo_file = state / "demo.json"
        deadline = time.monotonic() + 60
        while not demo_file.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.2)
        demo = json.loads(demo_file.read_text())
        assert set(demo) >= {
            "tenant_id",
            "tenant_domain",
            "authority",
            "api_base",
            "graph_base",
            "client_id",
            "client_secret",
            "certificate_file",
            "private_key_file",
            "ca_file",
            "users",
        }
        assert demo["authority"].startswith("https://localhost:")
        assert demo_file.stat().st_mode & 0o077 == 0
        assert Path(demo["private_key_file"]).stat().st_mode & 0o077 == 0
        assert {u["upn"] for u in demo["users"]} >= {"admin@contoso.onmicrosoft.com"}
        context = ssl.create_default_context(cafile=demo["ca_file"])
        response = httpx.post(
            f"{demo['authority']}/{demo['tenant_domain']}/oauth2/token",
            verify=context,
            data={
                "grant_type": "client_credentials",
                "client_id": demo["client_id"],
                "client_secret": demo["client_secret"],
                "resource": "https://api.security.microsoft.com",
            },
        )
        assert response.status_code == 200, response.text
        msticpy = state / "msticpyconfig.yaml"  # beside demo.json, for msticpy users
        assert msticpy.stat().st_mode & 0o077 == 0
        assert f'apiRoot: "{demo["api_base"]}"' in msticpy.read_text()
        assert _worker_processes(process.pid) == int(workers)
    finally:
        process.terminate()
        try:
            output = process.communicate(timeout=15)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
    assert "Traceback" not in output
    assert "REQUESTS_CA_BUNDLE=" in output


def _worker_processes(pid: int) -> int:
    """Worker processes spawned by the server `pid` (with one worker, none: it serves itself)."""
    count = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:  # gone while we looked
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
            count += 1
    return count or 1


def test_second_start_reuses_the_demo_tenant(tmp_path: Path) -> None:
    from xdrlab.demo.seed import seed_demo
    from xdrlab.server.state import open_state
    from xdrlab.settings import Settings

    state = open_state(Settings(state_dir=tmp_path))
    first = seed_demo(state)
    (tmp_path / "demo.json").write_text(json.dumps(first.document("https://localhost:1", None)))
    second = seed_demo(open_state(Settings(state_dir=tmp_path)))
    assert (second.tenant_id, second.client_id, second.client_secret) == (
        first.tenant_id,
        first.client_id,
        first.client_secret,
    )
    assert second.users == first.users
