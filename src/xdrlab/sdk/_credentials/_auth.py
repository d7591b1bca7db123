"""Adapters from whatever credential the caller passes to what the pipeline needs: the SDK's own
credentials (their flows run on the client's connection), azure-identity's `TokenCredential`
(called in a worker thread by the async client) and `AsyncTokenCredential` (awaited)."""

from __future__ import annotations

import inspect
import time
from typing import Any

from xdrlab.sdk._credentials._base import Clock, Credential
from xdrlab.sdk._errors import AuthenticationError
from xdrlab.sdk._runner import Await, Blocking, Flow
from xdrlab.sdk._transport import Auth, HttpSettings


class CredentialAuth:
    def __init__(self, credential: Credential, authority: str, settings: HttpSettings) -> None:
        self.credential = credential
        self.authority = authority
        self.settings = settings

    def token(self, scope: str) -> Flow[str]:
        access = yield from self.credential.token_flow(scope, self.authority, self.settings)
        return access.token

    def invalidate(self, scope: str, token: str) -> None:
        self.credential.invalidate(scope, token, self.authority)


class ForeignAuth:
    """Any object with `get_token(*scopes)` returning `.token` and `.expires_on`; tokens are
    kept until `refresh_margin` before they expire, so a thread hop is not paid per call."""

    def __init__(
        self, credential: Any, *, is_async: bool, clock: Clock = time.time, margin: float = 300
    ) -> None:
        self.credential = credential
        self.is_async = is_async
        self.clock = clock
        self.margin = margin
        self._cache: dict[str, tuple[str, float]] = {}

    def token(self, scope: str) -> Flow[str]:
        cached = self._cache.get(scope)
        if cached is not None and self.clock() < cached[1] - self.margin:
            return cached[0]
        try:
            if self.is_async:
                access = yield Await(lambda: self.credential.get_token(scope))
            else:
                access = yield Blocking(lambda: self.credential.get_token(scope))
        except AuthenticationError:
            raise
        except Exception as failure:
            raise AuthenticationError(f"{type(failure).__name__}: {failure}") from failure
        self._cache[scope] = (str(access.token), float(access.expires_on))
        return str(access.token)

    def invalidate(self, scope: str, token: str) -> None:
        if self._cache.get(scope, ("",))[0] == token:
            del self._cache[scope]


def make_auth(
    credential: Any, authority: str, settings: HttpSettings, *, is_async: bool, clock: Clock
) -> Auth:
    if isinstance(credential, Credential):
        return CredentialAuth(credential, authority, settings)
    get_token = getattr(credential, "get_token", None)
    if get_token is None:
        raise TypeError(
            "credential must be an xdrlab.sdk credential or have get_token(*scopes) "
            "(azure-identity's TokenCredential or AsyncTokenCredential)"
        )
    awaitable = inspect.iscoroutinefunction(get_token)
    if awaitable and not is_async:
        raise TypeError("an async credential (azure.identity.aio) needs the AsyncClient")
    return ForeignAuth(credential, is_async=awaitable, clock=clock)
