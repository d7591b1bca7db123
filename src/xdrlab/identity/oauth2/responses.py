"""Successful token responses: v1 (string numbers, `resource` echoed) and v2 (integers)."""

from __future__ import annotations

from typing import Any

from xdrlab.identity.tokens import IssuedToken


def token_response(version: int, token: IssuedToken, *, resource: str) -> dict[str, Any]:
    if version == 1:
        return {
            "token_type": "Bearer",
            "expires_in": str(token.expires_in),
            "ext_expires_in": str(token.expires_in),
            "expires_on": str(token.expires_on),
            "not_before": str(token.not_before),
            "resource": resource,
            "access_token": token.access_token,
        }
    return {
        "token_type": "Bearer",
        "expires_in": token.expires_in,
        "ext_expires_in": token.expires_in,
        "access_token": token.access_token,
    }


def user_token_response(
    version: int,
    token: IssuedToken,
    *,
    resource: str,
    scope: str,
    refresh_token: str | None,
    id_token: str | None,
    client_info: str | None,
) -> dict[str, Any]:
    """A user-flow response: the access token plus `scope`, and a `refresh_token`, `id_token`
    and `client_info` when the request earned them."""
    body = token_response(version, token, resource=resource)
    extra: dict[str, Any] = {"scope": scope}
    if refresh_token is not None:
        extra["refresh_token"] = refresh_token
    if id_token is not None:
        extra["id_token"] = id_token
    if client_info is not None:
        extra["client_info"] = client_info
    return {"token_type": body.pop("token_type"), **extra, **body}
