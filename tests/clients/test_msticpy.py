"""msticpy, unmodified, pointed at xdrlab by its configuration file alone.

Its three Defender providers read one `MicrosoftDefender` section: `M365D` and `MDE` query
Defender for Endpoint's path (`/api/advancedqueries/run`, a token for
`https://api.securitycenter.microsoft.com`), `M365DGraph` the Graph security API. The login host
comes from the cloud metadata document at `Azure.resource_manager_url`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clients.conftest import ClientApp, MakeClientApp, RequestsSeen, route
from tests.conftest import Live
from xdrlab.demo.msticpy_config import write_msticpy_config

NOTEBOOK = Path(__file__).with_name("msticpy_notebook.py")
QUERY = (
    "DeviceProcessEvents | where FileName =~ 'powershell.exe' "
    "| project Timestamp, DeviceName, FileName, ProcessCommandLine "
    "| order by Timestamp asc | take 5"
)
BAD_QUERY = "DeviceProcessEvents | where NoSuchColumn == 1"
BAD_QUERY_MESSAGE = "'where' operator: Failed to resolve scalar expression named 'NoSuchColumn'"
API_PATH = {
    "MDE": "/api/advancedqueries/run",
    "M365D": "/api/advancedqueries/run",
    "M365DGraph": "/v1.0/security/runHuntingQuery",
}


def notebook_environment(live: Live, config: Path) -> dict[str, str]:
    """A notebook's environment: the configuration file and the CA (msticpy talks through
    httpx, which reads SSL_CERT_FILE). Not pytest's marker: msticpy takes PYTEST_CURRENT_TEST to
    mean its own unit tests and then skips the metadata document for a built-in copy."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return {**environment, "MSTICPYCONFIG": str(config), "SSL_CERT_FILE": str(live.ca_file)}


def run_notebook(live: Live, config: Path, provider: str, query: str) -> Any:
    return subprocess.run(
        [sys.executable, str(NOTEBOOK), provider, query],
        capture_output=True,
        text=True,
        env=notebook_environment(live, config),
        cwd=config.parent,
        timeout=180,
        check=False,
    )


def notebook(live: Live, config: Path, provider: str, query: str) -> dict[str, Any]:
    """Run the notebook in its own process; its JSON answer."""
    done = run_notebook(live, config, provider, query)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def config_for(app: ClientApp, folder: Path) -> Path:
    """msticpyconfig.yaml as `xdrlab demo` writes it, for `app`."""
    return write_msticpy_config(folder, app.demo_document())


def _rows_from_api(app: ClientApp) -> list[dict[str, Any]]:
    """The same query through the Defender XDR API, as the server answers it."""
    with app.live.client() as client:
        token = client.post(
            app.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "scope": "https://api.security.microsoft.com/.default",
            },
        ).json()["access_token"]
        response = client.post(
            "/api/advancedhunting/run",
            json={"Query": QUERY},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["Results"]
    return rows


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")[:23] + "+00:00")


@pytest.mark.parametrize("provider", ["M365D", "MDE", "M365DGraph"])
def test_each_provider_returns_the_rows_with_aware_datetimes(
    live: Live,
    client_app: MakeClientApp,
    requests_seen: RequestsSeen,
    tmp_path: Path,
    provider: str,
) -> None:
    app = client_app()
    config = config_for(app, tmp_path)
    result = notebook(live, config, provider, QUERY)

    assert result["type"] == "pandas.DataFrame", result
    assert list(result["columns"]) == ["Timestamp", "DeviceName", "FileName", "ProcessCommandLine"]
    assert result["columns"]["Timestamp"].startswith("datetime64")
    assert result["timezones"] == {"Timestamp": "UTC"}
    expected = _rows_from_api(app)
    assert len(result["rows"]) == len(expected) == 5
    for got, want in zip(result["rows"], expected, strict=True):
        assert got["DeviceName"] == want["DeviceName"]
        assert got["ProcessCommandLine"] == want["ProcessCommandLine"]
        assert _instant(got["Timestamp"]) == _instant(want["Timestamp"])

    # What msticpy sent, as xdrlab logged it: the metadata document, a token request posted
    # without a Content-Type, then the query with the token.
    calls = [c for c in requests_seen.calls if c.get("useragent", "").startswith("MSTICPy")]
    metadata = [c for c in requests_seen.calls if c["path"] == "/metadata/endpoints"]
    assert metadata and metadata[0]["status"] == "200" and metadata[0]["query"] == "api-version"
    assert [route(c) for c in calls] == [
        "POST /{tenant}/oauth2/v2.0/token",
        f"POST {API_PATH[provider]}",
    ]
    token_call, query_call = calls
    assert "content-type" not in token_call and "authorization" not in token_call
    assert query_call["authorization"] == "Bearer" and query_call["status"] == "200"
    assert query_call["content-type"] == "application/json"


@pytest.mark.parametrize("provider", ["MDE", "M365DGraph"])
def test_a_bad_query_shows_the_servers_diagnostic(
    live: Live, client_app: MakeClientApp, tmp_path: Path, provider: str
) -> None:
    result = notebook(live, config_for(client_app(), tmp_path), provider, BAD_QUERY)
    # msticpy logs the server's error.message, then raises for the status: never a KeyError or
    # TypeError from reading the body.
    assert result["error"] == "httpx.HTTPStatusError", result
    assert "400 Bad Request" in result["text"]
    warnings = [m for m in result["logged"] if m.startswith("WARNING")]
    assert any(f"Response error: {BAD_QUERY_MESSAGE}" in m for m in warnings), result["logged"]


def test_the_demo_configuration_works_as_written(
    live: Live, requests_seen: RequestsSeen, tmp_path: Path
) -> None:
    """The file `xdrlab serve --demo` writes beside demo.json: the first query is one
    exec_query away."""
    config = write_msticpy_config(tmp_path, live.demo_json)
    assert config.name == "msticpyconfig.yaml"
    assert config.stat().st_mode & 0o077 == 0  # it holds the demo secret, like demo.json
    text = config.read_text()
    assert f'resource_manager_url: "{live.base_url}/"' in text
    assert f'apiRoot: "{live.base_url}"' in text
    assert f"export MSTICPYCONFIG={config.resolve()}" in text
    assert f"export SSL_CERT_FILE={live.ca_file.resolve()}" in text

    result = notebook(live, config, "MDE", "DeviceProcessEvents | take 3")
    assert result["type"] == "pandas.DataFrame", result
    assert len(result["rows"]) == 3
    assert result["timezones"]["Timestamp"] == "UTC"


def test_a_wrong_secret_reaches_the_notebook_as_the_token_services_words(
    live: Live, client_app: MakeClientApp, tmp_path: Path
) -> None:
    app = client_app()
    app.client_secret = "not-the-secret"
    done = run_notebook(live, config_for(app, tmp_path), "MDE", QUERY)
    # connect() raises msticpy's own error with the AADSTS description it read.
    assert done.returncode != 0
    assert "MsticpyConnectionError" in done.stderr
    assert "Could not obtain access token - AADSTS7000215: Invalid client secret provided." in (
        done.stderr
    )
