"""A local certificate authority and the server certificate it issues.

The CA lives in the state folder (`tls/ca.pem`, `tls/ca-key.pem`) so clients trust it once; the
server certificate is re-issued whenever its names no longer cover the host being served or it
is close to expiry.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from xdrlab.files import write_private

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _ensure_ca(
    directory: Path, now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_file, key_file = directory / "ca.pem", directory / "ca-key.pem"
    if ca_file.exists() and key_file.exists():
        cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > now:
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "xdrlab"),
            x509.NameAttribute(NameOID.COMMON_NAME, "xdrlab local CA"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(key_file, _key_pem(key))
    ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _covers(cert: x509.Certificate, names: set[str], now: dt.datetime) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    present |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    return names <= present and cert.not_valid_after_utc - now > dt.timedelta(days=7)


def ensure_tls(
    state_dir: Path, extra_names: tuple[str, ...] = (), *, now: dt.datetime | None = None
) -> TlsFiles:
    """The CA and a server certificate for localhost, loopback and `extra_names`."""
    now = now or dt.datetime.now(dt.UTC)
    directory = state_dir / "tls"
    directory.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = _ensure_ca(directory, now)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    names = {
        str(ipaddress.ip_address(n)) if _is_ip(n) else n.lower()
        for n in (*DEFAULT_NAMES, *extra_names)
        if n not in ("0.0.0.0", "::")
    }
    if files.cert_file.exists() and files.key_file.exists():
        current = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
        if current.issuer == ca_cert.subject and _covers(current, names, now):
            return files
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xdrlab server")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=397))
        .add_extension(
            x509.SubjectAlternativeName([_san(n) for n in sorted(names)]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_private(files.key_file, _key_pem(key))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return files


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
