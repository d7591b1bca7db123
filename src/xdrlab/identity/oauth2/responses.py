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
