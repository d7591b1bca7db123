"""Token-endpoint requests and answers: the one place that posts a form to
`{authority}/{tenant}/oauth2/v2.0/...` and reads what comes back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from xdrlab.sdk._errors import AuthenticationError, token_error
from xdrlab.sdk._runner import Flow
from xdrlab.sdk._transport import HttpSettings, send

PRODUCTION_AUTHORITY = "https://login.microsoftonline.com"
# Asked with every user flow: a refresh token (offline_access) and an id token (openid profile).
USER_SCOPES = "offline_access openid profile"


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    expires_on: float  # seconds since the epoch, by the credential's clock
    refresh_token: str | None
    body: Mapping[str, Any]


def endpoint(authority: str, tenant: str, name: str) -> str:
    """`token`, `devicecode` or `authorize` of the v2 endpoints."""
    return f"{authority}/{tenant}/oauth2/v2.0/{name}"


def post_form(settings: HttpSettings, url: str, form: Mapping[str, str]) -> Flow[httpx.Response]:
    return (yield from send(settings, lambda: settings.request("POST", url, data=form)))


def parse_token(body: Any, now: float) -> TokenResponse:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise AuthenticationError("the token service answered without an access_token")
    # v2 sends integers, v1 strings; `expires_on` alone is honoured too.
    if body.get("expires_in") is not None:
        expires_on = now + float(body["expires_in"])
    elif body.get("expires_on") is not None:
        expires_on = float(body["expires_on"])
    else:
        expires_on = now + 600  # what MSAL assumes when the answer says nothing
    refresh = body.get("refresh_token")
    return TokenResponse(
        body["access_token"], expires_on, refresh if isinstance(refresh, str) else None, body
    )


def request_token(
    settings: HttpSettings,
    url: str,
    form: Mapping[str, str],
    clock: Callable[[], float],
) -> Flow[TokenResponse]:
    """POST a token request; the parsed answer or the token service's error as an exception."""
    response = yield from post_form(settings, url, form)
    if response.status_code != 200:
        raise token_error(response)
    return parse_token(response.json(), clock())
