"""Fixtures for user-context flows: a public client and a confidential web app with delegated
Defender permissions consented for the whole tenant, and users with different directory roles."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import Live
from tests.identity.webclient import Landing, WebClient, complete
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH
from xdrlab.identity.oauth2.codes import issue_code

PASSWORD = "Correct-Horse-9"
DEFENDER = "https://api.security.microsoft.com"
DELEGATED = ["Incident.Read", "Incident.ReadWrite", "AdvancedHunting.Read"]
WEB_REDIRECT = "https://app.example.com/callback"
LOOPBACK = "http://localhost"


@dataclass
class UserLab:
    live: Live
    tenant_id: str
    domain: str
    public_client_id: str
    web_client_id: str
    web_secret: str
    operator: str  # UPN of a Security Operator
    reader: str  # UPN of a Security Reader
    operator_id: str
    reader_id: str

    def token(
        self, form: dict[str, str], *, version: int = 2, tenant: str | None = None
    ) -> httpx.Response:
        return self.live.post_token(form, version=version, tenant=tenant or self.tenant_id)

    def code(
        self,
        *,
        user_id: str | None = None,
        client_id: str | None = None,
        redirect_uri: str = LOOPBACK,
        scopes: list[str] | None = None,
        resource: str | None = None,
        version: int = 2,
        verifier: str | None = None,
        method: str = "S256",
        nonce: str | None = "n-0S6_WzA2Mj",
    ) -> str:
        """A code as the authorization endpoint would issue it after sign-in."""
        challenge = None
        if verifier is not None:
            challenge = pkce_challenge(verifier) if method == "S256" else verifier
        state = self.live.state
        with state.sessions.begin() as session:
            return issue_code(
                session,
                state.clock,
                tenant_id=self.tenant_id,
                client_id=client_id or self.public_client_id,
                user_id=user_id or self.operator_id,
                redirect_uri=redirect_uri,
                scopes=scopes
                if scopes is not None
                else [f"{DEFENDER}/.default", "openid", "profile", "offline_access"],
                resource=resource,
                endpoint_version=version,
                nonce=nonce,
                code_challenge=challenge,
                code_challenge_method=method if verifier is not None else None,
                session_id=None,
                auth_time=state.clock.now(),
            )

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        with self.live.client() as client:
            return client.request(
                method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )


def sign_in_for_flow(
    lab: UserLab, flow: dict[str, Any], upn: str, *, seen: list[str] | None = None
) -> dict[str, str]:
    """What the person does with an MSAL auth-code flow's `auth_uri`: open it in a browser, sign
    in (and accept consent if asked) until the browser returns to the redirect URI. Returns what
    the redirect URI receives (MSAL's `auth_response`)."""
    with WebClient(lab.live.base_url, lab.live.ca_file) as web:
        landing = complete(web, web.get(flow["auth_uri"]), upn, PASSWORD, seen=seen)
    assert isinstance(landing, Landing), getattr(landing, "text", landing)
    assert landing.url.split("?")[0] == flow["redirect_uri"]
    return landing.params


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_verifier() -> str:
    return secrets.token_urlsafe(48)


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest.fixture(scope="session")
def lab(live: Live) -> Iterator[UserLab]:
    state = live.state
    tag = uuid.uuid4().hex[:6]
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, live.tenant_id)
        domain = live.demo.tenant_domain
        public = apps.create_app(
            session,
            state.clock,
            tenant,
            f"user-flows public {tag}",
            public_client=True,
            redirect_uris=[LOOPBACK],
        )
        web = apps.create_app(
            session, state.clock, tenant, f"user-flows web {tag}", redirect_uris=[WEB_REDIRECT]
        )
        secret = apps.add_secret(session, state.clock, state.secret_hash_key, web).value
        for app in (public, web):
            consent.grant_delegated(session, state.clock, tenant, app, DEFENDER_XDR, DELEGATED)
            consent.grant_delegated(
                session, state.clock, tenant, app, MICROSOFT_GRAPH, ["SecurityIncident.Read.All"]
            )
        operator = users.create_user(
            session,
            state.clock,
            tenant,
            f"op-{tag}@{domain}",
            PASSWORD,
            display_name="Olga Operator",
            roles=["Security Operator"],
        )
        reader = users.create_user(
            session,
            state.clock,
            tenant,
            f"reader-{tag}@{domain}",
            PASSWORD,
            display_name="Rita Reader",
            roles=["Security Reader"],
        )
        found = UserLab(
            live,
            tenant.id,
            domain,
            public.app_id,
            web.app_id,
            secret,
            operator.user_principal_name,
            reader.user_principal_name,
            operator.id,
            reader.id,
        )
    yield found
