"""Shared fixtures: one live xdrlab server (uvicorn on a loopback port, HTTPS with the state
folder's CA) with the demo tenant, and helpers to talk to it."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from xdrlab.demo.data import DemoData, seed_demo_data
from xdrlab.demo.seed import DemoCredentials, seed_demo, write_demo_json
from xdrlab.server.run import Server, bind, settle_port
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings


@dataclass
class Live:
    base_url: str
    ca_file: Path
    state: ServerState
    demo: DemoCredentials
    demo_json: dict[str, Any]
    demo_data: DemoData

    @property
    def tenant_id(self) -> str:
        return self.demo.tenant_id

    def client(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return httpx.Client(base_url=self.base_url, verify=context, timeout=30)

    def token_url(self, version: int = 2, tenant: str | None = None) -> str:
        path = "oauth2/v2.0/token" if version == 2 else "oauth2/token"
        return f"{self.base_url}/{tenant or self.tenant_id}/{path}"

    def client_credentials_form(self, **overrides: str) -> dict[str, str]:
        """A v2 client-credentials form for the demo app; `overrides` replace or add fields."""
        return {
            "grant_type": "client_credentials",
            "client_id": self.demo.client_id,
            "client_secret": self.demo.client_secret,
            "scope": "https://api.security.microsoft.com/.default",
            **overrides,
        }

    def post_token(
        self,
        data: dict[str, str] | None,
        *,
        version: int = 2,
        tenant: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        with self.client() as client:
            return client.post(self.token_url(version, tenant), data=data, **kwargs)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    state_dir = tmp_path_factory.mktemp("state")
    sock = bind("127.0.0.1", 0)
    settings = settle_port(Settings(state_dir=state_dir, host="127.0.0.1", port=0), sock)
    state = open_state(settings)
    demo = seed_demo(state)
    demo_data = seed_demo_data(state, demo.tenant_id)
    server = Server(state, sock, log_level="warning")
    server.start_in_thread()
    assert server.tls is not None
    document = demo.document(settings.base_url, server.tls.ca_file)
    write_demo_json(state_dir, document)
    saved = {
        k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")
    }
    # The way the README tells users to trust the local CA: requests reads the first two,
    # httpx and aiohttp the third.
    for name in saved:
        os.environ[name] = str(server.tls.ca_file)
    try:
        yield Live(settings.base_url, server.tls.ca_file, state, demo, document, demo_data)
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
