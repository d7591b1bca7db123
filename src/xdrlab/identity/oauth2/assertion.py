"""RFC 7523 client assertions: a JWT the client signs with a certificate registered on its app.

Two dialects are in use: RS256 with `x5t` (SHA-1 thumbprint; MSAL with PEM and thumbprint,
azure-identity, msticpy) and PS256 with `x5t#S256` (MSAL with a public certificate, current
docs). Thumbprints come padded or unpadded. The certificate is found by thumbprint; an assertion
without one is refused, as production refuses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.credentials import thumbprint_from_header
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.store.models import Application, Certificate, Tenant, UsedAssertion
from xdrlab.timefmt import iso7

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
PRODUCTION_LOGIN_HOSTS = frozenset(
    {"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}
)


def assertion_client_id(assertion: str) -> str | None:
    """The client id an assertion claims (`iss`), for requests that send no `client_id`."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def _find_certificate(app: Application, header: dict[str, Any]) -> tuple[Certificate, str]:
    for name, attribute in (("x5t#S256", "thumbprint_sha256"), ("x5t", "thumbprint_sha1")):
        value = header.get(name)
        if not isinstance(value, str):
            continue
        thumbprint = thumbprint_from_header(value) or value
        for certificate in app.certificates:
            if getattr(certificate, attribute) == thumbprint:
                return certificate, thumbprint
        raise errors.ASSERTION_UNKNOWN_CERTIFICATE(
            f"no certificate with {name} {thumbprint}", thumbprint=thumbprint, client_id=app.app_id
        )
    raise errors.ASSERTION_NO_THUMBPRINT(
        "assertion header has no x5t or x5t#S256", client_id=app.app_id
    )


def _audience_ok(
    ctx: IdentityContext, request: TokenRequest, tenant: Tenant, audience: Any
) -> bool:
    """`aud` must be this tenant's token endpoint (v1 or v2; GUID, domain or the path segment the
    client used) on a host that serves it (this server or a production login host)."""
    audiences = audience if isinstance(audience, list) else [audience]
    hosts = {
        urlsplit(request.base_url).netloc.lower(),
        urlsplit(ctx.settings.base_url).netloc.lower(),
    }
    hosts |= PRODUCTION_LOGIN_HOSTS
    segments = {tenant.id, request.tenant.segment.lower()} | {d.name for d in tenant.domains}
    for value in audiences:
        if not isinstance(value, str):
            continue
        url = urlsplit(value.strip())
        parts = url.path.strip("/").lower().split("/")
        if (
            url.scheme in ("https", "http")
            and url.netloc.lower() in hosts
            and parts[0] in segments
            and parts[1:] in (["oauth2", "token"], ["oauth2", "v2.0", "token"])
        ):
            return True
    return False


def _portal_time(moment: dt.datetime) -> str:
    return moment.strftime("%m/%d/%Y %H:%M:%S")


def _iso_time(seconds: float) -> str:
    """Seven fractional digits and a Z, as the platform writes times in its messages."""
    return iso7(dt.datetime.fromtimestamp(seconds, dt.UTC))


def _check_lifetime(ctx: IdentityContext, claims: dict[str, Any]) -> dt.datetime:
    now = ctx.clock.now()
    skew = ctx.settings.clock_skew_seconds
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, int | float):
        raise errors.ASSERTION_MALFORMED("assertion has no numeric exp")

    too_late = now.timestamp() > exp + skew
    too_early = isinstance(nbf, int | float) and nbf > now.timestamp() + skew
    if too_late or too_early:
        raise errors.ASSERTION_EXPIRED(
            "assertion outside its time window",
            now=_iso_time(now.timestamp()),
            nbf=_iso_time(nbf if isinstance(nbf, int | float) else 0),
            exp=_iso_time(exp),
        )
    return dt.datetime.fromtimestamp(exp, dt.UTC)


def _remember_jti(
    ctx: IdentityContext, session: Session, client_id: str, jti: str, expires_at: dt.datetime
) -> None:
    now = ctx.clock.now()
    session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
    keep_until = max(expires_at, now) + dt.timedelta(seconds=ctx.settings.clock_skew_seconds)
    try:
        with session.begin_nested():
            session.add(UsedAssertion(client_id=client_id, jti=jti, expires_at=keep_until))
    except IntegrityError as error:
        raise errors.ASSERTION_REPLAYED(f"jti {jti} replayed", jti=jti) from error


def verify_client_assertion(
    ctx: IdentityContext,
    session: Session,
    request: TokenRequest,
    app: Application,
    tenant: Tenant,
    assertion: str,
) -> str:
    """Check the assertion; returns the key id of the certificate that signed it."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as error:
        raise errors.ASSERTION_MALFORMED(f"undecodable assertion: {error}") from error
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise errors.ASSERTION_ALGORITHM(alg=str(algorithm), supported=", ".join(ALGORITHMS))

    certificate, thumbprint = _find_certificate(app, header)
    now = ctx.clock.now()
    validity = {
        "thumbprint": thumbprint,
        "start": _portal_time(certificate.not_before),
        "end": _portal_time(certificate.expires_at),
    }
    if not certificate.not_before <= now < certificate.expires_at:
        raise errors.ASSERTION_CERTIFICATE_EXPIRED("certificate outside its validity", **validity)

    public_key = x509.load_der_x509_certificate(certificate.certificate_der).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):  # RS*/PS* need an RSA certificate
        raise errors.ASSERTION_BAD_SIGNATURE("certificate key is not RSA", **validity)
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            public_key,
            algorithms=[algorithm],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError as error:
        raise errors.ASSERTION_BAD_SIGNATURE("signature does not verify", **validity) from error
    except jwt.PyJWTError as error:
        raise errors.ASSERTION_MALFORMED(f"invalid assertion: {error}") from error

    form_client_id = request.get("client_id")
    if (
        claims.get("iss") != app.app_id
        or claims.get("sub") != app.app_id
        or (form_client_id is not None and form_client_id.lower() != app.app_id)
    ):
        raise errors.ASSERTION_SUBJECT_MISMATCH("iss/sub/client_id disagree")
    if not _audience_ok(ctx, request, tenant, claims.get("aud")):
        raise errors.ASSERTION_AUDIENCE_INVALID(
            f"aud {claims.get('aud')!r}", audience=str(claims.get("aud"))
        )
    expires_at = _check_lifetime(ctx, claims)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise errors.ASSERTION_MALFORMED("assertion has no jti")
    _remember_jti(ctx, session, app.app_id, jti, expires_at)
    return certificate.id
