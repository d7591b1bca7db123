"""The requests the Defender docs' samples and generic OAuth clients send, byte for byte."""

from __future__ import annotations

import base64
import urllib.parse

import jwt

from tests.conftest import Live

RESOURCE = "https://api.security.microsoft.com"


def _docs_body(live: Live) -> bytes:
    # The Defender docs' v1 sample builds exactly this form body.
    return urllib.parse.urlencode(
        {
            "resource": RESOURCE,
            "client_id": live.demo.client_id,
            "client_secret": live.demo.client_secret,
            "grant_type": "client_credentials",
        }
    ).encode()


def test_docs_v1_sample_byte_for_byte(live: Live) -> None:
    with live.client() as client:
        response = client.post(
            live.token_url(1),
            content=_docs_body(live),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store, no-cache"
    body = response.json()
    assert list(body) == [
        "token_type",
        "expires_in",
        "ext_expires_in",
        "expires_on",
        "not_before",
        "resource",
        "access_token",
    ]
    assert body["token_type"] == "Bearer"
    for field in ("expires_in", "ext_expires_in", "expires_on", "not_before"):
        assert isinstance(body[field], str) and body[field].isdigit()
    assert body["expires_in"] == "3599"
    assert int(body["expires_on"]) - int(body["not_before"]) == 3899
    assert body["resource"] == RESOURCE
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == RESOURCE
    assert claims["exp"] == int(body["expires_on"])
    assert claims["nbf"] == int(body["not_before"])


def test_v2_response_has_integers_and_no_scope(live: Live) -> None:
    with live.client() as client:
        response = client.post(
            live.token_url(2),
            data={
                "grant_type": "client_credentials",
                "client_id": live.demo.client_id,
                "client_secret": live.demo.client_secret,
                "scope": f"{RESOURCE}/.default",
            },
        )
    body = response.json()
    assert list(body) == ["token_type", "expires_in", "ext_expires_in", "access_token"]
    assert body["expires_in"] == 3599
    assert body["ext_expires_in"] == 3599


def test_body_without_content_type(live: Live) -> None:
    """Some clients (msticpy's secret flow) post the urlencoded body with no Content-Type."""
    with live.client() as client:
        request = client.build_request("POST", live.token_url(1), content=_docs_body(live))
        assert "content-type" not in request.headers
        response = client.send(request)
    assert response.status_code == 200, response.text


def test_charset_parameter_and_http_basic(live: Live) -> None:
    """Authlib's default: client_secret_basic, with `;charset=UTF-8` on the content type."""
    raw = f"{live.demo.client_id}:{live.demo.client_secret}".encode()
    with live.client() as client:
        response = client.post(
            live.token_url(2),
            content=urllib.parse.urlencode(
                {"grant_type": "client_credentials", "scope": f"{RESOURCE}/.default"}
            ).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
                "Authorization": "Basic " + base64.b64encode(raw).decode(),
            },
        )
    assert response.status_code == 200, response.text


def test_http_basic_url_encoded_as_rfc6749_says(live: Live) -> None:
    quoted = ":".join(
        urllib.parse.quote(p, safe="") for p in (live.demo.client_id, live.demo.client_secret)
    )
    with live.client() as client:
        response = client.post(
            live.token_url(2),
            data={"grant_type": "client_credentials", "scope": f"{RESOURCE}/.default"},
            headers={"Authorization": "Basic " + base64.b64encode(quoted.encode()).decode()},
        )
    assert response.status_code == 200, response.text


def test_login_windows_net_style_domain_tenant(live: Live) -> None:
    with live.client() as client:
        response = client.post(
            live.token_url(1, live.demo.tenant_domain.upper()),
            content=_docs_body(live),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["tid"] == live.tenant_id
