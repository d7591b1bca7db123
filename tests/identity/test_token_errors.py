"""Every token-service error the application context can meet, produced by a real request and
checked field by field."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import Live
from tests.identity.aadsts import assert_aadsts, new_guid
from xdrlab.identity import apps, consent, tenants
from xdrlab.identity.catalogue import DEFENDER_XDR

DEFAULT = "https://api.security.microsoft.com/.default"


@dataclass
class Fixtures:
    other_tenant_id: str
    other_app_id: str  # single-tenant app homed in the other tenant
    multi_app_id: str  # multi-tenant app homed in the demo tenant
    expired_secret_app_id: str
    expired_secret: str
    expired_cert_app_id: str
    expired_cert_key: rsa.RSAPrivateKey
    expired_cert_der: bytes


@pytest.fixture(scope="module")
def fx(live: Live) -> Iterator[Fixtures]:
    state = live.state
    clock = state.clock
    with state.sessions.begin() as session:
        demo_tenant = tenants.require_tenant(session, live.tenant_id)
        other = tenants.create_tenant(
            session, clock, "Fabrikam", f"fab{uuid.uuid4().hex[:6]}.onmicrosoft.com"
        )
        other_app = apps.create_app(session, clock, other, "fabrikam daemon")
        consent.ensure_service_principal(session, clock, other, other_app)
        apps.add_secret(session, clock, state.secret_hash_key, other_app)
        multi = apps.create_app(session, clock, demo_tenant, "mssp tool", multi_tenant=True)
        consent.ensure_service_principal(session, clock, demo_tenant, multi)
        stale = apps.create_app(session, clock, demo_tenant, "stale secret daemon")
        consent.grant_app_roles(
            session, clock, demo_tenant, stale, DEFENDER_XDR, ["Incident.Read.All"]
        )
        expired = apps.add_secret(
            session, clock, state.secret_hash_key, stale, lifetime=dt.timedelta(days=-1)
        )
        old_cert_app = apps.create_app(session, clock, demo_tenant, "stale cert daemon")
        consent.ensure_service_principal(session, clock, demo_tenant, old_cert_app)
        key, cert = apps.generate_key_pair("CN=old", clock.now() - dt.timedelta(days=30), days=2)
        apps.add_certificate(session, clock, old_cert_app, cert)
        fixtures = Fixtures(
            other.id,
            other_app.app_id,
            multi.app_id,
            stale.app_id,
            expired.value,
            old_cert_app.app_id,
            key,
            cert.public_bytes(serialization.Encoding.DER),
        )
    yield fixtures


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def demo_key(live: Live) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(live.demo.private_key_file.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def demo_cert_der(live: Live) -> bytes:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(live.demo.certificate_file.read_bytes())
    return cert.public_bytes(serialization.Encoding.DER)


def assertion(
    live: Live,
    *,
    key: rsa.RSAPrivateKey | None = None,
    cert_der: bytes | None = None,
    client_id: str | None = None,
    aud: str | None = None,
    exp_in: int = 600,
    jti: str | None = None,
    header: dict[str, Any] | None = None,
    algorithm: str = "RS256",
) -> str:
    der = cert_der if cert_der is not None else demo_cert_der(live)
    client = client_id or live.demo.client_id
    now = int(time.time())
    claims = {
        "aud": aud or live.token_url(2),
        "iss": client,
        "sub": client,
        "jti": jti or str(uuid.uuid4()),
        "exp": now + exp_in,
        "iat": now,
    }
    headers = header if header is not None else {"x5t": b64url(hashlib.sha1(der).digest())}  # noqa: S324
    return jwt.encode(claims, key or demo_key(live), algorithm=algorithm, headers=headers)


def post(
    live: Live,
    data: dict[str, str] | None = None,
    *,
    version: int = 2,
    tenant: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    with live.client() as client:
        return client.post(live.token_url(version, tenant), data=data, **kwargs)


def cc(live: Live, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": live.demo.client_id,
        "client_secret": live.demo.client_secret,
        "scope": DEFAULT,
        **extra,
    }


def cert_cc(live: Live, signed: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": live.demo.client_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": signed,
        "scope": DEFAULT,
        **extra,
    }


# -- tenant ------------------------------------------------------------------------------------


def test_unknown_tenant_guid(live: Live) -> None:
    missing = new_guid()
    assert_aadsts(
        post(live, cc(live), tenant=missing),
        status=400,
        error="invalid_request",
        code=90002,
        text=f"Tenant '{missing}' not found. Check to make sure you have the correct tenant ID",
        base_url=live.base_url,
    )


def test_unknown_tenant_domain(live: Live) -> None:
    assert_aadsts(
        post(live, cc(live), tenant="nowhere.onmicrosoft.com"),
        status=400,
        error="invalid_request",
        code=90002,
        text="Tenant 'nowhere.onmicrosoft.com' not found.",
        base_url=live.base_url,
    )


def test_malformed_tenant_identifier(live: Live) -> None:
    assert_aadsts(
        post(live, cc(live), tenant="not_a_tenant!"),
        status=400,
        error="invalid_request",
        code=900023,
        text="Specified tenant identifier 'not_a_tenant!' is neither a valid DNS name",
        base_url=live.base_url,
    )


def test_single_tenant_app_on_common(live: Live) -> None:
    assert_aadsts(
        post(live, cc(live), tenant="common"),
        status=400,
        error="invalid_request",
        code=50194,
        text=f"Application '{live.demo.client_id}'(xdrlab demo daemon) is "
        "not configured as a multi-tenant application.",
        base_url=live.base_url,
    )


def test_multi_tenant_app_on_organizations_names_no_tenant(live: Live, fx: Fixtures) -> None:
    data = cc(live, client_id=fx.multi_app_id)
    assert_aadsts(
        post(live, data, tenant="organizations"),
        status=400,
        error="invalid_request",
        code=50059,
        text="No tenant-identifying information found",
        base_url=live.base_url,
    )


# -- client lookup -----------------------------------------------------------------------------


def test_app_not_found_in_tenant(live: Live) -> None:
    unknown = new_guid()
    assert_aadsts(
        post(live, cc(live, client_id=unknown)),
        status=400,
        error="unauthorized_client",
        code=700016,
        text=f"Application with identifier '{unknown}' was not found in the directory 'Contoso'.",
        base_url=live.base_url,
    )


def test_app_of_another_tenant_is_not_found(live: Live, fx: Fixtures) -> None:
    """A single-tenant app has no service principal outside its home tenant."""
    assert_aadsts(
        post(live, cc(live, client_id=fx.other_app_id)),
        status=400,
        error="unauthorized_client",
        code=700016,
        text=f"Application with identifier '{fx.other_app_id}' was not found",
        base_url=live.base_url,
    )


# -- client secrets ----------------------------------------------------------------------------


def test_invalid_secret(live: Live) -> None:
    body = assert_aadsts(
        post(live, cc(live, client_secret="wrong")),
        status=401,
        error="invalid_client",
        code=7000215,
        text="Invalid client secret provided. Ensure the secret being sent in "
        "the request is the client secret value, not the client secret ID, for "
        f"a secret added to app '{live.demo.client_id}'.",
        base_url=live.base_url,
    )
    assert "wrong" not in str(body)


def test_invalid_secret_over_basic(live: Live) -> None:
    data = {"grant_type": "client_credentials", "scope": DEFAULT}
    response = post(live, data, auth=(live.demo.client_id, "wrong"))
    assert_aadsts(
        response,
        status=401,
        error="invalid_client",
        code=7000215,
        text="Invalid client secret provided.",
        base_url=live.base_url,
    )


def test_expired_secret(live: Live, fx: Fixtures) -> None:
    data = cc(live, client_id=fx.expired_secret_app_id, client_secret=fx.expired_secret)
    assert_aadsts(
        post(live, data),
        status=401,
        error="invalid_client",
        code=7000222,
        text=f"The provided client secret keys for app '{fx.expired_secret_app_id}' are expired.",
        base_url=live.base_url,
    )


def test_missing_credential(live: Live) -> None:
    data = cc(live)
    del data["client_secret"]
    assert_aadsts(
        post(live, data),
        status=401,
        error="invalid_client",
        code=7000218,
        text="The request body must contain the following parameter: "
        "'client_assertion' or 'client_secret'.",
        base_url=live.base_url,
    )


# -- client assertions -------------------------------------------------------------------------


def test_assertion_signed_by_another_key(live: Live) -> None:
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signed = assertion(live, key=intruder)  # x5t names the registered certificate
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700027,
        text="Client assertion contains an invalid signature. [Reason - "
        "The provided signature value did not match",
        base_url=live.base_url,
    )


def test_expired_assertion(live: Live) -> None:
    signed = assertion(live, exp_in=-3600)
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700024,
        text="Client assertion is not within its valid time range.",
        base_url=live.base_url,
    )


def test_replayed_assertion(live: Live) -> None:
    signed = assertion(live)
    first = post(live, cert_cc(live, signed))
    assert first.status_code == 200, first.text
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700027,
        text="Client assertion contains an invalid signature. [Reason - "
        "The assertion with identifier",
        base_url=live.base_url,
    )


def test_unknown_certificate(live: Live) -> None:
    other_key, other_cert = apps.generate_key_pair("CN=unregistered", dt.datetime.now(dt.UTC))
    der = other_cert.public_bytes(serialization.Encoding.DER)
    signed = assertion(live, key=other_key, cert_der=der)
    thumbprint = hashlib.sha1(der).hexdigest().upper()  # noqa: S324
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700027,
        text="The certificate with identifier used to sign the client "
        "assertion is not registered on application. [Reason - The key was not "
        f"found., Thumbprint of key used by client: '{thumbprint}'",
        base_url=live.base_url,
    )


def test_assertion_without_thumbprint(live: Live) -> None:
    signed = assertion(live, header={})
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700027,
        text="The certificate with identifier used to sign the client "
        "assertion is not registered on application. [Reason - The key was not "
        "found., Please visit",
        base_url=live.base_url,
    )


def test_assertion_for_another_audience(live: Live) -> None:
    signed = assertion(live, aud="https://login.example.com/other/oauth2/v2.0/token")
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700023,
        text="Client assertion audience claim does not match Realm issuer.",
        base_url=live.base_url,
    )


def test_assertion_for_another_tenant(live: Live, fx: Fixtures) -> None:
    signed = assertion(live, aud=live.token_url(2, fx.other_tenant_id))
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=401,
        error="invalid_client",
        code=700023,
        text="Client assertion audience claim does not match Realm",
        base_url=live.base_url,
    )


def test_assertion_from_expired_certificate(live: Live, fx: Fixtures) -> None:
    signed = assertion(
        live,
        key=fx.expired_cert_key,
        cert_der=fx.expired_cert_der,
        client_id=fx.expired_cert_app_id,
    )
    data = cert_cc(live, signed, client_id=fx.expired_cert_app_id)
    assert_aadsts(
        post(live, data),
        status=401,
        error="invalid_client",
        code=700027,
        text="The certificate with identifier used to sign the client assertion is "
        "expired on application. [Reason - The key used is expired.",
        base_url=live.base_url,
    )


def test_garbled_assertion(live: Live) -> None:
    assert_aadsts(
        post(live, cert_cc(live, "not.a.jwt")),
        status=400,
        error="invalid_request",
        code=50027,
        text="JWT token is invalid or malformed.",
        base_url=live.base_url,
    )


def test_symmetric_assertion_algorithm(live: Live) -> None:
    signed = jwt.encode({"iss": live.demo.client_id}, "x" * 32, algorithm="HS256")
    assert_aadsts(
        post(live, cert_cc(live, signed)),
        status=400,
        error="invalid_request",
        code=5002738,
        text="Invalid JWT token. 'HS256' is not a supported signature algorithm.",
        base_url=live.base_url,
    )


# -- resource and scope ------------------------------------------------------------------------


def test_resource_parameter_on_v2(live: Live) -> None:
    data = cc(live, resource="https://api.security.microsoft.com")
    assert_aadsts(
        post(live, data),
        status=400,
        error="invalid_request",
        code=901002,
        text="The 'resource' request parameter is not supported.",
        base_url=live.base_url,
    )


def test_scope_without_default(live: Live) -> None:
    scope = "https://api.security.microsoft.com/Incident.Read.All"
    assert_aadsts(
        post(live, cc(live, scope=scope)),
        status=400,
        error="invalid_scope",
        code=1002012,
        text=f"The provided value for scope {scope} is not valid. Client "
        "credential flows must have a scope value with /.default suffixed to the "
        "resource identifier (application ID URI).",
        base_url=live.base_url,
    )


def test_scope_with_two_resources(live: Live) -> None:
    scope = f"{DEFAULT} https://graph.microsoft.com/.default"
    assert_aadsts(
        post(live, cc(live, scope=scope)),
        status=400,
        error="invalid_scope",
        code=70011,
        text="The provided request must include a 'scope' input "
        f"parameter. The provided value for the input parameter 'scope' is not valid. "
        f"The scope {scope} is not valid.",
        base_url=live.base_url,
    )


def test_unknown_resource(live: Live) -> None:
    scope = "https://api.example.com/.default"
    assert_aadsts(
        post(live, cc(live, scope=scope)),
        status=400,
        error="invalid_resource",
        code=500011,
        text="The resource principal named https://api.example.com was "
        f"not found in the tenant named {live.tenant_id}.",
        base_url=live.base_url,
    )


def test_v1_missing_resource(live: Live) -> None:
    data = cc(live)
    del data["scope"]
    assert_aadsts(
        post(live, data, version=1),
        status=400,
        error="invalid_request",
        code=900144,
        text="The request body must contain the following parameter: 'resource'.",
        base_url=live.base_url,
    )


# -- request shape -----------------------------------------------------------------------------


def test_unsupported_grant_type(live: Live) -> None:
    data = cc(live, grant_type="urn:example:magic")
    assert_aadsts(
        post(live, data),
        status=400,
        error="unsupported_grant_type",
        code=70003,
        text="The app requested an unsupported grant type 'urn:example:magic'.",
        base_url=live.base_url,
    )


def test_missing_grant_type(live: Live) -> None:
    data = cc(live)
    del data["grant_type"]
    assert_aadsts(
        post(live, data),
        status=400,
        error="invalid_request",
        code=900144,
        text="The request body must contain the following parameter: 'grant_type'.",
        base_url=live.base_url,
    )


def test_json_body_is_not_a_token_request(live: Live) -> None:
    with live.client() as client:
        response = client.post(live.token_url(), json=cc(live))
    assert_aadsts(
        response,
        status=400,
        error="invalid_request",
        code=900144,
        text="The request body must contain the following parameter: 'grant_type'.",
        base_url=live.base_url,
    )


def test_body_that_is_not_utf8(live: Live) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    response = post(live, None, content=b"grant_type=\xff\xfe", headers=headers)
    assert_aadsts(
        response,
        status=400,
        error="invalid_request",
        code=9002313,
        text="Invalid request. Request is malformed or invalid.",
        base_url=live.base_url,
    )


def test_get_on_token_endpoint(live: Live) -> None:
    with live.client() as client:
        response = client.get(live.token_url())
    assert_aadsts(
        response,
        status=400,
        error="invalid_request",
        code=900561,
        text="The endpoint only accepts POST, OPTIONS requests. Received a GET request.",
        base_url=live.base_url,
    )


def test_correlation_id_is_echoed(live: Live) -> None:
    correlation = new_guid()
    response = post(
        live, cc(live, client_secret="wrong"), headers={"client-request-id": correlation}
    )
    assert_aadsts(
        response,
        status=401,
        error="invalid_client",
        code=7000215,
        text="Invalid client secret",
        base_url=live.base_url,
        correlation_id=correlation,
    )
    assert response.headers["client-request-id"] == correlation


def test_error_uri_page_explains_the_code(live: Live) -> None:
    with live.client() as client:
        page = client.get("/error", params={"code": "7000215"})
    assert page.status_code == 200
    assert "Invalid client secret provided" in page.text
