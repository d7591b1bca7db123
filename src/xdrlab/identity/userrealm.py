"""User realm discovery (`GET /common/userrealm/{user}?api-version=1.0|2.0`): MSAL asks it before
the password grant to learn whether the account is managed (plain password grant) or federated
(WS-Trust). Every xdrlab domain is managed; a name in no known domain is `Unknown`."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab.identity.context import IdentityContext
from xdrlab.store.models import TenantDomain

CLOUD_INSTANCE = "microsoftonline.com"
CLOUD_AUDIENCE = "urn:federation:MicrosoftOnline"


def user_realm(domain: TenantDomain | None, login: str, api_version: str) -> dict[str, Any]:
    """The document for one sign-in name: api-version 1.0 (MSAL Python, ADAL) uses snake_case
    `account_type`; 2.0 uses `NameSpaceType` and friends."""
    managed = domain is not None
    if api_version.startswith("2"):
        body: dict[str, Any] = {
            "NameSpaceType": "Managed" if managed else "Unknown",
            "Login": login,
            "DomainName": domain.name if domain is not None else login.partition("@")[2],
        }
        if domain is not None:
            body["FederationBrandName"] = domain.tenant.display_name
            body["TenantBrandingInfo"] = None
        body["cloud_instance_name"] = CLOUD_INSTANCE
        return body
    body = {"ver": "1.0", "account_type": "Managed" if managed else "Unknown"}
    if domain is not None:
        body["domain_name"] = domain.name
        body["cloud_audience_urn"] = CLOUD_AUDIENCE
    body["cloud_instance_name"] = CLOUD_INSTANCE
    return body


async def userrealm_endpoint(request: Request) -> Response:
    ctx: IdentityContext = request.app.state.identity
    login = request.path_params["user"]
    api_version = request.query_params.get("api-version", "1.0")

    def lookup() -> dict[str, Any]:
        name = login.rpartition("@")[2].strip().lower()
        with ctx.sessions() as session:
            domain = session.get(TenantDomain, name) if name else None
            return user_realm(domain, login, api_version)

    body = await run_in_threadpool(lookup)
    return JSONResponse(body, headers={"Cache-Control": "no-store, no-cache"})
