"""The resource owner password credentials grant (ROPC), as the Defender user-context samples
use it: the user's name and password go to the token endpoint directly.

Refused on `/common` and `/consumers` (AADSTS9001023). On `/organizations` only a multi-tenant
app may use it (a single-tenant app is AADSTS50194, as production answers it and as the
authorize and device code endpoints here do), in the user's own tenant. Credentials are checked
like the sign-in page checks them (unknown user 50034, wrong password 50126 and counted towards
lockout, locked 50053, disabled 50057); a missing consent is `invalid_grant` with
`suberror: consent_required` (AADSTS65001), since no page can ask for it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.authorize.signin import check_password, check_user
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.client_auth import (
    authenticate_client,
    refuse_single_tenant_app_on_alias,
)
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.identity.oauth2.user_tokens import mint, requested_from
from xdrlab.store.models import Tenant


class PasswordGrant:
    GRANT_TYPES: tuple[str, ...] = ("password",)

    def __call__(
        self, ctx: IdentityContext, session: Session, request: TokenRequest
    ) -> GrantResult:
        if request.tenant.tenant is None and request.tenant.segment in ("common", "consumers"):
            raise errors.GRANT_NOT_ON_COMMON(f"password grant on /{request.tenant.segment}")
        username = request.require("username")
        password = request.require("password")
        tenant = request.tenant.tenant
        if tenant is None:  # /organizations: a multi-tenant app, in the user's home tenant
            refuse_single_tenant_app_on_alias(session, request)
            home = session.get(Tenant, check_user(session, None, username).tenant_id)
            assert home is not None
            tenant = home
        client = authenticate_client(ctx, session, request, tenant, allow_public=True)
        requested = requested_from(request, client_name=client.app.display_name)
        try:
            user = check_password(session, ctx.clock, tenant, username, password)
        except IdentityError:
            session.commit()  # failed attempts count towards lockout
            raise
        return mint(
            ctx,
            session,
            request,
            client=client,
            user=user,
            requested=requested,
            auth_time=ctx.clock.now(),
            audit={"credential": client.credential_id},
        )
