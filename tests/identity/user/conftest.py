"""Fixtures for user-context flows: a public client and a confidential web app with delegated
Defender permissions consented for the whole tenant, and users with different directory roles."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import Live
from tests.identity.webclient import Landing, WebClient, complete
from tests.servers import BindFailed, serve, trusting_client
from xdrlab.demo.seed import seed_demo
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH, Resource
from xdrlab.identity.oauth2.codes import issue_code
from xdrlab.server.state import ServerState

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

    def password_form(self, username: str, password: str, /, **fields: str) -> dict[str, str]:
        """A password-grant form for the lab's public client; `fields` add or replace fields."""
        return self.live.password_form(self.public_client_id, username, password, **fields)

    def password_token(self, upn: str, scope: str, client_id: str | None = None) -> str:
        """`upn`'s access token from the password grant of `client_id` (the lab's public client
        by default) in the lab's tenant; the grant must succeed."""
        return self.live.password_token(
            client_id or self.public_client_id, upn, PASSWORD, scope, tenant=self.tenant_id
        )

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


def consented_public_client(
    state: ServerState,
    tenant_id: str,
    name: str,
    grants: dict[Resource, list[str]],
    *,
    multi_tenant: bool = False,
    redirect_uris: list[str] | None = None,
) -> str:
    """A public client registered in `tenant_id` with `grants` (resource: delegated scopes)
    consented for every user there; its client id."""
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, tenant_id)
        app = apps.create_app(
            session,
            state.clock,
            tenant,
            name,
            multi_tenant=multi_tenant,
            public_client=True,
            redirect_uris=redirect_uris,
        )
        for resource, scopes in grants.items():
            consent.grant_delegated(session, state.clock, tenant, app, resource, scopes)
        return app.app_id


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


@dataclass
class DefaultPortServer:
    """xdrlab as `xdrlab serve --port 443` runs it, with its own state and demo tenant."""

    base_url: str  # https://localhost: the port is the scheme's default
    ca_file: Path
    demo: dict[str, Any]

    def user(self, role: str) -> tuple[str, str]:
        found = next(u for u in self.demo["users"] if role in u["roles"])
        return str(found["upn"]), str(found["password"])

    def api(self, path: str, token: str) -> httpx.Response:
        with trusting_client(self.base_url, self.ca_file) as client:
            return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="session")
def port_443(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DefaultPortServer]:
    """A second, real xdrlab server listening on 127.0.0.1:443. MSAL's password grant asks
    `https://<authority host>/common/userrealm/...` on port 443 whatever port the authority
    names, so an unmodified MSAL needs xdrlab there. The tests run as root; a busy or
    forbidden port fails the tests rather than skipping them."""
    state_dir = tmp_path_factory.mktemp("state-443")
    with ExitStack() as stack:
        try:
            running = stack.enter_context(
                serve(state_dir, port=443, prepare=seed_demo, log_level="warning")
            )
        except BindFailed as failure:
            pytest.fail(
                f"xdrlab must listen on 127.0.0.1:443 for MSAL's password grant (user realm "
                f"discovery always uses port 443): {failure.__cause__}. Free the port or run as "
                "root."
            )
        assert running.ca_file is not None and running.base_url == "https://localhost"
        document = running.prepared.document(running.base_url, running.ca_file)
        yield DefaultPortServer(running.base_url, running.ca_file, document)


@pytest.fixture
def trust_443(port_443: DefaultPortServer, monkeypatch: pytest.MonkeyPatch) -> DefaultPortServer:
    """Trust the port-443 server's CA the way the README tells users to (environment only)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(port_443.ca_file))
    return port_443
