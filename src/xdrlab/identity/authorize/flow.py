"""The steps of an authorize request once it is known to be well formed: who is signed in,
whether they must (re)enter a password or pick an account, whether consent is missing and who
may give it, and finally the code. Each call answers with the next `Step`; the pages module
renders it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity import consent as grants
from xdrlab.identity import errors
from xdrlab.identity.authorize.request import AuthorizeRequest, Target
from xdrlab.identity.authorize.signin import can_consent, can_consent_for_tenant
from xdrlab.identity.catalogue import RESOURCES, Resource
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.codes import issue_code
from xdrlab.identity.scopes import missing_consent
from xdrlab.identity.sessions import SignedIn
from xdrlab.store.models import Application, Tenant, User


@dataclass
class Grant:
    """What accepting consent grants for one resource."""

    resource: Resource
    scopes: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


# -- steps ---------------------------------------------------------------------------------------


@dataclass
class AskUsername:
    login_hint: str | None = None


@dataclass
class PickAccount:
    user: User


@dataclass
class AskConsent:
    user: User
    tenant: Tenant
    plan: list[Grant]
    for_organisation: bool  # admin may (or, for prompt=admin_consent, must) consent for everyone


@dataclass
class NeedsAdmin:
    user: User


@dataclass
class Answer:
    """Send the code (`params`) or an error to the client's redirect URI."""

    target: Target
    params: dict[str, str] = field(default_factory=dict)
    error: IdentityError | None = None


Step = AskUsername | PickAccount | AskConsent | NeedsAdmin | Answer


def _requested_permissions(app: Application, kind: str) -> dict[str, list[str]]:
    """The app's requiredResourceAccess of one kind: resource app id -> values (catalogue order)."""
    wanted = {(p.resource_app_id, p.permission_id) for p in app.requested_permissions}
    found: dict[str, list[str]] = {}
    for resource in RESOURCES:
        values = [
            p.value
            for p in resource.permissions
            if p.kind == kind and (resource.app_id, p.id) in wanted
        ]
        if values:
            found[resource.app_id] = values
    return found


def static_plan(app: Application, *, with_roles: bool) -> list[Grant]:
    """Everything the app registration asks for (delegated, and application permissions when
    an admin consents for the organisation)."""
    scopes = _requested_permissions(app, "Scope")
    roles = _requested_permissions(app, "Role") if with_roles else {}
    return [
        Grant(r, scopes.get(r.app_id, []), roles.get(r.app_id, []))
        for r in RESOURCES
        if r.app_id in scopes or r.app_id in roles
    ]


def consent_plan(req: AuthorizeRequest, *, for_organisation: bool) -> list[Grant]:
    requested = req.requested
    if requested is None or for_organisation:
        plan = static_plan(req.app, with_roles=for_organisation)
        if requested is not None and requested.resource is not None and requested.values:
            extra = [v for v in requested.values if all(v not in g.scopes for g in plan)]
            for grant in plan:
                if grant.resource is requested.resource:
                    grant.scopes += extra
                    extra = []
            if extra:
                plan.append(Grant(requested.resource, extra))
        return plan
    if requested.resource is None:
        return []
    values = list(requested.values) if not requested.default else []
    if requested.default:
        values = requested.static_permissions(req.app)
    return [Grant(requested.resource, values)]


def _consent_missing(session: Session, req: AuthorizeRequest, tenant: Tenant, user: User) -> bool:
    if req.requested is not None:
        return bool(missing_consent(session, tenant, req.app, user, req.requested))
    sp = grants.find_service_principal(session, tenant.id, req.app)
    for grant in static_plan(req.app, with_roles=False):
        granted = (
            grants.delegated_scopes(session, tenant.id, sp, grant.resource, user) if sp else set()
        )
        if any(value not in granted for value in grant.scopes):
            return True
    return False


def record_consent(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    app: Application,
    user: User,
    plan: list[Grant],
    *,
    for_organisation: bool,
) -> None:
    """Grant what the consent page showed: for the user, or (an admin's choice) for every user
    of the tenant, with the application permissions too. Only grants in `tenant` are written:
    the app registration (what it requests in every tenant) stays as its owner configured it,
    even when the page asked for scopes beyond it (incremental consent)."""
    grants.ensure_service_principal(session, clock, tenant, app)
    for grant in plan:
        if grant.scopes:
            grants.add_delegated_grant(
                session,
                clock,
                tenant,
                app,
                grant.resource,
                grant.scopes,
                user=None if for_organisation else user,
                granted_by=user.user_principal_name,
            )
        if grant.roles and for_organisation:
            grants.assign_app_roles(
                session,
                clock,
                tenant,
                app,
                grant.resource,
                grant.roles,
                granted_by=user.user_principal_name,
            )


def user_tenant(session: Session, req: AuthorizeRequest, user: User) -> Tenant | None:
    """The tenant the request runs in for this user: the one in the path (the user must belong
    to it), or for `common`/`organizations` the user's home tenant."""
    if req.tenant.tenant is not None:
        return req.tenant.tenant if user.tenant_id == req.tenant.tenant.id else None
    return session.get(Tenant, user.tenant_id)


def advance(
    session: Session,
    clock: Clock,
    req: AuthorizeRequest,
    signed_in: SignedIn | None,
    *,
    fresh: bool = False,
    picked: bool = False,
    consented: bool = False,
) -> Step:
    """The next step. `fresh`: the password was entered in this very request; `picked`: the user
    chose the signed-in account on the account picker; `consented`: the consent page was
    accepted in this request."""
    target = req.target
    user = signed_in.user if signed_in is not None else None
    tenant = user_tenant(session, req, user) if user is not None else None
    if user is not None and tenant is None:
        user = None  # signed in to another organisation: this one needs its own account
    if user is not None and not fresh:
        hint = (req.login_hint or "").strip().lower()
        if req.prompt == "login" or (hint and hint != user.user_principal_name):
            user = None
    if user is None or tenant is None:
        if req.prompt == "none":
            return Answer(target, error=errors.LOGIN_REQUIRED())
        return AskUsername(req.login_hint)
    if req.prompt == "select_account" and not (fresh or picked):
        return PickAccount(user)

    admin_forced = req.prompt == "admin_consent"
    wants_consent = req.prompt in ("consent", "admin_consent") and not consented
    if not consented and (wants_consent or _consent_missing(session, req, tenant, user)):
        if req.prompt == "none":
            return Answer(
                target,
                error=errors.PROMPT_NONE_CONSENT_REQUIRED(
                    client_id=req.app.app_id, name=req.app.display_name
                ),
            )
        admin = can_consent_for_tenant(user)
        if (admin_forced and not admin) or not can_consent(tenant, user):
            return NeedsAdmin(user)
        # An admin may tick "on behalf of your organisation", which grants the org-wide plan
        # (application permissions included): the page lists all of it, never less than an
        # acceptance can grant.
        return AskConsent(
            user,
            tenant,
            consent_plan(req, for_organisation=admin_forced or admin),
            for_organisation=admin,
        )

    assert signed_in is not None
    code = issue_code(
        session,
        clock,
        tenant_id=tenant.id,
        client_id=req.app.app_id,
        user_id=user.id,
        redirect_uri=req.get("redirect_uri") or target.redirect_uri,
        scopes=list(req.requested.items) if req.requested else (req.get("scope") or "").split(),
        resource=req.get("resource") if req.version == 1 else None,
        endpoint_version=req.version,
        nonce=req.nonce,
        code_challenge=req.code_challenge,
        code_challenge_method=req.code_challenge_method,
        session_id=signed_in.session_id,
        auth_time=signed_in.row.auth_time,
    )
    params = {"code": code}
    if target.state is not None:
        params["state"] = target.state
    if req.version == 1:
        params["session_state"] = str(uuid.uuid5(uuid.NAMESPACE_URL, signed_in.session_id))
    return Answer(target, params)
