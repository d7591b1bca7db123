"""The client credentials grant (application context): an app-only token for one resource."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.apps import find_app
from xdrlab.identity.consent import granted_roles
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2 import resources
from xdrlab.identity.oauth2.client_auth import authenticate_client, requested_client_id
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
        label = request.tenant.segment
        if request.version == 1:
            requested = resources.from_resource_parameter(request.require("resource"), label)
        else:
            requested = resources.from_default_scope(request.require("scope"), label)

        roles = granted_roles(client.service_principal, requested.resource)
        claims = app_only_claims(
            ctx,
            tenant_id=tenant.id,
            client_id=client.app.app_id,
            acr=client.acr,
            service_principal_id=client.service_principal.id,
            requested=requested,
            roles=roles,
        )
        token = sign(ctx, claims, token_version=requested.resource.token_version)
        body = token_response(request.version, token, resource=requested.audience)
        return GrantResult(
            body,
            tenant.id,
            client.app.app_id,
            {
                "resource": requested.resource.display_name,
                "audience": requested.audience,
                "roles": roles,
                "credential": client.credential_id,
                "uti": claims["uti"],
            },
        )


def _refuse_alias(session: Session, request: TokenRequest) -> None:
    """`/common` and `/organizations` name no tenant, and an app-only token needs one."""
    app = find_app(session, requested_client_id(request))
    if app is not None and not app.is_multi_tenant:
        raise errors.SINGLE_TENANT_ON_COMMON(client_id=app.app_id, name=app.display_name)
    raise errors.TENANT_REQUIRED(f"client credentials on /{request.tenant.segment}")
