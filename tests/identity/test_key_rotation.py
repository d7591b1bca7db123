"""Rotating the signing key: new tokens use the new key, the old key stays published so tokens
it signed still verify, and the key before that is withdrawn."""

from __future__ import annotations

import time

import jwt
from typer.testing import CliRunner

from tests.conftest import Live
from tests.identity.jwks import verify_with_jwks
from xdrlab.cli.main import app as cli

AUDIENCE = "https://api.security.microsoft.com"


def _token(live: Live) -> str:
    response = live.post_token(live.client_credentials_form())
    assert response.status_code == 200
    return str(response.json()["access_token"])


def _published(live: Live) -> list[str]:
    with live.client() as client:
        return [k["kid"] for k in client.get(f"/{live.tenant_id}/discovery/keys").json()["keys"]]


def test_rotation_through_the_cli(live: Live) -> None:
    runner = CliRunner()
    jwks_uri = f"{live.base_url}/{live.tenant_id}/discovery/keys"
    old_token = _token(live)
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    result = runner.invoke(
        cli, ["keys", "rotate", "--json", "--state", str(live.state.settings.state_dir)]
    )
    assert result.exit_code == 0, result.output
    # The running server reloads its key ring every few seconds; wait for it, bounded.
    deadline = time.monotonic() + 10
    new_token = _token(live)
    while jwt.get_unverified_header(new_token)["kid"] == old_kid and time.monotonic() < deadline:
        time.sleep(0.5)
        new_token = _token(live)
    new_kid = jwt.get_unverified_header(new_token)["kid"]
    assert new_kid != old_kid
    assert _published(live)[:2] == [new_kid, old_kid]
    verify_with_jwks(old_token, jwks_uri, str(live.ca_file), AUDIENCE)
    verify_with_jwks(new_token, jwks_uri, str(live.ca_file), AUDIENCE)

    result = runner.invoke(cli, ["keys", "rotate", "--state", str(live.state.settings.state_dir)])
    assert result.exit_code == 0
    deadline = time.monotonic() + 10
    while old_kid in _published(live) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert old_kid not in _published(live)
    assert new_kid in _published(live)
