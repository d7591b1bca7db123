"""Verifying an access token the way a resource server does: keys from the published JWKS."""

from __future__ import annotations

import ssl
from typing import Any

import jwt


def verify_with_jwks(token: str, jwks_uri: str, ca_file: str, audience: str) -> dict[str, Any]:
    client = jwt.PyJWKClient(
        jwks_uri, cache_keys=False, ssl_context=ssl.create_default_context(cafile=ca_file)
    )
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=audience,
        options={"require": ["exp", "nbf", "iat", "iss", "aud"]},
    )
