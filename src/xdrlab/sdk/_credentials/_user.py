"""User context: a person's token through the device code flow or the password grant (labs and
the Defender samples). The first token comes with a refresh token, which renews it silently."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xdrlab.sdk._credentials._base import Credential
from xdrlab.sdk._credentials._tokens import (
    USER_SCOPES,
    TokenResponse,
    endpoint,
    parse_token,
    post_form,
    request_token,
)
from xdrlab.sdk._errors import AuthenticationError, token_error
from xdrlab.sdk._runner import Blocking, Flow, Sleep
from xdrlab.sdk._transport import HttpSettings

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class _UserCredential(Credential):
    """A public client unless `client_secret` is given (a confidential web app)."""

    def __init__(
        self, tenant_id: str, client_id: str, *, client_secret: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        self._secret = client_secret

    def _client_auth(self, token_url: str) -> dict[str, str]:
        return {"client_secret": self._secret} if self._secret else {}


class UsernamePasswordCredential(_UserCredential):
    """The password grant (ROPC): for labs and the Defender user-context samples. Production
    refuses it for accounts with MFA and federated accounts; prefer the browser or device code."""

    def __init__(
        self, tenant_id: str, client_id: str, username: str, password: str, **kwargs: Any
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        self.username = username
        self._password = password

    def _acquire(self, scope: str, authority: str, settings: HttpSettings) -> Flow[TokenResponse]:
        url = endpoint(authority, self.tenant_id, "token")
        form = {
            "grant_type": "password",
            "client_id": self.client_id,
            "username": self.username,
            "password": self._password,
            "scope": f"{scope} {USER_SCOPES}",
            **self._client_auth(url),
        }
        return (yield from request_token(settings, url, form, self.clock))


@dataclass(frozen=True)
class DeviceCode:
    """What the person needs: open `verification_uri`, enter `user_code` (`message` says so)."""

    user_code: str
    device_code: str
    verification_uri: str
    expires_in: int
    interval: int
    message: str


def _print_message(code: DeviceCode) -> None:
    print(code.message, file=sys.stderr, flush=True)


class DeviceCodeCredential(_UserCredential):
    """The device code flow: `prompt_callback(DeviceCode)` shows the code (default: prints the
    message to stderr), then the credential polls until the person has signed in. The callback
    may block (a UI, a test approving the code): the poll starts once it returns."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        prompt_callback: Callable[[DeviceCode], Any] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        self.prompt_callback = prompt_callback or _print_message
        self.timeout = timeout

    def _acquire(self, scope: str, authority: str, settings: HttpSettings) -> Flow[TokenResponse]:
        response = yield from post_form(
            settings,
            endpoint(authority, self.tenant_id, "devicecode"),
            {"client_id": self.client_id, "scope": f"{scope} {USER_SCOPES}"},
        )
        if response.status_code != 200:
            raise token_error(response)
        body = response.json()
        code = DeviceCode(
            str(body["user_code"]),
            str(body["device_code"]),
            str(body.get("verification_uri") or body.get("verification_url") or ""),
            int(body.get("expires_in", 900)),
            int(body.get("interval", 5)),
            str(body.get("message") or ""),
        )
        lifetime = float(code.expires_in if self.timeout is None else self.timeout)
        deadline = time.monotonic() + lifetime
        yield Blocking(lambda: self.prompt_callback(code))
        url = endpoint(authority, self.tenant_id, "token")
        interval = float(code.interval)
        while True:
            answer = yield from post_form(
                settings,
                url,
                {
                    "grant_type": DEVICE_CODE_GRANT,
                    "client_id": self.client_id,
                    "device_code": code.device_code,
                    **self._client_auth(url),
                },
            )
            if answer.status_code == 200:
                return parse_token(answer.json(), self.clock())
            error = token_error(answer)
            if error.code == "slow_down":
                interval += 5  # RFC 8628 section 3.5
            elif error.code != "authorization_pending":
                raise error
            if time.monotonic() + interval > deadline:
                raise AuthenticationError(
                    f"the device code was not used within {lifetime:.0f} seconds",
                    code="expired_token",
                )
            yield Sleep(interval)
