"""Service principals and admin consent to application permissions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.identity.catalogue import Resource
from xdrlab.identity.tenants import DirectoryError
from xdrlab.store.models import (
    Application,
    AppRoleAssignment,
    RequestedPermission,
    ServicePrincipal,
    Tenant,
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


def request_permissions(
    session: Session, app: Application, resource: Resource, names: list[str], kind: str
) -> list[str]:
    """Add permissions to the app's requiredResourceAccess; returns their values."""
    values = []
    for name in names:
        permission = resource.permission(name, kind)
        if permission is None:
            known = ", ".join(p.value for p in resource.permissions if p.kind == kind)
            raise DirectoryError(
                f"{resource.display_name} has no {kind.lower()} '{name}' (known: {known})"
            )
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
    """Admin consent: request the application permissions and assign them to the app's service
    principal in `tenant`. Returns the role values now granted for this resource."""
    request_permissions(session, app, resource, roles, "Role")
    sp = ensure_service_principal(session, clock, tenant, app)
    for name in roles:
        role = resource.permission(name, "Role")
        assert role is not None
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


def granted_roles(sp: ServicePrincipal, resource: Resource) -> list[str]:
    """Role values of `resource` assigned to the service principal, in catalogue order."""
    assigned = {
        a.app_role_id for a in sp.app_role_assignments if a.resource_app_id == resource.app_id
    }
    return [role.value for role in resource.app_roles if role.id in assigned]
