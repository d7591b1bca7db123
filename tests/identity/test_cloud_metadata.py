"""The Azure cloud metadata document at `/metadata/endpoints`: where msticpy (and azure-cli's
`cloud register`, the Go SDK) learn the login host from one configured URL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Live
from xdrlab.identity.cloud_metadata import document


def _get(live: Live, query: str) -> Any:
    with live.client() as client:
        return client.get(f"/metadata/endpoints{query}")


@pytest.mark.parametrize("version", ["latest", "2022-09-01", "2023-11-01"])
def test_current_versions_describe_one_cloud_served_here(live: Live, version: str) -> None:
    response = _get(live, f"?api-version={version}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    cloud = response.json()
    assert cloud["name"] == "xdrlab"
    assert cloud["authentication"]["loginEndpoint"] == live.base_url
    assert cloud["resourceManager"] == f"{live.base_url}/"
    # Identifiers tokens are issued for stay production's.
    assert cloud["microsoftGraphResourceId"] == "https://graph.microsoft.com/"
    assert cloud["authentication"]["audiences"] == [
        "https://management.core.windows.net/",
        "https://management.azure.com/",
    ]
    assert cloud["suffixes"]["keyVaultDns"] == "vault.azure.net"


def test_2019_to_2022_versions_answer_a_list_of_clouds(live: Live) -> None:
    response = _get(live, "?api-version=2019-05-01")
    assert response.status_code == 200
    clouds = response.json()
    assert isinstance(clouds, list) and len(clouds) == 1
    assert clouds[0]["authentication"]["loginEndpoint"] == live.base_url


def test_version_1_0_answers_the_original_document(live: Live) -> None:
    response = _get(live, "?api-version=1.0")
    assert response.status_code == 200
    assert response.json() == {
        "galleryEndpoint": "https://gallery.azure.com/",
        "graphEndpoint": "https://graph.windows.net/",
        "portalEndpoint": "https://portal.azure.com/",
        "authentication": {
            "loginEndpoint": f"{live.base_url}/",
            "audiences": ["https://management.core.windows.net/"],
        },
    }


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "MissingApiVersionParameter"),
        ("?api-version=", "MissingApiVersionParameter"),
        ("?api-version=yesterday", "InvalidApiVersionParameter"),
    ],
)
def test_a_missing_or_unknown_version_is_refused(live: Live, query: str, code: str) -> None:
    response = _get(live, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert "api-version" in error["message"]


def test_with_production_issuers_the_document_is_productions(live: Live) -> None:
    """In the host-name mode xdrlab answers as management.azure.com; the login host it names is
    then login.microsoftonline.com, which it also answers as."""
    identity = live.state.identity()
    identity.settings = identity.settings.model_copy(update={"production_issuers": True})
    cloud = document(identity, "https://management.azure.com", "latest")
    assert cloud["name"] == "AzureCloud"
    assert cloud["authentication"]["loginEndpoint"] == "https://login.microsoftonline.com"
    assert cloud["resourceManager"] == "https://management.azure.com/"
