"""What every credential shares: the token cache (keyed by authority, tenant, client and scope,
refreshed a margin before expiry by an injectable clock), silent renewal with a refresh token,
and the azure-identity `TokenCredential` method `get_token`."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import httpx

from xdrlab.sdk._credentials._tokens import (
    PRODUCTION_AUTHORITY,
    TokenResponse,
    endpoint,
    request_token,
)
from xdrlab.sdk._errors import AuthenticationError
from xdrlab.sdk._runner import Flow, run_sync
from xdrlab.sdk._transport import HttpSettings

Clock = Callable[[], float]
Verify = ssl.SSLContext | str | Path | bool


class AccessToken(NamedTuple):
    """A bearer token and when it expires (seconds since the epoch); the same shape as
    `azure.core.credentials.AccessToken`."""

    token: str
    expires_on: int


@runtime_checkable
class TokenCredential(Protocol):
    """azure-identity's synchronous credential protocol (and ours)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


@runtime_checkable
class AsyncTokenCredential(Protocol):
    """azure-identity's asynchronous credential protocol (`azure.identity.aio`)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class _Cached:
    token: TokenResponse
    refresh_at: float


def ssl_context(verify: Verify) -> ssl.SSLContext | bool:
    """httpx wants a context (a path is deprecated there): build one from a CA file."""
    if isinstance(verify, str | Path):
        return ssl.create_default_context(cafile=str(verify))
    return verify


class Credential:
    """Base of the SDK's credentials.

    - `authority`: the token service host; None means "the client's" (its `Endpoints`); a
      direct `get_token` call then uses the host the credential last served, else production's.
    - `clock`: seconds since the epoch; tests move it to see a refresh before expiry.
    - `refresh_margin`: a cached token is renewed this long before it expires (at most half
      its lifetime before).
    - `verify`: CA bundle path, `ssl.SSLContext` or bool for direct `get_token` calls.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        authority: str | None = None,
        clock: Clock = time.time,
        refresh_margin: float = 300.0,
        verify: Verify = True,
        http: HttpSettings | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.authority = authority.rstrip("/") if authority else None
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.verify = verify
        self.http = http or HttpSettings()
        self._cache: dict[tuple[str, str, str, str], _Cached] = {}
        self._refresh_tokens: dict[str, str] = {}
        self._last_authority: str | None = None
        self._lock = threading.Lock()

    # -- what subclasses provide -------------------------------------------------------------

    def _acquire(self, scope: str, authority: str, settings: HttpSettings) -> Flow[TokenResponse]:
        """Get a new token the credential's own way (client credentials, device code, ...)."""
        raise NotImplementedError

    def _client_auth(self, token_url: str) -> dict[str, str]:
        """Form fields that authenticate the client (none for a public client)."""
        return {}

    # -- the cache -----------------------------------------------------------------------------

    def authority_for(self, default: str | None) -> str:
        if self.authority:
            return self.authority
        if default:
            return default.rstrip("/")
        return self._last_authority or PRODUCTION_AUTHORITY

    def _key(self, authority: str, scope: str) -> tuple[str, str, str, str]:
        return (authority, self.tenant_id, self.client_id, scope)

    def token_flow(
        self, scope: str, authority: str | None = None, settings: HttpSettings | None = None
    ) -> Flow[AccessToken]:
        """A valid token for `scope`: from the cache until its refresh time, else renewed
        silently with a refresh token when there is one, else acquired anew."""
        host = self.authority_for(authority)
        self._last_authority = host
        settings = settings or self.http
        key = self._key(host, scope)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and self.clock() < cached.refresh_at:
            return AccessToken(cached.token.access_token, int(cached.token.expires_on))
        response: TokenResponse | None = None
        refresh_token = self._refresh_tokens.get(host)
        if refresh_token is not None:
            try:
                response = yield from self._redeem_refresh_token(
                    scope, host, settings, refresh_token
                )
            except AuthenticationError:
                self._refresh_tokens.pop(host, None)  # expired or revoked: sign in again
        if response is None:
            response = yield from self._acquire(scope, host, settings)
        self._store(key, response)
        return AccessToken(response.access_token, int(response.expires_on))

    def _store(self, key: tuple[str, str, str, str], response: TokenResponse) -> None:
        now = self.clock()
        lifetime = max(0.0, response.expires_on - now)
        refresh_at = now + max(lifetime - self.refresh_margin, lifetime / 2)
        with self._lock:
            self._cache[key] = _Cached(response, refresh_at)
            if response.refresh_token:
                self._refresh_tokens[key[0]] = response.refresh_token

    def _redeem_refresh_token(
        self, scope: str, authority: str, settings: HttpSettings, refresh_token: str
    ) -> Flow[TokenResponse]:
        url = endpoint(authority, self.tenant_id, "token")
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": refresh_token,
            "scope": f"{scope} offline_access openid profile",
            **self._client_auth(url),
        }
        return (yield from request_token(settings, url, form, self.clock))

    def use_refresh_token(self, refresh_token: str, authority: str | None = None) -> None:
        """Start from a refresh token an earlier session kept (a command line's secret store),
        so the person is not asked to sign in again while it is valid."""
        with self._lock:
            self._refresh_tokens[self.authority_for(authority)] = refresh_token

    def current_refresh_token(self, authority: str | None = None) -> str | None:
        """The newest refresh token (they rotate on every use), for the caller to keep."""
        with self._lock:
            return self._refresh_tokens.get(self.authority_for(authority))

    def invalidate(self, scope: str, token: str, authority: str | None = None) -> None:
        """Forget a cached token the API refused (revoked, or signed with a retired key)."""
        key = self._key(self.authority_for(authority), scope)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.token.access_token == token:
                del self._cache[key]

    # -- azure-identity's TokenCredential ------------------------------------------------------

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """A token for `scopes` (one resource's, e.g. ``https://api.security.microsoft.com/
        .default``), so the credential also works with SDKs that take a `TokenCredential`."""
        if not scopes:
            raise ValueError("at least one scope is needed")
        with httpx.Client(verify=ssl_context(self.verify)) as http:
            return run_sync(self.token_flow(" ".join(scopes)), http)
