"""Where the token service and the two APIs live: production's hosts by default, any other
deployment (xdrlab, a sovereign cloud, a regional API host) by configuration."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DEFENDER_RESOURCE = "https://api.security.microsoft.com"
GRAPH_RESOURCE = "https://graph.microsoft.com"


@dataclass(frozen=True)
class Endpoints:
    """Base URLs and resource identifiers.

    - `authority`: the token service host (`https://login.microsoftonline.com`); the tenant is
      appended (`{authority}/{tenant}/oauth2/v2.0/token`).
    - `api_base`: the Defender API (paths start with `/api/...`).
    - `graph_base`: Microsoft Graph (paths start with `/v1.0/security/...`).
    - `defender_resource`, `graph_resource`: what tokens are asked for (`{resource}/.default`).
    - `ca_file`: a CA bundle to trust instead of the system's (xdrlab's local CA).
    """

    authority: str = "https://login.microsoftonline.com"
    api_base: str = DEFENDER_RESOURCE
    graph_base: str = GRAPH_RESOURCE
    defender_resource: str = DEFENDER_RESOURCE
    graph_resource: str = GRAPH_RESOURCE
    graph_version: str = "v1.0"
    ca_file: str | None = None

    def __post_init__(self) -> None:
        for name in ("authority", "api_base", "graph_base"):
            object.__setattr__(self, name, getattr(self, name).rstrip("/"))

    @classmethod
    def production(cls, *, api_region: str | None = None) -> Endpoints:
        """The public cloud. `api_region` (`us`, `eu`, `uk`, `au`, ...) picks a regional Defender
        API host (`https://{region}.api.security.microsoft.com`), which answers faster from that
        region; tokens are the same."""
        if api_region:
            return cls(api_base=f"https://{api_region}.api.security.microsoft.com")
        return cls()

    @classmethod
    def us_gov_gcc(cls) -> Endpoints:
        """US Government Community Cloud: commercial login, GCC API host."""
        return cls(
            api_base="https://api-gcc.security.microsoft.us",
            defender_resource="https://api-gcc.security.microsoft.us",
        )

    @classmethod
    def us_gov_high(cls) -> Endpoints:
        """GCC High and DoD: the US Government login host and API hosts."""
        return cls(
            authority="https://login.microsoftonline.us",
            api_base="https://api-gov.security.microsoft.us",
            defender_resource="https://api-gov.security.microsoft.us",
            graph_base="https://graph.microsoft.us",
            graph_resource="https://graph.microsoft.us",
        )

    @classmethod
    def from_demo_json(cls, path: str | Path) -> Endpoints:
        """xdrlab's `demo.json`: its `authority`, `api_base`, `graph_base` and `ca_file`. The
        resource identifiers stay production's: xdrlab issues tokens for the same ones."""
        document = _read(path)
        return cls(
            authority=str(document["authority"]),
            api_base=str(document["api_base"]),
            graph_base=str(document["graph_base"]),
            ca_file=str(document["ca_file"]) if document.get("ca_file") else None,
        )

    def with_ca_file(self, ca_file: str | Path | None) -> Endpoints:
        return replace(self, ca_file=str(ca_file) if ca_file else None)

    def scope(self, resource: str) -> str:
        return f"{resource}/.default"

    def verify(self) -> ssl.SSLContext | bool:
        """What httpx verifies server certificates with: the CA file when one is configured,
        else the environment's default (httpx honours `SSL_CERT_FILE`)."""
        if self.ca_file:
            return ssl.create_default_context(cafile=self.ca_file)
        return True


def _read(path: str | Path) -> dict[str, Any]:
    document = json.loads(Path(path).read_text())
    if not isinstance(document, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return document
