"""Unmodified azure-identity credentials get tokens from xdrlab (authority pointed at it,
instance discovery disabled)."""

from __future__ import annotations

import time

import jwt
from azure.identity import CertificateCredential, ClientSecretCredential

from tests.conftest import Live
from tests.identity.jwks import verify_with_jwks

SCOPE = "https://api.security.microsoft.com/.default"


def _claims(live: Live, token: str) -> dict[str, object]:
    return verify_with_jwks(
        token,
        f"{live.base_url}/{live.tenant_id}/discovery/keys",
        str(live.ca_file),
        "https://api.security.microsoft.com",
    )


def test_client_secret_credential(live: Live) -> None:
    credential = ClientSecretCredential(
        live.tenant_id,
        live.demo.client_id,
        live.demo.client_secret,
        authority=live.base_url,
        disable_instance_discovery=True,
    )
    token = credential.get_token(SCOPE)
    assert token.expires_on > time.time() + 3000
    claims = _claims(live, token.token)
    assert claims["appid"] == live.demo.client_id
    assert claims["appidacr"] == "1"
    assert claims["tid"] == live.tenant_id
    assert claims["idtyp"] == "app"
    assert "AdvancedHunting.Read.All" in claims["roles"]  # type: ignore[operator]


def test_certificate_credential(live: Live) -> None:
    credential = CertificateCredential(
        live.tenant_id,
        live.demo.client_id,
        str(live.demo.bundle_file),
        authority=live.base_url,
        disable_instance_discovery=True,
    )
    token = credential.get_token(SCOPE)
    header = jwt.get_unverified_header(token.token)
    assert header["kid"]
    claims = _claims(live, token.token)
    assert claims["appidacr"] == "2"
    assert claims["appid"] == live.demo.client_id


def test_certificate_credential_with_chain(live: Live) -> None:
    """`send_certificate_chain=True` adds `x5c` to the assertion header; still accepted."""
    credential = CertificateCredential(
        live.demo.tenant_domain,
        live.demo.client_id,
        str(live.demo.bundle_file),
        authority=live.base_url,
        disable_instance_discovery=True,
        send_certificate_chain=True,
    )
    claims = _claims(live, credential.get_token(SCOPE).token)
    assert claims["tid"] == live.tenant_id
