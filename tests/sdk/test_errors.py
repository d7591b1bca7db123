"""Each exception of the tree raised from a real error answer of the live server, carrying the
production code and the request id."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.api.conftest import MakeApp
from tests.conftest import Live
from xdrlab.sdk import (
    AccessToken,
    ApiError,
    AuthenticationError,
    Client,
    ClientSecretCredential,
    Endpoints,
    NotFoundError,
    PermissionDeniedError,
    QueryError,
    RetryPolicy,
    TransportError,
)


class FixedToken:
    """A TokenCredential handing out one token whatever happens (here: not a valid one)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(self.token, 4_000_000_000)


def test_wrong_secret_is_an_authentication_error_with_aadsts(
    live: Live, endpoints: Endpoints
) -> None:
    credential = ClientSecretCredential(live.tenant_id, live.demo.client_id, "not-the-secret")
    with (
        Client(credential, endpoints=endpoints) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    error = caught.value
    assert (error.status, error.code, error.error_codes) == (401, "invalid_client", (7000215,))
    assert error.message.startswith("AADSTS7000215: Invalid client secret provided.")
    assert error.request_id and error.correlation_id


@pytest.mark.parametrize(
    ("surface", "code"), [("defender", "Unauthorized"), ("graph", "InvalidAuthenticationToken")]
)
def test_refused_token_is_retried_once_then_raised(
    endpoints: Endpoints, surface: str, code: str
) -> None:
    credential = FixedToken("eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.")
    with (
        Client(credential, endpoints=endpoints, surface=surface) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.incidents.get(1)
    assert caught.value.status == 401 and caught.value.code == code
    assert caught.value.request_id
    assert credential.calls == 2  # the refused token was dropped and a fresh one asked for


@pytest.mark.parametrize("surface", ["defender", "graph"])
def test_missing_role_is_permission_denied(
    make_app: MakeApp, endpoints: Endpoints, surface: str
) -> None:
    app = make_app(defender=["Incident.Read.All"], graph=["SecurityIncident.Read.All"])
    credential = ClientSecretCredential(app.tenant_id, app.client_id, app.client_secret)
    with (
        Client(credential, endpoints=endpoints, surface=surface) as client,
        pytest.raises(PermissionDeniedError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    assert caught.value.status == 403 and caught.value.code == "Forbidden"
    assert "Missing application roles" in caught.value.message
    assert caught.value.request_id


@pytest.mark.parametrize(
    ("surface", "code"), [("defender", "ResourceNotFound"), ("graph", "NotFound")]
)
def test_unknown_incident_is_not_found(
    endpoints: Endpoints, secret_credential: ClientSecretCredential, surface: str, code: str
) -> None:
    with (
        Client(secret_credential, endpoints=endpoints, surface=surface) as client,
        pytest.raises(NotFoundError) as caught,
    ):
        client.incidents.get(987654321)
    assert caught.value.status == 404 and caught.value.code == code
    assert caught.value.request_id


@pytest.mark.parametrize("surface", ["defender", "graph"])
def test_bad_query_is_a_query_error_with_line_and_column(
    endpoints: Endpoints, secret_credential: ClientSecretCredential, surface: str
) -> None:
    with (
        Client(secret_credential, endpoints=endpoints, surface=surface) as client,
        pytest.raises(QueryError) as caught,
    ):
        client.hunt("DeviceInfo\n| where NoSuchColumn == 1")
    error = caught.value
    assert error.status == 400 and error.code == "BadRequest" and error.request_id
    assert [(d.line, d.column) for d in error.diagnostics] == [(2, 9)]
    assert "NoSuchColumn" in error.diagnostics[0].message


def test_bad_update_is_an_api_error(
    endpoints: Endpoints, secret_credential: ClientSecretCredential
) -> None:
    with Client(secret_credential, endpoints=endpoints, surface="defender") as client:
        incident = next(client.incidents.list(limit=1))
        with pytest.raises(ApiError) as caught:
            client.incidents.update(incident.id, status="Sleeping")
    assert type(caught.value) is ApiError
    assert caught.value.status == 400 and caught.value.code == "InvalidRequestBody"
    assert "Sleeping" in caught.value.message


def test_nothing_listening_is_a_transport_error(secret_credential: ClientSecretCredential) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    base = f"https://127.0.0.1:{port}"
    endpoints = Endpoints(authority=base, api_base=base, graph_base=base)
    retry = RetryPolicy(max_retries=2, backoff=0.01)
    with (
        Client(secret_credential, endpoints=endpoints, retry=retry) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.hunt("DeviceInfo | take 1")
    assert caught.value.status is None and "ConnectError" in caught.value.message
    assert isinstance(caught.value.__cause__, Exception)
