"""The admin-consent endpoint (v1 `/{tenant}/adminconsent`, v2 `/{tenant}/v2.0/adminconsent`):
an admin of a customer tenant approves a (multi-tenant) app for the whole organisation. The
app gets a service principal there, its application permissions as app-role assignments and
its delegated permissions as a tenant-wide grant; the browser goes back to the app with
`admin_consent=True&tenant=<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity import errors
from xdrlab.identity.authorize.flow import Grant, record_consent, static_plan
from xdrlab.identity.authorize.request import PageError, find_client, redirect_uri_for
from xdrlab.identity.catalogue import find_resource
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.tenant_path import resolve_tenant_segment
from xdrlab.identity.tenants import TenantRef
from xdrlab.store.models import Application, Tenant, User


@dataclass
class AdminConsentRequest:
    version: int
    tenant: TenantRef
    app: Application
    redirect_uri: str
    state: str | None
    scope: str | None  # v2: the resources asked for (`<resource>/.default` ...)


def parse(
    session: Session, version: int, segment: str, params: dict[str, str]
) -> AdminConsentRequest:
    """Check the request; every error here is shown on the error page."""
    try:
        ref = resolve_tenant_segment(session, segment)
    except IdentityError as error:
        raise PageError(error) from error
    app = find_client(session, ref, params)
    redirect_uri = redirect_uri_for(app, params)
    scope = params.get("scope") or None
    if version == 2 and scope is None:
        raise PageError(errors.MISSING_PARAMETER(name="scope"))
    return AdminConsentRequest(version, ref, app, redirect_uri, params.get("state") or None, scope)


def plan(req: AdminConsentRequest) -> list[Grant]:
    """The permissions the admin approves: everything the app registration asks for, limited on
    v2 to the resources named in `scope`."""
    grants = static_plan(req.app, with_roles=True)
    if req.scope is None:
        return grants
    wanted = set()
    for item in req.scope.split():
        base = item.rpartition("/")[0] if "/" in item else item
        resource = find_resource(base)
        if resource is None:
            raise PageError(errors.RESOURCE_NOT_FOUND(resource=base, tenant=req.tenant.segment))
        wanted.add(resource.app_id)
    return [g for g in grants if g.resource.app_id in wanted]


def tenant_for(session: Session, req: AdminConsentRequest, user: User) -> Tenant | None:
    if req.tenant.tenant is not None:
        return req.tenant.tenant if req.tenant.tenant.id == user.tenant_id else None
    return session.get(Tenant, user.tenant_id)


def grant(
    session: Session, clock: Clock, req: AdminConsentRequest, tenant: Tenant, admin: User
) -> None:
    record_consent(session, clock, tenant, req.app, admin, plan(req), for_organisation=True)


def success_params(req: AdminConsentRequest, tenant: Tenant) -> dict[str, str]:
    params = {"admin_consent": "True", "tenant": tenant.id}
    if req.version == 2 and req.scope:
        params["scope"] = req.scope
    if req.state is not None:
        params["state"] = req.state
    return params


def cancel_params(req: AdminConsentRequest, error: dict[str, str]) -> dict[str, str]:
    """What the app gets when the admin cancels: the AADSTS65004 error parameters, then
    `admin_consent=True` and `state`, in the order a captured production redirect has them
    (production sends the flag on a refusal too; `error` is what tells the two apart)."""
    params = {key: value for key, value in error.items() if key != "state"}
    params["admin_consent"] = "True"
    if req.state is not None:
        params["state"] = req.state
    return params
