"""Headless Chromium (the distribution's package) driven by Playwright, against the live
server over TLS.

Chromium does not read REQUESTS_CA_BUNDLE or SSL_CERT_FILE. It trusts the certificate
authorities in the user's NSS database (`$HOME/.pki/nssdb`), which is where a user imports
xdrlab's CA by hand. The tests do the same in a throwaway HOME with `certutil`, so Chromium
verifies the server's chain, name and dates exactly as it would for a user; nothing is ignored.

Screenshots of the pages go to `$XDRLAB_SCREENSHOTS` (default `.screenshots/` in the project,
git-ignored), where CI can keep them as artifacts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import Live
from tests.identity.authorize.lab import Lab, make_lab

CHROMIUM = os.environ.get("XDRLAB_CHROMIUM", "/usr/bin/chromium")
PROJECT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def lab(live: Live) -> Lab:
    return make_lab(live.state)


@pytest.fixture(scope="session")
def browser_home(live: Live, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HOME whose NSS database trusts xdrlab's CA (and nothing else added)."""
    certutil = shutil.which("certutil")
    if certutil is None:
        pytest.fail("certutil (Debian package libnss3-tools) is needed to trust xdrlab's CA")
    home = tmp_path_factory.mktemp("browser-home")
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run([certutil, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        [
            certutil,
            "-d",
            f"sql:{nssdb}",
            "-A",
            "-t",
            "C,,",
            "-n",
            "xdrlab local CA",
            "-i",
            str(live.ca_file),
        ],
        check=True,
    )
    return home


# Module scope: Playwright's sync API keeps an asyncio loop running on the main thread while it
# is open, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="module")
def browser(browser_home: Path) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (install the chromium package)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            env={**os.environ, "HOME": str(browser_home)},
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()


@dataclass
class Shots:
    """Where the screenshots go; `take` writes one and checks a real PNG landed there."""

    folder: Path

    def take(self, page: Page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        path.unlink(missing_ok=True)  # a stale file from an earlier run proves nothing
        page.screenshot(path=path, full_page=True)
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, path
        return path


@pytest.fixture(scope="session")
def shots() -> Shots:
    folder = Path(os.environ.get("XDRLAB_SCREENSHOTS") or PROJECT / ".screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return Shots(folder)


@dataclass
class Catch:
    """A tiny loopback web server standing in for the client's redirect URI: it listens on
    127.0.0.1 and is addressed as `http://localhost:{port}`, as MSAL's listener is (a registered
    `http://localhost` matches any port on localhost, not on 127.0.0.1)."""

    port: int = 0
    hits: list[dict[str, Any]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/") -> str:
        return f"http://localhost:{self.port}{path}"

    def wait(self, timeout: float = 10) -> dict[str, Any]:
        assert self.arrived.wait(timeout), "nothing arrived at the redirect URI"
        return self.hits[-1]


@pytest.fixture
def catch() -> Iterator[Catch]:
    caught = Catch()

    class Handler(BaseHTTPRequestHandler):
        def _record(self, method: str, body: str) -> None:
            parts = urlsplit(self.path)
            caught.hits.append(
                {
                    "method": method,
                    "path": parts.path,
                    "query": dict(parse_qsl(parts.query)),
                    "form": dict(parse_qsl(body)),
                }
            )
            page = b"<!doctype html><html lang=en><title>Done</title><h1>Signed in</h1></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            caught.arrived.set()

        def do_GET(self) -> None:
            if self.path.startswith("/favicon"):
                self.send_response(404)
                self.end_headers()
                return
            self._record("GET", "")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._record("POST", self.rfile.read(length).decode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    caught.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield caught
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


__all__ = ["Catch", "Lab", "Shots", "browser", "catch", "lab", "page", "shots"]
