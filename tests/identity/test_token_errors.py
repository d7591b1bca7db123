"""Every token-service error the application context can meet, produced by a real request and
checked field by field."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
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

RESOURCE = "https://api.security.microsoft.com"
DEFAULT = f"{RESOURCE}/.default"


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


def cert_form(live: Live, signed: str, **extra: str) -> dict[str, str]:
    form = live.client_credentials_form(
        client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion=signed,
        **extra,
    )
    del form["client_secret"]
    return form


def without(form: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in form.items() if k != name}


Send = Callable[[Live, Fixtures], httpx.Response]
Text = Callable[[Live, Fixtures], str]


@dataclass(frozen=True)
class Case:
    id: str
    send: Send
    status: int
    error: str
    code: int
    text: Text


def _unknown_certificate(live: Live, fx: Fixtures) -> httpx.Response:
    key, cert = UNREGISTERED
    signed = assertion(live, key=key, cert_der=cert.public_bytes(serialization.Encoding.DER))
    return live.post_token(cert_form(live, signed))


def _json_body(live: Live, fx: Fixtures) -> httpx.Response:
    with live.client() as client:
        return client.post(live.token_url(), json=live.client_credentials_form())


def _get(live: Live, fx: Fixtures) -> httpx.Response:
    with live.client() as client:
        return client.get(live.token_url())


UNREGISTERED = apps.generate_key_pair("CN=unregistered", dt.datetime.now(dt.UTC))
UNREGISTERED_THUMBPRINT = (
    hashlib.sha1(  # noqa: S324 - a certificate thumbprint is SHA-1
        UNREGISTERED[1].public_bytes(serialization.Encoding.DER)
    )
    .hexdigest()
    .upper()
)
MISSING_TENANT = new_guid()
MISSING_CLIENT = new_guid()
TWO_RESOURCES = f"{DEFAULT} https://graph.microsoft.com/.default"
NOT_DEFAULT = "https://api.security.microsoft.com/Incident.Read.All"

CASES = [
    # -- tenant --
    Case(
        "unknown tenant guid",
        lambda live, fx: live.post_token(live.client_credentials_form(), tenant=MISSING_TENANT),
        400,
        "invalid_request",
        90002,
        lambda live, fx: (
            f"Tenant '{MISSING_TENANT}' not found. Check to make sure you have "
            "the correct tenant ID"
        ),
    ),
    Case(
        "unknown tenant domain",
        lambda live, fx: live.post_token(
            live.client_credentials_form(), tenant="nowhere.onmicrosoft.com"
        ),
        400,
        "invalid_request",
        90002,
        lambda live, fx: "Tenant 'nowhere.onmicrosoft.com' not found.",
    ),
    Case(
        "malformed tenant identifier",
        lambda live, fx: live.post_token(live.client_credentials_form(), tenant="not_a_tenant!"),
        400,
        "invalid_request",
        900023,
        lambda live, fx: "Specified tenant identifier 'not_a_tenant!' is neither a valid DNS name",
    ),
    Case(
        "single-tenant app on /common",
        lambda live, fx: live.post_token(live.client_credentials_form(), tenant="common"),
        400,
        "invalid_request",
        50194,
        lambda live, fx: (
            f"Application '{live.demo.client_id}'(xdrlab demo daemon) is not "
            "configured as a multi-tenant application."
        ),
    ),
    Case(
        "multi-tenant app on /organizations names no tenant",
        lambda live, fx: live.post_token(
            live.client_credentials_form(client_id=fx.multi_app_id), tenant="organizations"
        ),
        400,
        "invalid_request",
        50059,
        lambda live, fx: "No tenant-identifying information found",
    ),
    # -- client lookup --
    Case(
        "app not found in tenant",
        lambda live, fx: live.post_token(live.client_credentials_form(client_id=MISSING_CLIENT)),
        400,
        "unauthorized_client",
        700016,
        lambda live, fx: (
            f"Application with identifier '{MISSING_CLIENT}' was not found in the "
            "directory 'Contoso'."
        ),
    ),
    Case(
        "single-tenant app of another tenant",
        lambda live, fx: live.post_token(live.client_credentials_form(client_id=fx.other_app_id)),
        400,
        "unauthorized_client",
        700016,
        lambda live, fx: f"Application with identifier '{fx.other_app_id}' was not found",
    ),
    # -- client secrets --
    Case(
        "invalid secret",
        lambda live, fx: live.post_token(live.client_credentials_form(client_secret="wrong")),
        401,
        "invalid_client",
        7000215,
        lambda live, fx: (
            "Invalid client secret provided. Ensure the secret being sent in the "
            "request is the client secret value, not the client secret ID, for a secret added to "
            f"app '{live.demo.client_id}'."
        ),
    ),
    Case(
        "invalid secret over HTTP Basic",
        lambda live, fx: live.post_token(
            {"grant_type": "client_credentials", "scope": DEFAULT},
            auth=(live.demo.client_id, "wrong"),
        ),
        401,
        "invalid_client",
        7000215,
        lambda live, fx: "Invalid client secret provided.",
    ),
    Case(
        "expired secret",
        lambda live, fx: live.post_token(
            live.client_credentials_form(
                client_id=fx.expired_secret_app_id, client_secret=fx.expired_secret
            )
        ),
        401,
        "invalid_client",
        7000222,
        lambda live, fx: (
            f"The provided client secret keys for app '{fx.expired_secret_app_id}' are expired."
        ),
    ),
    Case(
        "missing credential",
        lambda live, fx: live.post_token(without(live.client_credentials_form(), "client_secret")),
        401,
        "invalid_client",
        7000218,
        lambda live, fx: (
            "The request body must contain the following parameter: "
            "'client_assertion' or 'client_secret'."
        ),
    ),
    # -- client assertions --
    Case(
        "assertion signed by another key",
        lambda live, fx: live.post_token(
            cert_form(
                live,
                assertion(live, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            )
        ),
        401,
        "invalid_client",
        700027,
        lambda live, fx: (
            "Client assertion contains an invalid signature. [Reason - The "
            "provided signature value did not match"
        ),
    ),
    Case(
        "expired assertion",
        lambda live, fx: live.post_token(cert_form(live, assertion(live, exp_in=-3600))),
        401,
        "invalid_client",
        700024,
        lambda live, fx: "Client assertion is not within its valid time range.",
    ),
    Case(
        "unknown certificate",
        _unknown_certificate,
        401,
        "invalid_client",
        700027,
        lambda live, fx: (
            "The certificate with identifier used to sign the client assertion is "
            "not registered on application. [Reason - The key was not found., Thumbprint of key "
            f"used by client: '{UNREGISTERED_THUMBPRINT}'"
        ),
    ),
    Case(
        "assertion without thumbprint",
        lambda live, fx: live.post_token(cert_form(live, assertion(live, header={}))),
        401,
        "invalid_client",
        50027,
        lambda live, fx: "Invalid JWT token. No certificate thumbprint specified in token header.",
    ),
    Case(
        "assertion for another audience",
        lambda live, fx: live.post_token(
            cert_form(
                live, assertion(live, aud="https://login.example.com/other/oauth2/v2.0/token")
            )
        ),
        401,
        "invalid_client",
        700023,
        lambda live, fx: "Client assertion audience claim does not match Realm issuer.",
    ),
    Case(
        "assertion for another tenant",
        lambda live, fx: live.post_token(
            cert_form(live, assertion(live, aud=live.token_url(2, fx.other_tenant_id)))
        ),
        401,
        "invalid_client",
        700023,
        lambda live, fx: "Client assertion audience claim does not match Realm",
    ),
    Case(
        "assertion from an expired certificate",
        lambda live, fx: live.post_token(
            cert_form(
                live,
                assertion(
                    live,
                    key=fx.expired_cert_key,
                    cert_der=fx.expired_cert_der,
                    client_id=fx.expired_cert_app_id,
                ),
                client_id=fx.expired_cert_app_id,
            )
        ),
        401,
        "invalid_client",
        700027,
        lambda live, fx: (
            "The certificate with identifier used to sign the client assertion is "
            "expired on application. [Reason - The key used is expired."
        ),
    ),
    Case(
        "garbled assertion",
        lambda live, fx: live.post_token(cert_form(live, "not.a.jwt")),
        400,
        "invalid_request",
        50027,
        lambda live, fx: "JWT token is invalid or malformed.",
    ),
    Case(
        "symmetric assertion algorithm",
        lambda live, fx: live.post_token(
            cert_form(live, jwt.encode({"iss": live.demo.client_id}, "x" * 32, algorithm="HS256"))
        ),
        400,
        "invalid_request",
        5002738,
        lambda live, fx: "Invalid JWT token. 'HS256' is not a supported signature algorithm.",
    ),
    # -- resource and scope --
    Case(
        "resource parameter on v2",
        lambda live, fx: live.post_token(live.client_credentials_form(resource=RESOURCE)),
        400,
        "invalid_request",
        901002,
        lambda live, fx: "The 'resource' request parameter is not supported.",
    ),
    Case(
        "scope without /.default",
        lambda live, fx: live.post_token(live.client_credentials_form(scope=NOT_DEFAULT)),
        400,
        "invalid_scope",
        1002012,
        lambda live, fx: (
            f"The provided value for scope {NOT_DEFAULT} is not valid. Client "
            "credential flows must have a scope value with /.default suffixed to the resource "
            "identifier (application ID URI)."
        ),
    ),
    Case(
        "scope with two resources",
        lambda live, fx: live.post_token(live.client_credentials_form(scope=TWO_RESOURCES)),
        400,
        "invalid_scope",
        70011,
        lambda live, fx: (
            "The provided request must include a 'scope' input parameter. The "
            "provided value for the input parameter 'scope' is not valid. "
            f"The scope {TWO_RESOURCES} is not valid."
        ),
    ),
    Case(
        "unknown resource",
        lambda live, fx: live.post_token(
            live.client_credentials_form(scope="https://api.example.com/.default")
        ),
        400,
        "invalid_resource",
        500011,
        lambda live, fx: (
            "The resource principal named https://api.example.com was not found "
            f"in the tenant named {live.tenant_id}."
        ),
    ),
    Case(
        "v1 without resource",
        lambda live, fx: live.post_token(
            without(live.client_credentials_form(), "scope"), version=1
        ),
        400,
        "invalid_request",
        900144,
        lambda live, fx: "The request body must contain the following parameter: 'resource'.",
    ),
    # -- request shape --
    Case(
        "unsupported grant type",
        lambda live, fx: live.post_token(
            live.client_credentials_form(grant_type="urn:example:magic")
        ),
        400,
        "unsupported_grant_type",
        70003,
        lambda live, fx: "The app requested an unsupported grant type 'urn:example:magic'.",
    ),
    Case(
        "missing grant type",
        lambda live, fx: live.post_token(without(live.client_credentials_form(), "grant_type")),
        400,
        "invalid_request",
        900144,
        lambda live, fx: "The request body must contain the following parameter: 'grant_type'.",
    ),
    Case(
        "JSON body",
        _json_body,
        400,
        "invalid_request",
        900144,
        lambda live, fx: "The request body must contain the following parameter: 'grant_type'.",
    ),
    Case(
        "body that is not UTF-8",
        lambda live, fx: live.post_token(
            None,
            content=b"grant_type=\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        400,
        "invalid_request",
        9002313,
        lambda live, fx: "Invalid request. Request is malformed or invalid.",
    ),
    Case(
        "GET on the token endpoint",
        _get,
        400,
        "invalid_request",
        900561,
        lambda live, fx: (
            "The endpoint only accepts POST, OPTIONS requests. Received a GET request."
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_error(live: Live, fx: Fixtures, case: Case) -> None:
    response = case.send(live, fx)
    assert_aadsts(
        response,
        status=case.status,
        error=case.error,
        code=case.code,
        text=case.text(live, fx),
        base_url=live.base_url,
    )
    assert live.demo.client_secret not in response.text


def test_replayed_assertion(live: Live) -> None:
    signed = assertion(live)
    first = live.post_token(cert_form(live, signed))
    assert first.status_code == 200, first.text
    assert_aadsts(
        live.post_token(cert_form(live, signed)),
        status=401,
        error="invalid_client",
        code=700027,
        text="Client assertion contains an invalid signature. [Reason - "
        "The assertion with identifier",
        base_url=live.base_url,
    )


def test_correlation_id_is_echoed(live: Live) -> None:
    correlation = new_guid()
    response = live.post_token(
        live.client_credentials_form(client_secret="wrong"),
        headers={"client-request-id": correlation},
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
