"""Discovery documents, JWKS and instance discovery, as clients read them."""

from __future__ import annotations

import base64
import hashlib

from cryptography import x509

from tests.conftest import Live
from tests.identity.aadsts import assert_aadsts


def test_v2_document_by_domain_names_the_tenant_guid(live: Live) -> None:
    with live.client() as client:
        response = client.get(f"/{live.demo.tenant_domain}/v2.0/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    doc = response.json()
    root = f"{live.base_url}/{live.tenant_id}"
    assert doc["token_endpoint"] == f"{root}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{root}/oauth2/v2.0/authorize"
    assert doc["device_authorization_endpoint"] == f"{root}/oauth2/v2.0/devicecode"
    assert doc["jwks_uri"] == f"{root}/discovery/v2.0/keys"
    assert doc["issuer"] == f"{live.base_url}/{live.tenant_id}/v2.0"
    assert doc["token_endpoint_auth_methods_supported"] == [
        "client_secret_post",
        "private_key_jwt",
        "client_secret_basic",
    ]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["tenant_region_scope"] == "WW"


def test_v1_document(live: Live) -> None:
    with live.client() as client:
        doc = client.get(f"/{live.tenant_id}/.well-known/openid-configuration").json()
    root = f"{live.base_url}/{live.tenant_id}"
    assert doc["token_endpoint"] == f"{root}/oauth2/token"
    assert doc["jwks_uri"] == f"{root}/discovery/keys"
    assert doc["issuer"] == f"{live.base_url}/{live.tenant_id}/"
    assert doc["microsoft_multi_refresh_token"] is True


def test_common_document_keeps_alias_and_templated_issuer(live: Live) -> None:
    with live.client() as client:
        doc = client.get("/common/v2.0/.well-known/openid-configuration").json()
    assert doc["token_endpoint"] == f"{live.base_url}/common/oauth2/v2.0/token"
    assert doc["issuer"] == f"{live.base_url}/{{tenantid}}/v2.0"
    assert doc["tenant_region_scope"] is None


def test_unknown_tenant_document_is_aadsts_90002(live: Live) -> None:
    with live.client() as client:
        response = client.get("/unknown.onmicrosoft.com/v2.0/.well-known/openid-configuration")
    assert_aadsts(
        response,
        status=400,
        error="invalid_request",
        code=90002,
        text="Tenant 'unknown.onmicrosoft.com' not found.",
        base_url=live.base_url,
    )


def test_jwks_v1_and_v2(live: Live) -> None:
    with live.client() as client:
        v1 = client.get(f"/{live.tenant_id}/discovery/keys").json()
        v2 = client.get(f"/{live.tenant_id}/discovery/v2.0/keys").json()
        common = client.get("/common/discovery/keys").json()
    assert [k["kid"] for k in v1["keys"]] == [k["kid"] for k in v2["keys"]]
    assert common["keys"] == v1["keys"]
    for key in v1["keys"]:
        assert key["kty"] == "RSA"
        assert key["use"] == "sig"
        assert key["e"] == "AQAB"
        assert "issuer" not in key
        der = base64.b64decode(key["x5c"][0])
        x509.load_der_x509_certificate(der)
        thumb = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
        assert key["kid"] == key["x5t"] == thumb
    for key in v2["keys"]:
        assert key["issuer"] == f"{live.base_url}/{live.tenant_id}/v2.0"


def test_instance_discovery_answers_for_this_host(live: Live) -> None:
    authorize = f"{live.base_url}/{live.tenant_id}/oauth2/v2.0/authorize"
    with live.client() as client:
        response = client.get(
            "/common/discovery/instance",
            params={"api-version": "1.1", "authorization_endpoint": authorize},
        )
    assert response.status_code == 200
    body = response.json()
    host = live.base_url.split("://")[1]
    assert body["tenant_discovery_endpoint"] == (
        f"{live.base_url}/{live.tenant_id}/v2.0/.well-known/openid-configuration"
    )
    assert body["metadata"] == [
        {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
    ]


def test_instance_discovery_refuses_other_hosts(live: Live) -> None:
    with live.client() as client:
        response = client.get(
            "/common/discovery/instance",
            params={
                "api-version": "1.1",
                "authorization_endpoint": "https://login.example.org/common/oauth2/v2.0/authorize",
            },
        )
    assert_aadsts(
        response,
        status=400,
        error="invalid_instance",
        code=50049,
        text="Unknown or invalid instance.",
        base_url=live.base_url,
    )


def test_msal_with_instance_discovery_pointed_at_xdrlab(live: Live) -> None:
    import msal

    app = msal.ConfidentialClientApplication(
        live.demo.client_id,
        client_credential=live.demo.client_secret,
        authority=f"{live.base_url}/{live.tenant_id}",
        instance_discovery=f"{live.base_url}/common/discovery/instance",
    )
    result = app.acquire_token_for_client(["https://api.security.microsoft.com/.default"])
    assert "access_token" in result, result
