"""Helpers for the real-client tests: apps of their own (so call quotas never cross tests), a
demo.json-shaped document for them, and what xdrlab's request log saw.

The live server runs in this process; clients run here or in a child process (a notebook is a
process) and their requests land in the `xdrlab.requests` log, which these tests read.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Live
from xdrlab.files import write_private
from xdrlab.identity import apps, consent, tenants
from xdrlab.identity.catalogue import (
    DEFENDER_XDR,
    MICROSOFT_GRAPH,
    WINDOWS_DEFENDER_ATP,
    Resource,
)
from xdrlab.identity.credentials import thumbprints
from xdrlab.server.request_log import log as request_log

_numbers = itertools.count(1)
ALL_HUNTING: dict[Resource, list[str]] = {
    DEFENDER_XDR: ["AdvancedHunting.Read.All"],
    MICROSOFT_GRAPH: ["ThreatHunting.Read.All"],
    WINDOWS_DEFENDER_ATP: ["AdvancedQuery.Read.All"],
}


@dataclass
class ClientApp:
    """A daemon app in the demo tenant with a secret and a certificate."""

    live: Live
    client_id: str
    client_secret: str
    certificate_file: Path
    private_key_file: Path
    thumbprint: str  # SHA-1, upper-case hex

    @property
    def tenant_id(self) -> str:
        return self.live.tenant_id

    @property
    def token_url(self) -> str:
        return self.live.token_url(2)

    def demo_document(self) -> dict[str, Any]:
        """demo.json as `xdrlab demo` writes it, with this app in place of the demo daemon."""
        return {
            **self.live.demo_json,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "certificate_file": str(self.certificate_file),
            "private_key_file": str(self.private_key_file),
            "certificate_bundle_file": str(self.certificate_file.with_suffix(".bundle.pem")),
            "certificate_thumbprint": self.thumbprint,
        }


MakeClientApp = Callable[..., ClientApp]


@pytest.fixture
def client_app(live: Live, tmp_path: Path) -> MakeClientApp:
    """`client_app(grants=ALL_HUNTING)` → a new app holding `grants` (resource → roles)."""

    def make(grants: dict[Resource, list[str]] | None = None) -> ClientApp:
        state = live.state
        number = next(_numbers)
        with state.sessions.begin() as session:
            tenant = tenants.find_tenant(session, live.demo.tenant_domain)
            assert tenant is not None
            app = apps.create_app(session, state.clock, tenant, f"client test app {number}")
            secret = apps.add_secret(session, state.clock, state.secret_hash_key, app).value
            key, cert = apps.generate_key_pair(f"CN=client test app {number}", state.clock.now())
            apps.add_certificate(session, state.clock, app, cert, "test")
            consent.ensure_service_principal(session, state.clock, tenant, app)
            for resource, roles in (ALL_HUNTING if grants is None else grants).items():
                consent.grant_app_roles(session, state.clock, tenant, app, resource, roles)
            client_id = app.app_id
        folder = tmp_path / f"app-{number}"
        folder.mkdir()
        cert_file, key_file = folder / "cert.pem", folder / "key.pem"
        cert_file.write_bytes(apps.certificate_pem(cert))
        write_private(key_file, apps.private_key_pem(key))
        write_private(
            cert_file.with_suffix(".bundle.pem"), key_file.read_bytes() + cert_file.read_bytes()
        )
        return ClientApp(live, client_id, secret, cert_file, key_file, thumbprints(cert)[0])

    return make


class RequestsSeen:
    """The request log's records, flattened: `method`, `path`, `status`, `query` (the names,
    comma-separated), `authorization` (the scheme) and each notable header by its name."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    def since(self, mark: int) -> list[dict[str, str]]:
        return self.calls[mark:]

    def mark(self) -> int:
        return len(self.calls)


class _Collector(logging.Handler):
    def __init__(self, seen: RequestsSeen) -> None:
        super().__init__(logging.INFO)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        entry = json.loads(record.getMessage())  # one JSON object a line
        call = {
            "method": entry["method"],
            "path": entry["path"],
            "status": str(entry["status"]),
            "host": entry["host"],
        }
        if entry["query"]:
            call["query"] = ",".join(entry["query"])
        call.update(entry["headers"])
        self.seen.calls.append(call)


@pytest.fixture
def requests_seen(live: Live) -> Iterator[RequestsSeen]:
    """Turns xdrlab's request log on for one test and collects what it records."""
    logger = request_log
    seen = RequestsSeen()
    handler = _Collector(seen)
    level = logger.level
    # The records also reach pytest's log capture: shown with a failure, or live with
    # `-o log_cli=true --log-cli-level=INFO`.
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def route(call: dict[str, str]) -> str:
    """`METHOD /path` with tenant ids written `{tenant}`, as the docs write them."""
    return f"{call['method']} {GUID.sub('{tenant}', call['path'])}"
