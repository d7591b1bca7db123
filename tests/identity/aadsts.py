"""Checking a token-service error body field by field against production's shape."""

from __future__ import annotations

import re
import uuid

import httpx

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$")


def assert_aadsts(
    response: httpx.Response,
    *,
    status: int,
    error: str,
    code: int,
    text: str,
    base_url: str,
    correlation_id: str | None = None,
) -> dict[str, object]:
    """`text` is the start of the message after `AADSTSnnnn: `."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store, no-cache"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
        "error_uri",
    }, body
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert STAMP.match(body["timestamp"])
    assert GUID.match(body["trace_id"])
    assert GUID.match(body["correlation_id"])
    if correlation_id is not None:
        assert body["correlation_id"] == correlation_id
    assert body["error_uri"] == f"{base_url}/error?code={code}"
    description = body["error_description"]
    message, _, tail = description.partition("\r\nTrace ID: ")
    assert message.startswith(f"AADSTS{code}: {text}"), message
    assert tail == (
        f"{body['trace_id']}\r\nCorrelation ID: {body['correlation_id']}"
        f"\r\nTimestamp: {body['timestamp']}"
    )
    assert response.headers["x-ms-request-id"] == body["trace_id"]
    return body


def new_guid() -> str:
    return str(uuid.uuid4())
