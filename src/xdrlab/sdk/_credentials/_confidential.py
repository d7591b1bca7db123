"""Application context: an app authenticating as itself with a client secret or a certificate
(client credentials grant), and the partner's variant bound to a customer tenant."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from pathlib import Path
from typing import Any, Literal

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from xdrlab.sdk._credentials._base import Credential
from xdrlab.sdk._credentials._tokens import TokenResponse, endpoint, request_token
from xdrlab.sdk._runner import Flow
from xdrlab.sdk._transport import HttpSettings

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 600  # seconds, as MSAL signs them


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _ConfidentialCredential(Credential):
    """Client credentials grant: `scope={resource}/.default` plus the client's proof."""

    def _acquire(self, scope: str, authority: str, settings: HttpSettings) -> Flow[TokenResponse]:
        url = endpoint(authority, self.tenant_id, "token")
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "scope": scope,
            **self._client_auth(url),
        }
        return (yield from request_token(settings, url, form, self.clock))


class ClientSecretCredential(_ConfidentialCredential):
    """An app with a client secret: ``ClientSecretCredential(tenant_id, client_id, secret)``."""

    def __init__(self, tenant_id: str, client_id: str, client_secret: str, **kwargs: Any):
        super().__init__(tenant_id, client_id, **kwargs)
        self._secret = client_secret

    def _client_auth(self, token_url: str) -> dict[str, str]:
        return {"client_secret": self._secret}


class _Certificate:
    """A certificate and its private key, from PEM (one file or two) or PKCS#12."""

    def __init__(
        self,
        certificate_path: str | Path | None,
        private_key_path: str | Path | None,
        certificate_data: bytes | None,
        password: bytes | str | None,
    ) -> None:
        data = certificate_data or (
            Path(certificate_path).read_bytes() if certificate_path else b""
        )
        if not data:
            raise ValueError("a certificate is needed: certificate_path or certificate_data")
        secret = password.encode() if isinstance(password, str) else password
        key_data = Path(private_key_path).read_bytes() if private_key_path else data
        if b"-----BEGIN" in data:
            self.chain = x509.load_pem_x509_certificates(data)
            self.key: PrivateKeyTypes = serialization.load_pem_private_key(key_data, secret)
        else:
            key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
            if key is None or cert is None:
                raise ValueError("the PKCS#12 file holds no private key or no certificate")
            self.key, self.chain = key, [cert, *extra]
        self.der = self.chain[0].public_bytes(serialization.Encoding.DER)


class CertificateCredential(_ConfidentialCredential):
    """An app with a certificate: the client proves itself with a JWT signed by the private key.

    `certificate_path` is a PEM holding the certificate (and the key, unless `private_key_path`
    names it) or a PKCS#12 file. `algorithm="RS256"` identifies the certificate by its SHA-1
    thumbprint (`x5t`); `"PS256"` by its SHA-256 one (`x5t#S256`), as MSAL does with a public
    certificate. `send_certificate_chain` adds `x5c` (subject name / issuer authentication).
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        certificate_path: str | Path | None = None,
        *,
        private_key_path: str | Path | None = None,
        certificate_data: bytes | None = None,
        password: bytes | str | None = None,
        algorithm: Literal["RS256", "PS256"] = "RS256",
        send_certificate_chain: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        self._certificate = _Certificate(
            certificate_path, private_key_path, certificate_data, password
        )
        self.algorithm = algorithm
        self.send_certificate_chain = send_certificate_chain

    def client_assertion(self, token_url: str) -> str:
        now = int(time.time())  # the server's clock, not the cache's (which tests may move)
        headers: dict[str, Any] = {"typ": "JWT"}
        der = self._certificate.der
        if self.algorithm == "PS256":
            headers["x5t#S256"] = _b64url(hashlib.sha256(der).digest())
        else:
            headers["x5t"] = _b64url(hashlib.sha1(der, usedforsecurity=False).digest())
        if self.send_certificate_chain:
            headers["x5c"] = [
                base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                for c in self._certificate.chain
            ]
        claims = {
            "aud": token_url,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME,
        }
        return jwt.encode(claims, self._certificate.key, algorithm=self.algorithm, headers=headers)  # type: ignore[arg-type]

    def _client_auth(self, token_url: str) -> dict[str, str]:
        return {
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.client_assertion(token_url),
        }
