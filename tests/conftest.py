"""Shared fixtures: one live xdrlab server (uvicorn on a loopback port, HTTPS with the state
folder's CA) with the demo tenant, and helpers to talk to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import serve, trusting_client
from xdrlab.demo.data import DemoData, seed_demo_data
from xdrlab.demo.seed import DemoCredentials, seed_demo, write_demo_json
from xdrlab.server.state import ServerState


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
        return trusting_client(self.base_url, self.ca_file)

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

    def password_form(
        self, client_id: str, username: str, password: str, /, **fields: str
    ) -> dict[str, str]:
        """A password-grant (ROPC) form for public client `client_id`; `fields` add or replace
        fields (scope, resource, client_id, ...)."""
        return {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
            **fields,
        }

    def password_token(
        self, client_id: str, username: str, password: str, scope: str, *, tenant: str
    ) -> str:
        """A user's access token from the v2 password grant in `tenant`; the grant must
        succeed."""
        form = self.password_form(client_id, username, password, scope=scope)
        response = self.post_token(form, tenant=tenant)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

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


def _seed(state: ServerState) -> tuple[DemoCredentials, DemoData]:
    demo = seed_demo(state)
    return demo, seed_demo_data(state, demo.tenant_id)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    state_dir = tmp_path_factory.mktemp("state")
    with serve(state_dir, prepare=_seed, log_level="warning") as running:
        assert running.ca_file is not None
        demo, demo_data = running.prepared
        document = demo.document(running.base_url, running.ca_file)
        write_demo_json(state_dir, document)
        saved = {
            k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")
        }
        # The way the README tells users to trust the local CA: requests reads the first two,
        # httpx and aiohttp the third.
        for name in saved:
            os.environ[name] = str(running.ca_file)
        try:
            yield Live(running.base_url, running.ca_file, running.state, demo, document, demo_data)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
