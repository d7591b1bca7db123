"""One settings model for the whole server; every field documents itself.

Values come from keyword arguments (the CLI) or ``XDRLAB_*`` environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_state_dir() -> Path:
    return Path(os.environ.get("XDRLAB_STATE", ".xdrlab-state"))


class Settings(BaseSettings):
    """Server configuration: each field can also be set as ``XDRLAB_<FIELD>`` in the environment
    (e.g. ``XDRLAB_RATE_LIMITS='{"hunting": "10/60"}'``); explicit arguments win."""

    model_config = SettingsConfigDict(env_prefix="XDRLAB_", extra="ignore")

    state_dir: Path = Field(
        default_factory=_default_state_dir,
        description="Folder holding all server state: the SQLite control plane, the hunting "
        "lake, the local CA and TLS certificate, the master key and demo.json.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the control plane. Defaults to a SQLite file "
        "`xdrlab.db` inside the state folder.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8443, description="TCP port the server listens on (0 = any free).")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes sharing the listening socket. One process uses one core "
        "(Python's GIL); set this to the number of cores for throughput.",
    )
    tls: bool = Field(
        default=True,
        description="Serve HTTPS with a certificate from xdrlab's local CA. MSAL and "
        "azure-identity refuse plain-HTTP authorities, so this is on by default.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL clients use to reach the server (e.g. https://localhost:8443). "
        "Derived from host, port and tls when unset. It appears in discovery documents, "
        "issuers and error_uri values.",
    )
    access_token_lifetime_seconds: int = Field(
        default=3599,
        description="Lifetime of access tokens, as `expires_in` reports it (production: 3599 "
        "for client-credential tokens).",
    )
    token_backdate_seconds: int = Field(
        default=300,
        description="How far `iat`/`nbf` are set before the issue time, as the production "
        "token service does to tolerate clock skew.",
    )
    clock_skew_seconds: int = Field(
        default=300, description="Tolerated clock skew when checking `nbf`/`exp` of assertions."
    )
    production_issuers: bool = Field(
        default=False,
        description="Put production's issuers in tokens and discovery documents "
        "(`https://sts.windows.net/{tid}/`, `https://login.microsoftonline.com/{tid}/v2.0`) "
        "instead of issuers on xdrlab's own base URL. For the host-name mode, where xdrlab "
        "answers as the production hosts.",
    )
    hostnames_address: str | None = Field(
        default=None,
        description="The host-name mode (`serve --hostnames`): a loopback address on which "
        "xdrlab also listens on port 443 and answers production's host names "
        "(login.microsoftonline.com, api.security.microsoft.com, graph.microsoft.com, ...) as "
        "production does, with production's issuers. `xdrlab run` runs programs against it; "
        "see docs/hostnames.md.",
    )
    signing_key_bits: int = Field(default=2048, description="RSA modulus size of signing keys.")
    request_log: bool = Field(
        default=False,
        description="Log one JSON line per request to stderr: listening address, Host, method, "
        "path, the names of the query parameters, status, duration and the headers that tell "
        "clients apart (Content-Type, the Authorization scheme, User-Agent, ...). Never "
        "credentials: bodies are not read, of Authorization only the scheme is kept.",
    )
    rate_limits_enabled: bool = Field(
        default=True, description="Enforce the API call quotas (429 with Retry-After)."
    )
    rate_limits: dict[str, str] = Field(
        default_factory=dict,
        description="Quota overrides per operation (`hunting`, `advancedqueries`, "
        "`incidents.list`, `incidents.get`, `incidents.update`, `alerts.list`) as "
        "`calls/seconds[,calls/seconds]`, "
        'e.g. `{"hunting": "45/60"}`. Unset operations keep production\'s published quotas.',
    )
    hunting_row_limit: int = Field(
        default=100_000, ge=1, description="Most rows an advanced hunting query returns."
    )
    hunting_timeout_seconds: float = Field(
        default=180.0,
        gt=0,
        description="Time an advanced hunting query may run (production: 3 minutes).",
    )
    hunting_lookback_days: int = Field(
        default=30,
        ge=1,
        description="How far back advanced hunting sees data (production: 30 days).",
    )
    hunting_engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Engine that runs advanced hunting queries: `duckdb` (embedded, in the "
        "server process) or `spark` (Spark SQL; needs the `spark` extra and Java, see "
        "docs/distributed.md).",
    )
    spark_master: str = Field(
        default="local[2]",
        description="Spark master URL for `hunting_engine=spark`: `local[N]`, "
        "`spark://host:7077` or `yarn`. A cluster's executors must reach the lake's files "
        "at the same path.",
    )

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'xdrlab.db'}"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.tls else "http"
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::1", "::") else self.host
        if (scheme, self.port) in (("https", 443), ("http", 80)):
            return f"{scheme}://{host}"  # as clients write it, so issuers and URLs match theirs
        return f"{scheme}://{host}:{self.port}"
