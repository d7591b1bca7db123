"""Authlib's OAuth 2.0 client, unmodified: `client_secret_basic` (its default),
`client_secret_post` and `private_key_jwt` with the `x5t` header production identifies the
certificate by; without that header the token service says so."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

from tests.clients.conftest import ClientApp, MakeClientApp, RequestsSeen

DEFENDER_SCOPE = "https://api.security.microsoft.com/.default"
QUERY = {"Query": "DeviceProcessEvents | project Timestamp, DeviceName | take 2"}


def x5t(app: ClientApp) -> str:
    """The certificate's SHA-1 thumbprint, base64url: the `x5t` JWT header."""
    return base64.urlsafe_b64encode(bytes.fromhex(app.thumbprint)).decode().rstrip("=")


def _hunt(session: Any, app: ClientApp) -> None:
    response = session.post(f"{app.live.base_url}/api/advancedhunting/run", json=QUERY)
    assert response.status_code == 200, response.text
    assert len(response.json()["Results"]) == 2


def _claims(token: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token["access_token"], options={"verify_signature": False})
    return claims


@pytest.mark.parametrize(
    ("method", "authorization"),
    [("client_secret_basic", "Basic"), ("client_secret_post", None)],
)
def test_client_secret_styles(
    client_app: MakeClientApp, requests_seen: RequestsSeen, method: str, authorization: str | None
) -> None:
    app = client_app()
    session = OAuth2Session(
        app.client_id,
        app.client_secret,
        token_endpoint_auth_method=method,
        scope=DEFENDER_SCOPE,
    )
    token = session.fetch_token(app.token_url, grant_type="client_credentials")
    claims = _claims(token)
    assert claims["appid"] == app.client_id and claims["appidacr"] == "1"
    _hunt(session, app)
    (call,) = [c for c in requests_seen.calls if c["path"].endswith("/oauth2/v2.0/token")]
    # Authlib's form carries a charset parameter.
    assert call["content-type"] == "application/x-www-form-urlencoded;charset=UTF-8"
    assert call.get("authorization") == authorization


def test_private_key_jwt_with_the_x5t_header(client_app: MakeClientApp) -> None:
    app = client_app()
    session = OAuth2Session(
        app.client_id,
        app.private_key_file.read_text(),
        token_endpoint_auth_method=PrivateKeyJWT(app.token_url, headers={"x5t": x5t(app)}),
        scope=DEFENDER_SCOPE,
    )
    token = session.fetch_token(app.token_url, grant_type="client_credentials")
    claims = _claims(token)
    assert claims["appid"] == app.client_id
    assert claims["appidacr"] == "2"  # a certificate credential
    _hunt(session, app)


def test_private_key_jwt_without_x5t_is_refused_with_the_reason(
    client_app: MakeClientApp,
) -> None:
    """Authlib signs without `x5t` unless told: production answers that no thumbprint was
    given, and so does xdrlab (it does not try every registered key)."""
    app = client_app()
    session = OAuth2Session(
        app.client_id,
        app.private_key_file.read_text(),
        token_endpoint_auth_method=PrivateKeyJWT(app.token_url),
        scope=DEFENDER_SCOPE,
    )
    with pytest.raises(OAuthError) as refused:
        session.fetch_token(app.token_url, grant_type="client_credentials")
    assert refused.value.error == "invalid_client"
    assert refused.value.description.startswith(
        "AADSTS50027: Invalid JWT token. No certificate thumbprint specified in token header."
    )


def test_private_key_jwt_with_another_certificate_names_its_thumbprint(
    client_app: MakeClientApp,
) -> None:
    app, other = client_app(), client_app()
    session = OAuth2Session(
        app.client_id,
        other.private_key_file.read_text(),
        token_endpoint_auth_method=PrivateKeyJWT(app.token_url, headers={"x5t": x5t(other)}),
        scope=DEFENDER_SCOPE,
    )
    with pytest.raises(OAuthError) as refused:
        session.fetch_token(app.token_url, grant_type="client_credentials")
    assert refused.value.description.startswith("AADSTS700027: ")
    assert f"Thumbprint of key used by client: '{other.thumbprint}'" in refused.value.description
