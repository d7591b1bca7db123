"""Partner context: an MSSP's multi-tenant app, consented by each customer's admin, asking for
tokens at `/{customer tenant}/...`.

Production has no call that lists the tenants which consented to an app (the consent lives in
each customer's directory). The app owner knows its candidate customers (a CRM, the admin
consent callbacks' `tenant=` parameter); `PartnerApp.consented_tenants` probes each with a token
request and keeps those that issue one. AADSTS700016 (the app is not in that directory),
65001 (not consented), 500011 (the API is not in that tenant) and 90002 (no such tenant) mean
"not consented"; any other error — a wrong secret, say — is raised, as it would fail for all.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import jwt

from xdrlab.sdk._config import Endpoints
from xdrlab.sdk._credentials._base import ssl_context
from xdrlab.sdk._credentials._confidential import CertificateCredential, _ConfidentialCredential
from xdrlab.sdk._errors import AuthenticationError
from xdrlab.sdk._runner import Flow, run_async, run_sync
from xdrlab.sdk._transport import HttpSettings

NOT_CONSENTED = frozenset({700016, 65001, 500011, 90002})


class PartnerCredential(_ConfidentialCredential):
    """A multi-tenant app's credential bound to one customer tenant: give `client_secret`, or
    a certificate (`certificate_path`, `private_key_path`, ...) as for `CertificateCredential`."""

    def __init__(
        self,
        customer_tenant_id: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        certificate_path: str | Path | None = None,
        private_key_path: str | Path | None = None,
        certificate_data: bytes | None = None,
        password: bytes | str | None = None,
        algorithm: Literal["RS256", "PS256"] = "RS256",
        **kwargs: Any,
    ) -> None:
        super().__init__(customer_tenant_id, client_id, **kwargs)
        if (client_secret is None) == (certificate_path is None and certificate_data is None):
            raise ValueError("give either client_secret or a certificate")
        self._secret = client_secret
        self._signer = (
            None
            if client_secret is not None
            else CertificateCredential(
                customer_tenant_id,
                client_id,
                certificate_path,
                private_key_path=private_key_path,
                certificate_data=certificate_data,
                password=password,
                algorithm=algorithm,
            )
        )

    @property
    def customer_tenant_id(self) -> str:
        return self.tenant_id

    def _client_auth(self, token_url: str) -> dict[str, str]:
        if self._signer is not None:
            return self._signer._client_auth(token_url)
        assert self._secret is not None
        return {"client_secret": self._secret}


@dataclass(frozen=True)
class ConsentedTenant:
    """A customer tenant that issued a token: its id, a credential bound to it (its token
    already cached), and the application roles the token carries (empty: consented, but no
    permission granted — the API will answer 403)."""

    tenant_id: str
    credential: PartnerCredential
    roles: tuple[str, ...]


def _roles(token: str) -> tuple[str, ...]:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ()
    roles = claims.get("roles") or ()
    return tuple(str(r) for r in roles) if isinstance(roles, list) else ()


class PartnerApp:
    """An MSSP's multi-tenant app: one secret or certificate, many customer tenants.

    app = PartnerApp(client_id, client_secret=secret, endpoints=endpoints)
    for customer in app.consented_tenants(candidate_tenant_ids):
        with Client(customer.credential, endpoints=endpoints) as client: ...
    """

    def __init__(
        self,
        client_id: str,
        *,
        endpoints: Endpoints | None = None,
        surface: Literal["defender", "graph"] = "defender",
        clock: Callable[[], float] = time.time,
        **credential: Any,
    ) -> None:
        self.client_id = client_id
        self.endpoints = endpoints or Endpoints.production()
        resource = (
            self.endpoints.defender_resource
            if surface == "defender"
            else self.endpoints.graph_resource
        )
        self.scope = self.endpoints.scope(resource)
        self.clock = clock
        self._credential = credential
        self._settings = HttpSettings()

    def credential(self, customer_tenant_id: str) -> PartnerCredential:
        return PartnerCredential(
            customer_tenant_id,
            self.client_id,
            authority=self.endpoints.authority,
            clock=self.clock,
            verify=ssl_context(self.endpoints.verify()),
            **self._credential,
        )

    def _probe(
        self, tenant_id: str, on_skip: Callable[[str, AuthenticationError], Any] | None
    ) -> Flow[ConsentedTenant | None]:
        credential = self.credential(tenant_id)
        try:
            token = yield from credential.token_flow(self.scope, settings=self._settings)
        except AuthenticationError as error:
            if NOT_CONSENTED.isdisjoint(error.error_codes):
                raise
            if on_skip is not None:
                on_skip(tenant_id, error)
            return None
        return ConsentedTenant(tenant_id, credential, _roles(token.token))

    def consented_tenants(
        self,
        candidates: Iterable[str],
        *,
        on_skip: Callable[[str, AuthenticationError], Any] | None = None,
    ) -> Iterator[ConsentedTenant]:
        """The candidates whose directory issues this app a token, in the order given.
        `on_skip(tenant_id, error)` hears of each one that did not."""
        with httpx.Client(verify=ssl_context(self.endpoints.verify())) as http:
            for tenant_id in candidates:
                found = run_sync(self._probe(tenant_id, on_skip), http)
                if found is not None:
                    yield found

    async def aconsented_tenants(
        self,
        candidates: Iterable[str],
        *,
        on_skip: Callable[[str, AuthenticationError], Any] | None = None,
    ) -> AsyncIterator[ConsentedTenant]:
        async with httpx.AsyncClient(verify=ssl_context(self.endpoints.verify())) as http:
            for tenant_id in candidates:
                found = await run_async(self._probe(tenant_id, on_skip), http)
                if found is not None:
                    yield found
