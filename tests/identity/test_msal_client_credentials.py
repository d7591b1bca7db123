"""Unmodified MSAL Python gets app-only tokens from xdrlab with a secret and a certificate."""

from __future__ import annotations

import time
from typing import Any

import jwt
import msal
import pytest

from tests.conftest import Live
from tests.identity.jwks import verify_with_jwks

DEFENDER = "https://api.security.microsoft.com"
DEFENDER_ROLES = [
    "AdvancedHunting.Read.All",
    "Incident.Read.All",
    "Incident.ReadWrite.All",
    "CustomDetections.ReadWrite.All",
]


def _app(
    live: Live, credential: Any, tenant: str | None = None
) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        live.demo.client_id,
        client_credential=credential,
        authority=f"{live.base_url}/{tenant or live.tenant_id}",
        instance_discovery=False,
    )


def _check_app_token(live: Live, result: dict[str, Any], *, acr: str, audience: str) -> None:
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer"
    assert 3500 <= result["expires_in"] <= 3600
    header = jwt.get_unverified_header(result["access_token"])
    assert header["typ"] == "JWT"
    assert header["alg"] == "RS256"
    assert header["x5t"] == header["kid"]  # v1 tokens carry both

    claims = verify_with_jwks(
        result["access_token"],
        f"{live.base_url}/{live.tenant_id}/discovery/keys",
        str(live.ca_file),
        audience,
    )
    now = time.time()
    tid = live.tenant_id
    assert claims["aud"] == audience
    assert claims["iss"] == f"{live.base_url}/{tid}/"
    assert claims["idp"] == claims["iss"]
    assert claims["tid"] == tid
    assert claims["appid"] == live.demo.client_id
    assert claims["appidacr"] == acr
    assert claims["idtyp"] == "app"
    assert claims["ver"] == "1.0"
    assert claims["oid"] == claims["sub"]
    assert claims["oid"] != live.demo.client_id  # the service principal, not the app
    assert claims["roles"] == DEFENDER_ROLES
    assert "scp" not in claims
    assert claims["iat"] == claims["nbf"]
    assert now - 330 <= claims["nbf"] <= now - 270  # backdated five minutes, as production
    assert now + 3500 <= claims["exp"] <= now + 3610
    assert len(claims["uti"]) >= 16


def test_secret(live: Live) -> None:
    result = _app(live, live.demo.client_secret).acquire_token_for_client([f"{DEFENDER}/.default"])
    _check_app_token(live, result, acr="1", audience=DEFENDER)


def test_secret_with_domain_authority(live: Live) -> None:
    app = _app(live, live.demo.client_secret, tenant=live.demo.tenant_domain)
    result = app.acquire_token_for_client([f"{DEFENDER}/.default"])
    _check_app_token(live, result, acr="1", audience=DEFENDER)


def test_certificate_rs256_x5t(live: Live) -> None:
    """PEM key + SHA-1 thumbprint: MSAL signs RS256 with an `x5t` header."""
    credential = {
        "private_key": live.demo.private_key_file.read_text(),
        "thumbprint": live.demo.certificate_thumbprint,
    }
    result = _app(live, credential).acquire_token_for_client([f"{DEFENDER}/.default"])
    _check_app_token(live, result, acr="2", audience=DEFENDER)


def test_certificate_ps256_x5t_s256(live: Live) -> None:
    """With the public certificate MSAL signs PS256 with `x5t#S256` and `x5c`."""
    credential = {
        "private_key": live.demo.private_key_file.read_text(),
        "public_certificate": live.demo.certificate_file.read_text(),
    }
    result = _app(live, credential).acquire_token_for_client([f"{DEFENDER}/.default"])
    _check_app_token(live, result, acr="2", audience=DEFENDER)


@pytest.mark.parametrize(
    ("scope", "audience"),
    [
        ("https://security.microsoft.com/mtp//.default", "https://security.microsoft.com/mtp/"),
        (
            "https://securitycenter.microsoft.com/mtp/.default",
            "https://securitycenter.microsoft.com/mtp",
        ),
        ("8ee8fdad-f234-4243-8f3b-15c294843740/.default", "8ee8fdad-f234-4243-8f3b-15c294843740"),
    ],
)
def test_audience_echoes_the_identifier_requested(live: Live, scope: str, audience: str) -> None:
    result = _app(live, live.demo.client_secret).acquire_token_for_client([scope])
    _check_app_token(live, result, acr="1", audience=audience)


def test_graph_token_carries_graph_roles(live: Live) -> None:
    result = _app(live, live.demo.client_secret).acquire_token_for_client(
        ["https://graph.microsoft.com/.default"]
    )
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["roles"] == [
        "ThreatHunting.Read.All",
        "SecurityIncident.Read.All",
        "SecurityIncident.ReadWrite.All",
        "SecurityAlert.Read.All",
        "SecurityAlert.ReadWrite.All",
    ]


def test_msal_error_surfaces_aadsts(live: Live) -> None:
    result = _app(live, "not-the-secret").acquire_token_for_client([f"{DEFENDER}/.default"])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
