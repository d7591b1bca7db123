"""The served OpenAPI document describes the API well enough for a fuzzer, and the fuzzer finds
no server error: schemathesis generates requests from the document (valid and invalid) and sends
them, with a real token, to a real server (quotas off so every request reaches its handler)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)

from tests.api.conftest import DEFENDER, GRAPH
from tests.servers import app_tokens, serve, trusting_client
from xdrlab.demo.seed import seed_demo


class Fuzzed:
    def __init__(self, base_url: str, ca_file: Path, tokens: dict[str, str]) -> None:
        self.base_url = base_url
        self.ca_file = ca_file
        self.tokens = tokens


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    with serve(
        tmp_path_factory.mktemp("fuzz"),
        prepare=seed_demo,
        rate_limits_enabled=False,
        hunting_timeout_seconds=10,
    ) as running:
        assert running.ca_file is not None
        demo = running.prepared
        with running.client() as client:
            tokens = app_tokens(
                client, demo.tenant_id, demo.client_id, demo.client_secret, [DEFENDER, GRAPH]
            )
        yield Fuzzed(
            running.base_url,
            running.ca_file,
            {"defender": tokens[DEFENDER], "graph": tokens[GRAPH]},
        )


@pytest.fixture(scope="module")
def api_schema(fuzzed: Fuzzed) -> Any:
    return schemathesis.openapi.from_url(
        f"{fuzzed.base_url}/openapi.json", verify=str(fuzzed.ca_file)
    )


def test_openapi_lists_every_api_route(fuzzed: Fuzzed) -> None:
    with trusting_client(fuzzed.base_url, fuzzed.ca_file) as client:
        document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/advancedhunting/run",
        "/api/incidents",
        "/api/incidents/{incident_id}",
        "/v1.0/security/runHuntingQuery",
        "/v1.0/security/incidents",
        "/v1.0/security/incidents/{incident_id}",
        "/v1.0/security/alerts_v2",
    } <= set(document["paths"])
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    # Identity endpoints are protocol endpoints, documented by discovery, not here.
    assert not any("oauth2" in path for path in document["paths"])


def _fuzz(operation: Any, token: str, ca_file: Path, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def exercise(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"}, verify=str(ca_file))
        case.validate_response(
            response,
            checks=(not_a_server_error, status_code_conformance, content_type_conformance),
        )

    exercise()


def test_fuzzed_requests_never_cause_a_server_error(api_schema: Any, fuzzed: Fuzzed) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:
        surface = "graph" if operation.path.startswith(("/v1.0", "/beta")) else "defender"
        for mode in GenerationMode:  # valid requests, then requests that break the schema
            _fuzz(operation, fuzzed.tokens[surface], fuzzed.ca_file, mode)
