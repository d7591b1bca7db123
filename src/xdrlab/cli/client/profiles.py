"""Named connection profiles for the people's commands (`xdrlab login`, `hunt`, `incidents`,
`token`): where the service is, who signs in and how. Stored as TOML in the user's config
folder; secrets never go in this file (see `secrets.py`)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w
import typer

DEFAULT_PROFILE = "default"
CONFIG_ENV = "XDRLAB_CONFIG_DIR"


class Context(StrEnum):
    """How a profile signs in: the three access contexts, by credential."""

    APP_SECRET = "app-secret"  # noqa: S105 - a context's name
    APP_CERTIFICATE = "app-certificate"
    DEVICE_CODE = "device-code"
    BROWSER = "browser"
    PASSWORD = "password"  # noqa: S105 - a context's name


class Surface(StrEnum):
    DEFENDER = "defender"
    GRAPH = "graph"


class ProfileError(Exception):
    """A profile is missing or unusable; the message says what to do."""


@dataclass
class Profile:
    name: str
    context: Context
    tenant: str
    client_id: str
    authority: str
    api_base: str
    graph_base: str
    surface: Surface = Surface.DEFENDER
    # Partner context: the customer tenant this profile's tokens are for (the app is registered
    # in `tenant`, its home); empty for the other contexts.
    customer_tenant: str = ""
    certificate_file: str = ""
    private_key_file: str = ""
    username: str = ""
    ca_file: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def token_tenant(self) -> str:
        """The tenant tokens are requested from: the customer's in the partner context."""
        return self.customer_tenant or self.tenant

    @property
    def verify(self) -> str | bool:
        return self.ca_file or True

    def to_toml(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "name" and v not in ("", {})}
        data["context"] = str(self.context)
        data["surface"] = str(self.surface)
        return data

    @classmethod
    def from_toml(cls, name: str, data: dict[str, Any]) -> Profile:
        known = {f.name for f in fields(cls)} - {"name"}
        unknown = set(data) - known
        if unknown:
            raise ProfileError(f"profile {name!r} has unknown keys: {', '.join(sorted(unknown))}")
        try:
            values = dict(data)
            values["context"] = Context(values["context"])
            values["surface"] = Surface(values.get("surface", Surface.DEFENDER))
            return cls(name=name, **values)
        except (KeyError, ValueError, TypeError) as error:
            raise ProfileError(f"profile {name!r} is not valid: {error}") from error


def config_dir() -> Path:
    """`$XDRLAB_CONFIG_DIR`, else the platform's config folder for xdrlab."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else Path(typer.get_app_dir("xdrlab"))


class ProfileStore:
    """`profiles.toml`: `[profiles.NAME]` tables plus `default = "NAME"`."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / "profiles.toml"

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        try:
            return tomllib.loads(self.path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ProfileError(f"{self.path} is not valid TOML: {error}") from error

    def _write(self, document: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(".toml.tmp")
        staging.write_text(tomli_w.dumps(document), encoding="utf-8")
        staging.chmod(0o600)
        staging.replace(self.path)

    def default_name(self) -> str:
        return str(self._read().get("default", DEFAULT_PROFILE))

    def names(self) -> list[str]:
        return sorted(self._read().get("profiles", {}))

    def get(self, name: str | None = None) -> Profile:
        document = self._read()
        chosen = name or str(document.get("default", DEFAULT_PROFILE))
        data = document.get("profiles", {}).get(chosen)
        if data is None:
            raise ProfileError(
                f"no profile named {chosen!r}; sign in first with `xdrlab login --profile {chosen}`"
            )
        return Profile.from_toml(chosen, data)

    def save(self, profile: Profile, *, make_default: bool) -> None:
        document = self._read()
        document.setdefault("profiles", {})[profile.name] = profile.to_toml()
        if make_default or "default" not in document:
            document["default"] = profile.name
        self._write(document)

    def remove(self, name: str) -> bool:
        document = self._read()
        removed = document.get("profiles", {}).pop(name, None) is not None
        if document.get("default") == name:
            document.pop("default")
        if removed:
            self._write(document)
        return removed
