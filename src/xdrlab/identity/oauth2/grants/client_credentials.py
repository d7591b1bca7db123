"""The client credentials grant (application context): an app-only token for one resource."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.consent import RoleAssignment, roles_in
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2 import resources
from xdrlab.identity.oauth2.client_auth import (
    authenticate_client,
    refuse_single_tenant_app_on_alias,
)
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.identity.oauth2.responses import token_response
from xdrlab.identity.tokens import app_only_claims, sign


class ClientCredentialsGrant:
    GRANT_TYPES: tuple[str, ...] = ("client_credentials",)

    def __call__(
        self, ctx: IdentityContext, session: Session, request: TokenRequest
    ) -> GrantResult:
        tenant = request.tenant.tenant
        if tenant is None:
            _refuse_alias(session, request)
        assert tenant is not None
        if request.version == 2 and request.get("resource") is not None:
            raise errors.RESOURCE_NOT_SUPPORTED_V2()

        client = authenticate_client(ctx, session, request, tenant)
        return issue_app_token(
            ctx,
            version=request.version,
            form=request.form,
            tenant_label=request.tenant.segment,
            tenant_id=tenant.id,
            app_id=client.app.app_id,
            acr=client.acr,
            service_principal_id=client.service_principal.id,
            credential_id=client.credential_id,
            role_assignments=client.service_principal.app_role_assignments,
        )


def issue_app_token(
    ctx: IdentityContext,
    *,
    version: int,
    form: Mapping[str, str],
    tenant_label: str,
    tenant_id: str,
    app_id: str,
    acr: str,
    service_principal_id: str,
    credential_id: str | None,
    role_assignments: Iterable[RoleAssignment],
) -> GrantResult:
    """What follows client authentication: the resource (v1 `resource`, v2 `scope`), the roles
    granted for it, the signed token and the audit detail. Shared by the grant and the cached
    path (oauth2/cached_client_credentials.py)."""
    if version == 1:
        requested = resources.from_resource_parameter(_require(form, "resource"), tenant_label)
    else:
        requested = resources.from_default_scope(_require(form, "scope"), tenant_label)

    roles = roles_in(role_assignments, requested.resource)
    claims = app_only_claims(
        ctx,
        tenant_id=tenant_id,
        client_id=app_id,
        acr=acr,
        service_principal_id=service_principal_id,
        requested=requested,
        roles=roles,
    )
    token = sign(ctx, claims, token_version=requested.resource.token_version)
    body = token_response(version, token, resource=requested.audience)
    return GrantResult(
        body,
        tenant_id,
        app_id,
        {
            "resource": requested.resource.display_name,
            "audience": requested.audience,
            "roles": roles,
            "credential": credential_id,
            "uti": claims["uti"],
        },
    )


def _require(form: Mapping[str, str], name: str) -> str:
    """As TokenRequest.require: missing and empty are the same (90014)."""
    value = form.get(name)
    if not value:
        raise errors.MISSING_PARAMETER(name=name)
    return value


def _refuse_alias(session: Session, request: TokenRequest) -> None:
    """`/common` and `/organizations` name no tenant, and an app-only token needs one."""
    refuse_single_tenant_app_on_alias(session, request)
    raise errors.TENANT_REQUIRED(f"client credentials on /{request.tenant.segment}")
