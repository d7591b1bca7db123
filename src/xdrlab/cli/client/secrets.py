"""Where profiles keep their secrets (client secrets, lab passwords, cached refresh tokens): the
OS keyring when the machine has a usable one, otherwise a separate file readable only by its
owner — never `profiles.toml`. The fallback is the same trade-off other cloud command lines make
on headless Linux; `xdrlab login` says which store it used."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

SERVICE = "xdrlab"
# Backends that exist but do not protect anything: the "no keyring" placeholders and
# third-party plain-text files.
_UNSAFE_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file")


def _usable_keyring() -> keyring.backend.KeyringBackend | None:
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if backend.priority <= 0 or module.startswith(_UNSAFE_BACKENDS):
        return None
    return backend


class SecretStore:
    """Secrets of profiles, addressed by (profile, kind)."""

    def __init__(self, directory: Path) -> None:
        self.file = directory / "credentials.json"
        self.keyring = _usable_keyring()

    @property
    def where(self) -> str:
        if self.keyring is not None:
            return f"the OS keyring ({type(self.keyring).__name__})"
        return f"{self.file} (readable only by you; no OS keyring on this machine)"

    @staticmethod
    def _key(profile: str, kind: str) -> str:
        return f"{profile}:{kind}"

    def get(self, profile: str, kind: str) -> str | None:
        key = self._key(profile, kind)
        if self.keyring is not None:
            return self.keyring.get_password(SERVICE, key)
        return self._read().get(key)

    def set(self, profile: str, kind: str, value: str) -> None:
        key = self._key(profile, kind)
        if self.keyring is not None:
            self.keyring.set_password(SERVICE, key, value)
            return
        data = self._read()
        data[key] = value
        self._write(data)

    def delete(self, profile: str, kind: str) -> None:
        key = self._key(profile, kind)
        if self.keyring is not None:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self.keyring.delete_password(SERVICE, key)
            return
        data = self._read()
        if data.pop(key, None) is not None:
            self._write(data)

    def _read(self) -> dict[str, str]:
        if not self.file.exists():
            return {}
        data = json.loads(self.file.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()}

    def _write(self, data: dict[str, str]) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        staging = self.file.with_suffix(".json.tmp")
        # Created with owner-only permissions, so the secret is never readable by others even
        # for the moment between write and chmod.
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        staging.replace(self.file)
