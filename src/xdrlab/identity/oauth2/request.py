"""A token request as the grants see it: parsed form, endpoint version, tenant, caller's URL."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from xdrlab.identity import errors
from xdrlab.identity.tenants import TenantRef

_FORM_TYPES = ("application/x-www-form-urlencoded", "")


@dataclass
class TokenRequest:
    version: int  # 1 for /oauth2/token, 2 for /oauth2/v2.0/token
    tenant: TenantRef
    form: dict[str, str]
    base_url: str  # scheme://host[:port] the client used
    correlation_id: str
    basic_credentials: tuple[str, str] | None = None

    def get(self, name: str) -> str | None:
        value = self.form.get(name)
        return value if value not in (None, "") else None

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise errors.MISSING_PARAMETER(name=name)
        return value


def parse_form(content_type: str | None, body: bytes) -> dict[str, str]:
    """The urlencoded body. A missing Content-Type is accepted (some clients post raw bodies);
    a `;charset=` parameter is accepted; other media types cannot carry a token request."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in _FORM_TYPES:
        raise errors.MISSING_PARAMETER(
            f"unsupported Content-Type {media_type!r}", name="grant_type"
        )
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as error:
        raise errors.MALFORMED_REQUEST("body is not UTF-8") from error
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form and form[name] != value:
            raise errors.MALFORMED_REQUEST(f"parameter {name!r} given twice with different values")
        form[name] = value
    return form


def parse_basic(authorization: str | None) -> tuple[str, str] | None:
    """HTTP Basic client credentials. RFC 6749 says to URL-encode both parts before base64, but
    common clients do not, so the raw form is tried first and the URL-decoded form second by the
    caller (see `client_auth`)."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise errors.MALFORMED_REQUEST("undecodable Basic authorization header") from error
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise errors.MALFORMED_REQUEST("Basic authorization header without ':'")
    return client_id, secret


def url_decoded(value: str) -> str:
    return unquote(value.replace("+", " "))
