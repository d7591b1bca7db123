"""App registrations and their credentials (client secrets and certificates)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity.authorize.redirect_uris import LOOPBACK_HOSTS
from xdrlab.identity.credentials import hash_client_secret, new_client_secret, thumbprints
from xdrlab.identity.tenants import DirectoryError, is_guid
from xdrlab.store.models import Application, Certificate, ClientSecret, Tenant

SIGN_IN_AUDIENCES = {"single": "AzureADMyOrg", "multi": "AzureADMultipleOrgs"}
DEFAULT_SECRET_LIFETIME = dt.timedelta(days=180)
# The application model's rules for a registered redirect URI: https, except http on a loopback
# host; at most 256 characters; no fragment, wildcard, whitespace or ! $ ' ( ) , ; characters. A
# private-use scheme (`msal{client id}://auth`, `myapp://callback`) is for public clients only.
MAX_REDIRECT_URIS = 256
MAX_REDIRECT_URI_LENGTH = 256
_FORBIDDEN_CHARACTERS = re.compile(r"[\s!$'(),;*#]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_NEVER_SCHEMES = frozenset({"javascript", "data", "file", "blob", "vbscript", "about", "ftp"})


def redirect_uri_problem(uri: str, *, public_client: bool) -> str | None:
    """Why `uri` cannot be registered as a redirect URI, or None when it can."""
    if len(uri) > MAX_REDIRECT_URI_LENGTH:
        return f"longer than {MAX_REDIRECT_URI_LENGTH} characters"
    if _FORBIDDEN_CHARACTERS.search(uri):
        return "no spaces, fragments, wildcards or ! $ ' ( ) , ; characters"
    if not _SCHEME.match(uri):
        return "not an absolute URI"
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "not a well-formed URI"
    scheme = parts.scheme.lower()
    if scheme == "https":
        return None if host else "no host"
    if scheme == "http":
        return None if host.lower() in LOOPBACK_HOSTS else "http only on localhost or loopback"
    if scheme in _NEVER_SCHEMES:
        return f"the {scheme} scheme is never a redirect URI"
    return None if public_client else "a custom scheme needs a public client"


def create_app(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    display_name: str,
    *,
    multi_tenant: bool = False,
    public_client: bool = False,
    redirect_uris: list[str] | None = None,
) -> Application:
    uris = list(redirect_uris or [])
    if len(uris) > MAX_REDIRECT_URIS:
        raise DirectoryError(f"an app has at most {MAX_REDIRECT_URIS} redirect URIs")
    for uri in uris:
        problem = redirect_uri_problem(uri, public_client=public_client)
        if problem is not None:
            raise DirectoryError(f"'{uri}' is not a valid redirect URI: {problem}")
    app = Application(
        home_tenant_id=tenant.id,
        display_name=display_name,
        sign_in_audience=SIGN_IN_AUDIENCES["multi" if multi_tenant else "single"],
        is_public_client=public_client,
        redirect_uris=uris,
        created_at=clock.now(),
    )
    session.add(app)
    session.flush()
    return app


def find_app(session: Session, client_id: str) -> Application | None:
    if not is_guid(client_id):
        return None
    return session.scalar(select(Application).where(Application.app_id == client_id.lower()))


def require_app(session: Session, client_id: str) -> Application:
    app = find_app(session, client_id)
    if app is None:
        raise DirectoryError(f"no application with client id '{client_id}'")
    return app


def list_apps(session: Session, tenant: Tenant | None = None) -> list[Application]:
    query = select(Application).order_by(Application.display_name)
    if tenant is not None:
        query = query.where(Application.home_tenant_id == tenant.id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class NewSecret:
    """A secret as created: `value` exists only here and is never stored or shown again."""

    key_id: str
    value: str
    hint: str
    expires_at: dt.datetime


def add_secret(
    session: Session,
    clock: Clock,
    master_key: bytes,
    app: Application,
    *,
    display_name: str = "",
    lifetime: dt.timedelta = DEFAULT_SECRET_LIFETIME,
) -> NewSecret:
    value = new_client_secret()
    now = clock.now()
    row = ClientSecret(
        application_id=app.id,
        display_name=display_name,
        hint=value[:3],
        secret_hash=hash_client_secret(master_key, value),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return NewSecret(row.id, value, row.hint, row.expires_at)


def remove_secret(session: Session, app: Application, key_id: str) -> None:
    row = session.get(ClientSecret, key_id)
    if row is None or row.application_id != app.id:
        raise DirectoryError(f"app '{app.app_id}' has no secret with key id '{key_id}'")
    session.delete(row)
    session.flush()


def add_certificate(
    session: Session,
    clock: Clock,
    app: Application,
    certificate: x509.Certificate,
    display_name: str = "",
) -> Certificate:
    sha1, sha256 = thumbprints(certificate)
    if any(c.thumbprint_sha1 == sha1 for c in app.certificates):
        raise DirectoryError(f"certificate {sha1} is already registered on this app")
    row = Certificate(
        application_id=app.id,
        display_name=display_name or certificate.subject.rfc4514_string(),
        certificate_der=certificate.public_bytes(serialization.Encoding.DER),
        thumbprint_sha1=sha1,
        thumbprint_sha256=sha256,
        not_before=certificate.not_valid_before_utc,
        expires_at=certificate.not_valid_after_utc,
        created_at=clock.now(),
    )
    app.certificates.append(row)
    session.flush()
    return row


def remove_certificate(session: Session, app: Application, key_id_or_thumbprint: str) -> None:
    wanted = key_id_or_thumbprint.upper()
    for row in app.certificates:
        if wanted in (row.id.upper(), row.thumbprint_sha1, row.thumbprint_sha256):
            app.certificates.remove(row)
            session.flush()
            return
    raise DirectoryError(f"app '{app.app_id}' has no certificate '{key_id_or_thumbprint}'")


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise DirectoryError(f"not a PEM or DER certificate: {error}") from error


def generate_key_pair(
    subject: str, now: dt.datetime, days: int = 365, bits: int = 2048
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new RSA key and a self-signed certificate for it, as the portal asks users to make."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
