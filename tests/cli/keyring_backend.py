"""A keyring backend for the tests, loaded through keyring's own plugin setting
(`PYTHON_KEYRING_BACKEND`): it stands in for the OS keyring (Secret Service, Keychain,
Credential Manager), which needs a desktop session this machine does not have. It keeps the
entries in the JSON file named by `XDRLAB_TEST_KEYRING`, so a test can see what was stored."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _file(self) -> Path:
        return Path(os.environ["XDRLAB_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        if not self._file.exists():
            return {}
        data: dict[str, str] = json.loads(self._file.read_text())
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._file.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self._file.write_text(json.dumps(data))
