"""Client authentication at the token endpoint: client_secret_post, client_secret_basic and
private_key_jwt (RFC 7523 client assertions signed with a registered certificate)."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from xdrlab.identity import errors
from xdrlab.identity.apps import find_app
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.credentials import hash_client_secret
from xdrlab.identity.oauth2.assertion import (
    JWT_BEARER,
    assertion_client_id,
    verify_client_assertion,
)
from xdrlab.identity.oauth2.request import TokenRequest, url_decoded
from xdrlab.identity.tenants import is_guid
from xdrlab.store.models import Application, ServicePrincipal, Tenant


@dataclass(frozen=True)
class AuthenticatedClient:
    app: Application
    service_principal: ServicePrincipal
    tenant: Tenant
    acr: str  # appidacr: "0" public client, "1" client secret, "2" certificate
    credential_id: str | None  # keyId of the secret or certificate used


def requested_client_id(request: TokenRequest) -> str:
    client_id = request.get("client_id")
    if client_id is None and request.basic_credentials is not None:
        client_id = url_decoded(request.basic_credentials[0])
    if client_id is None and (assertion := request.get("client_assertion")) is not None:
        client_id = assertion_client_id(assertion)
    if client_id is None:
        raise errors.MISSING_PARAMETER(name="client_id")
    return client_id.strip()


def refuse_single_tenant_app_on_alias(session: Session, request: TokenRequest) -> None:
    """On `/common` or `/organizations`: a single-tenant app is AADSTS50194 (an unknown one is
    left to the grant's own checks)."""
    app = find_app(session, requested_client_id(request))
    if app is not None and not app.is_multi_tenant:
        raise errors.SINGLE_TENANT_ON_COMMON(client_id=app.app_id, name=app.display_name)


def find_client(
    session: Session, request: TokenRequest, tenant: Tenant
) -> tuple[Application, ServicePrincipal]:
    """The app and its service principal in `tenant` (700016 when the app is not there)."""
    return find_client_by_id(session, requested_client_id(request), tenant)


def find_client_by_id(
    session: Session, client_id: str, tenant: Tenant
) -> tuple[Application, ServicePrincipal]:
    """`find_client` for a client id already taken from the request.

    One query brings the app, its service principal here, its secrets and the roles granted
    to it (identity/directory_cache.py keeps what it returns)."""
    found = None
    if is_guid(client_id):
        found = (
            session.execute(
                select(Application, ServicePrincipal)
                .join(ServicePrincipal, ServicePrincipal.application_id == Application.id)
                .where(
                    Application.app_id == client_id.lower(),
                    ServicePrincipal.tenant_id == tenant.id,
                )
                .options(
                    joinedload(Application.secrets),
                    joinedload(ServicePrincipal.app_role_assignments),
                )
            )
            .unique()
            .one_or_none()
        )
    if found is None:
        raise errors.APP_NOT_FOUND_IN_TENANT(client_id=client_id, tenant=tenant.display_name)
    app, sp = found
    if not app.enabled or not sp.enabled:
        raise errors.APP_DISABLED(client_id=app.app_id, name=app.display_name)
    return app, sp


class StoredSecret(Protocol):
    """A registered secret as stored: a ClientSecret row, or the directory cache's copy."""

    @property
    def id(self) -> str: ...
    @property
    def secret_hash(self) -> str: ...
    @property
    def expires_at(self) -> dt.datetime: ...


def check_secret(
    ctx: IdentityContext, app_id: str, secrets: Sequence[StoredSecret], candidates: list[str]
) -> str:
    """The key id of the registered secret a candidate matches (7000222 if it has expired,
    7000215 if none matches)."""
    now = ctx.clock.now()
    for candidate in candidates:
        digest = hash_client_secret(ctx.secret_hash_key, candidate)
        for secret in secrets:
            if hmac.compare_digest(digest, secret.secret_hash):
                if secret.expires_at <= now:
                    raise errors.CLIENT_SECRET_EXPIRED(
                        f"secret {secret.id} expired", client_id=app_id
                    )
                return secret.id
    raise errors.INVALID_CLIENT_SECRET("no registered secret matches", client_id=app_id)


def authenticate_client(
    ctx: IdentityContext,
    session: Session,
    request: TokenRequest,
    tenant: Tenant,
    *,
    allow_public: bool = False,
) -> AuthenticatedClient:
    app, sp = find_client(session, request, tenant)
    secret = request.get("client_secret")
    assertion = request.get("client_assertion")
    basic = request.basic_credentials
    presented = secret is not None or assertion is not None or basic is not None

    if app.is_public_client and presented:
        raise errors.PUBLIC_CLIENT_WITH_CREDENTIAL(client_id=app.app_id)
    if app.is_public_client and allow_public:
        return AuthenticatedClient(app, sp, tenant, "0", None)

    if assertion is not None:
        assertion_type = request.get("client_assertion_type")
        if assertion_type != JWT_BEARER:
            if assertion_type is None:
                raise errors.MISSING_PARAMETER(name="client_assertion_type")
            raise errors.MALFORMED_REQUEST(f"client_assertion_type {assertion_type!r}")
        certificate_id = verify_client_assertion(ctx, session, request, app, tenant, assertion)
        return AuthenticatedClient(app, sp, tenant, "2", certificate_id)

    candidates: list[str] = []
    if secret is not None:
        candidates.append(secret)
    if basic is not None:
        raw = basic[1]
        candidates.extend([raw] if url_decoded(raw) == raw else [raw, url_decoded(raw)])
    if not candidates:
        raise errors.MISSING_CLIENT_CREDENTIAL(client_id=app.app_id)
    secret_id = check_secret(ctx, app.app_id, app.secrets, candidates)
    return AuthenticatedClient(app, sp, tenant, "1", secret_id)
