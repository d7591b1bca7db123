"""requests-oauthlib, unmodified: the backend (client credentials) flow in both of its
client-authentication styles, then the hunting API with the session it returns."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from tests.clients.conftest import MakeClientApp, RequestsSeen, route

QUERY = {"Query": "DeviceProcessEvents | project Timestamp, DeviceName | take 2"}


@pytest.mark.parametrize(
    ("include_client_id", "token_authorization"),
    [(False, "Basic"), (True, None)],
    ids=["http-basic", "secret-in-body"],
)
def test_backend_flow_gets_a_token_and_hunts(
    client_app: MakeClientApp,
    requests_seen: RequestsSeen,
    include_client_id: bool,
    token_authorization: str | None,
) -> None:
    app = client_app()
    session = OAuth2Session(client=BackendApplicationClient(client_id=app.client_id))
    token: dict[str, Any] = session.fetch_token(
        app.token_url,
        client_id=app.client_id,
        client_secret=app.client_secret,
        scope=["https://api.security.microsoft.com/.default"],
        include_client_id=include_client_id,
    )
    # No `scope` in the answer, so oauthlib raises no "Scope has changed" warning.
    assert set(token) >= {"access_token", "token_type", "expires_in", "expires_at"}
    assert "scope" not in token
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["appid"] == app.client_id and claims["appidacr"] == "1"

    response = session.post(f"{app.live.base_url}/api/advancedhunting/run", json=QUERY)
    assert response.status_code == 200, response.text
    assert len(response.json()["Results"]) == 2

    graph = OAuth2Session(client=BackendApplicationClient(client_id=app.client_id))
    graph.fetch_token(
        app.token_url,
        client_id=app.client_id,
        client_secret=app.client_secret,
        scope=["https://graph.microsoft.com/.default"],
        include_client_id=include_client_id,
    )
    answer = graph.post(f"{app.live.base_url}/v1.0/security/runHuntingQuery", json=QUERY)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["results"]) == 2

    token_calls = [c for c in requests_seen.calls if c["path"].endswith("/oauth2/v2.0/token")]
    assert [route(c) for c in token_calls] == ["POST /{tenant}/oauth2/v2.0/token"] * 2
    for call in token_calls:
        assert call["content-type"] == "application/x-www-form-urlencoded"
        assert call.get("authorization") == token_authorization
        assert call["user-agent"].startswith("python-requests/")


def test_a_wrong_secret_raises_with_the_aadsts_description(client_app: MakeClientApp) -> None:
    app = client_app()
    session = OAuth2Session(client=BackendApplicationClient(client_id=app.client_id))
    with pytest.raises(Exception) as raised:
        session.fetch_token(
            app.token_url,
            client_id=app.client_id,
            client_secret="wrong",
            scope=["https://api.security.microsoft.com/.default"],
        )
    assert type(raised.value).__name__ == "InvalidClientError"
    assert "AADSTS7000215: Invalid client secret provided." in str(raised.value)
