"""Service principals, admin consent to application permissions, and delegated grants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity.catalogue import Permission, Resource
from xdrlab.identity.tenants import DirectoryError
from xdrlab.store.models import (
    Application,
    AppRoleAssignment,
    DelegatedGrant,
    RefreshToken,
    RequestedPermission,
    ServicePrincipal,
    Tenant,
    User,
)


def find_service_principal(
    session: Session, tenant_id: str, app: Application
) -> ServicePrincipal | None:
    return session.scalar(
        select(ServicePrincipal).where(
            ServicePrincipal.tenant_id == tenant_id, ServicePrincipal.application_id == app.id
        )
    )


def ensure_service_principal(
    session: Session, clock: Clock, tenant: Tenant, app: Application
) -> ServicePrincipal:
    """The app's service principal in `tenant`, created if needed. Only the home tenant, or any
    tenant for a multi-tenant app, may hold one."""
    sp = find_service_principal(session, tenant.id, app)
    if sp is not None:
        return sp
    if tenant.id != app.home_tenant_id and not app.is_multi_tenant:
        raise DirectoryError(
            f"app '{app.display_name}' is single-tenant; it can only be used in its home tenant"
        )
    sp = ServicePrincipal(tenant_id=tenant.id, application_id=app.id, created_at=clock.now())
    session.add(sp)
    session.flush()
    return sp


def _permissions(resource: Resource, names: list[str], kind: str) -> list[Permission]:
    """The permissions of `resource` that `names` name; a DirectoryError for an unknown one."""
    found = []
    for name in names:
        permission = resource.permission(name, kind)
        if permission is None:
            known = ", ".join(p.value for p in resource.permissions if p.kind == kind)
            raise DirectoryError(
                f"{resource.display_name} has no {kind.lower()} '{name}' (known: {known})"
            )
        found.append(permission)
    return found


def request_permissions(
    session: Session, app: Application, resource: Resource, names: list[str], kind: str
) -> list[str]:
    """Add permissions to the app registration's requiredResourceAccess (what the app asks for
    statically in every tenant); returns their values. Only configuring the app does this:
    consent, which happens per tenant (and per user), never changes the registration."""
    values = []
    for permission in _permissions(resource, names, kind):
        exists = any(
            r.resource_app_id == resource.app_id and r.permission_id == permission.id
            for r in app.requested_permissions
        )
        if not exists:
            app.requested_permissions.append(
                RequestedPermission(
                    resource_app_id=resource.app_id, permission_id=permission.id, kind=kind
                )
            )
        values.append(permission.value)
    session.flush()
    return values


def grant_app_roles(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    app: Application,
    resource: Resource,
    roles: list[str],
    granted_by: str = "",
) -> list[str]:
    """Configure and consent in one go (seeding, the CLI): add the application permissions to
    the app registration and assign them to the app's service principal in `tenant`. Returns
    the role values now granted for this resource."""
    request_permissions(session, app, resource, roles, "Role")
    return assign_app_roles(session, clock, tenant, app, resource, roles, granted_by=granted_by)


def assign_app_roles(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    app: Application,
    resource: Resource,
    roles: list[str],
    *,
    granted_by: str = "",
) -> list[str]:
    """Admin consent to application permissions in `tenant`: app-role assignments on the app's
    service principal there (created if needed); the registration is left as it is. Returns
    the role values now granted for this resource."""
    permissions = _permissions(resource, roles, "Role")
    sp = ensure_service_principal(session, clock, tenant, app)
    for role in permissions:
        exists = any(
            a.resource_app_id == resource.app_id and a.app_role_id == role.id
            for a in sp.app_role_assignments
        )
        if not exists:
            sp.app_role_assignments.append(
                AppRoleAssignment(
                    resource_app_id=resource.app_id,
                    app_role_id=role.id,
                    granted_by=granted_by,
                    created_at=clock.now(),
                )
            )
    session.flush()
    return granted_roles(sp, resource)


def revoke_app_roles(
    session: Session, sp: ServicePrincipal, resource: Resource, roles: list[str]
) -> list[str]:
    ids = {p.id for name in roles if (p := resource.permission(name, "Role")) is not None}
    for assignment in list(sp.app_role_assignments):
        if assignment.resource_app_id == resource.app_id and assignment.app_role_id in ids:
            sp.app_role_assignments.remove(assignment)
    session.flush()
    return granted_roles(sp, resource)


class RoleAssignment(Protocol):
    """An app role assignment as stored: a row, or the directory cache's copy."""

    @property
    def resource_app_id(self) -> str: ...
    @property
    def app_role_id(self) -> str: ...


def granted_roles(sp: ServicePrincipal, resource: Resource) -> list[str]:
    """Role values of `resource` assigned to the service principal, in catalogue order."""
    return roles_in(sp.app_role_assignments, resource)


def roles_in(assignments: Iterable[RoleAssignment], resource: Resource) -> list[str]:
    """Role values of `resource` among `assignments`, in catalogue order."""
    assigned = {a.app_role_id for a in assignments if a.resource_app_id == resource.app_id}
    return [role.value for role in resource.app_roles if role.id in assigned]


def grant_delegated(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    app: Application,
    resource: Resource,
    scopes: list[str],
    *,
    user: User | None = None,
    granted_by: str = "",
) -> list[str]:
    """Configure and consent in one go (seeding, the CLI): add the delegated permissions to the
    app registration and grant them (see `add_delegated_grant`). Returns the scope values now
    granted by this grant."""
    request_permissions(session, app, resource, scopes, "Scope")
    return add_delegated_grant(
        session, clock, tenant, app, resource, scopes, user=user, granted_by=granted_by
    )


def add_delegated_grant(
    session: Session,
    clock: Clock,
    tenant: Tenant,
    app: Application,
    resource: Resource,
    scopes: list[str],
    *,
    user: User | None = None,
    granted_by: str = "",
) -> list[str]:
    """Record delegated consent in `tenant` (an oauth2PermissionGrant): for one `user`
    (`Principal`) or, when `user` is None, for every user of the tenant (`AllPrincipals`, an
    admin's consent). Scopes add to what the grant held. The app registration is left as it
    is: consenting to a scope it does not request statically (incremental consent) widens this
    grant only, never what the app asks for in other tenants. Returns the scope values now
    granted by this grant."""
    values = {p.value for p in _permissions(resource, scopes, "Scope")}
    sp = ensure_service_principal(session, clock, tenant, app)
    principal_id = user.id if user is not None else None
    grant = session.scalar(
        select(DelegatedGrant).where(
            DelegatedGrant.client_service_principal_id == sp.id,
            DelegatedGrant.resource_app_id == resource.app_id,
            DelegatedGrant.principal_id.is_(None)
            if principal_id is None
            else DelegatedGrant.principal_id == principal_id,
        )
    )
    now = clock.now()
    if grant is None:
        grant = DelegatedGrant(
            tenant_id=tenant.id,
            client_service_principal_id=sp.id,
            resource_app_id=resource.app_id,
            consent_type="AllPrincipals" if user is None else "Principal",
            principal_id=principal_id,
            scopes=[],
            granted_by=granted_by,
            created_at=now,
            updated_at=now,
        )
        session.add(grant)
    merged = [s.value for s in resource.scopes if s.value in {*grant.scopes, *values}]
    grant.scopes = merged
    grant.updated_at = now
    session.flush()
    return merged


def delegated_scopes(
    session: Session, tenant_id: str, sp: ServicePrincipal, resource: Resource, user: User
) -> set[str]:
    """Scope values of `resource` the client may use for `user`: tenant-wide grants plus the
    user's own."""
    grants = session.scalars(
        select(DelegatedGrant).where(
            DelegatedGrant.tenant_id == tenant_id,
            DelegatedGrant.client_service_principal_id == sp.id,
            DelegatedGrant.resource_app_id == resource.app_id,
            (DelegatedGrant.principal_id.is_(None)) | (DelegatedGrant.principal_id == user.id),
        )
    )
    return {scope for grant in grants for scope in grant.scopes}


def revoke_delegated(
    session: Session, sp: ServicePrincipal, resource: Resource, user: User | None = None
) -> int:
    """Remove delegated grants of `resource` (one user's, or the tenant-wide one); returns how
    many grants were removed."""
    query = select(DelegatedGrant).where(
        DelegatedGrant.client_service_principal_id == sp.id,
        DelegatedGrant.resource_app_id == resource.app_id,
        DelegatedGrant.principal_id.is_(None)
        if user is None
        else DelegatedGrant.principal_id == user.id,
    )
    removed = 0
    for grant in session.scalars(query):
        session.delete(grant)
        removed += 1
    session.flush()
    return removed


# --- listing and revoking consent (admin commands) ----------------------------------------


def service_principals(
    session: Session, tenant_id: str | None = None, app: Application | None = None
) -> list[ServicePrincipal]:
    """Service principals, optionally of one tenant and/or one app."""
    query = select(ServicePrincipal)
    if tenant_id is not None:
        query = query.where(ServicePrincipal.tenant_id == tenant_id)
    if app is not None:
        query = query.where(ServicePrincipal.application_id == app.id)
    return list(session.scalars(query.order_by(ServicePrincipal.created_at)))


def delegated_grants(
    session: Session, sp: ServicePrincipal, resource: Resource | None = None
) -> list[DelegatedGrant]:
    """The delegated grants held by a client service principal (tenant-wide one first)."""
    query = select(DelegatedGrant).where(DelegatedGrant.client_service_principal_id == sp.id)
    if resource is not None:
        query = query.where(DelegatedGrant.resource_app_id == resource.app_id)
    grants = session.scalars(query.order_by(DelegatedGrant.created_at))
    return sorted(grants, key=lambda g: g.principal_id is not None)


def revoke_all_app_roles(
    session: Session, sp: ServicePrincipal, resource: Resource | None = None
) -> int:
    """Remove every app-role assignment of the service principal (of one resource, or all);
    returns how many were removed. The service principal stays: the app still gets tokens in
    that tenant, without `roles`, as production issues them."""
    removed = [
        a
        for a in sp.app_role_assignments
        if resource is None or a.resource_app_id == resource.app_id
    ]
    for assignment in removed:
        sp.app_role_assignments.remove(assignment)
    session.flush()
    return len(removed)


def revoke_all_delegated(
    session: Session,
    sp: ServicePrincipal,
    resource: Resource | None = None,
    user: User | None = None,
) -> int:
    """Remove delegated grants of the service principal: every one, or those of `resource`,
    or only `user`'s own (`Principal`) grants. Returns how many were removed."""
    removed = 0
    for grant in delegated_grants(session, sp, resource):
        if user is None or grant.principal_id == user.id:
            session.delete(grant)
            removed += 1
    session.flush()
    return removed


def revoke_refresh_tokens(
    session: Session, clock: Clock, tenant_id: str, client_id: str, user: User | None = None
) -> int:
    """Revoke the live refresh tokens a client holds in a tenant (for one user, or all);
    returns how many were revoked."""
    query = select(RefreshToken).where(
        RefreshToken.tenant_id == tenant_id,
        RefreshToken.client_id == client_id,
        RefreshToken.revoked_at.is_(None),
    )
    if user is not None:
        query = query.where(RefreshToken.user_id == user.id)
    now = clock.now()
    revoked = 0
    for token in session.scalars(query):
        token.revoked_at = now
        revoked += 1
    session.flush()
    return revoked


def remove_service_principal(session: Session, sp: ServicePrincipal) -> None:
    """Delete the app's service principal from its tenant with everything granted to it (what
    removing an enterprise application does): the app is then unknown there, and token
    requests for that tenant are refused with AADSTS700016."""
    for grant in delegated_grants(session, sp):
        session.delete(grant)
    session.delete(sp)
    session.flush()
