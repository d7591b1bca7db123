"""Admin commands for consent: what each app was granted in each tenant, and revoking it."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.orm import Session

from xdrlab.cli._common import JsonOption, StateOption, emit, transaction
from xdrlab.cli.apps import resource_named
from xdrlab.identity import apps, audit, consent, tenants, users
from xdrlab.identity.catalogue import find_resource
from xdrlab.identity.tenants import DirectoryError
from xdrlab.store.models import ServicePrincipal, User

consent_app = typer.Typer(
    help="Consent granted to apps: application permissions and delegated grants.",
    no_args_is_help=True,
)


def _resource_name(app_id: str) -> str:
    resource = find_resource(app_id)
    return resource.display_name if resource else app_id


def _consent_rows(session: Session, sp: ServicePrincipal) -> list[dict[str, object]]:
    app = sp.application
    base = {
        "client_id": app.app_id,
        "app": app.display_name,
        "tenant_id": sp.tenant_id,
        "home_tenant": sp.tenant_id == app.home_tenant_id,
    }
    rows: list[dict[str, object]] = []
    by_resource: dict[str, list[str]] = {}
    granted_by: dict[str, str] = {}
    for assignment in sp.app_role_assignments:
        resource = find_resource(assignment.resource_app_id)
        role = resource.permission(assignment.app_role_id, "Role") if resource else None
        values = by_resource.setdefault(assignment.resource_app_id, [])
        values.append(role.value if role else assignment.app_role_id)
        granted_by.setdefault(assignment.resource_app_id, assignment.granted_by)
    for resource_app_id, values in by_resource.items():
        rows.append(
            {
                **base,
                "kind": "application",
                "resource": _resource_name(resource_app_id),
                "permissions": sorted(values),
                "principal": None,
                "granted_by": granted_by[resource_app_id],
            }
        )
    for grant in consent.delegated_grants(session, sp):
        principal = None
        if grant.principal_id is not None:
            user = session.get(User, grant.principal_id)
            principal = user.user_principal_name if user else grant.principal_id
        rows.append(
            {
                **base,
                "kind": "delegated",
                "resource": _resource_name(grant.resource_app_id),
                "permissions": list(grant.scopes),
                "principal": principal or "AllPrincipals",
                "granted_by": grant.granted_by,
            }
        )
    if not rows:  # present in the tenant, nothing granted
        rows.append(
            {
                **base,
                "kind": "none",
                "resource": None,
                "permissions": [],
                "principal": None,
                "granted_by": None,
            }
        )
    return rows


@consent_app.command("list")
def consent_list(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (GUID or domain)."),
    client_id: str | None = typer.Option(None, "--client-id", help="Only this app."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """List, per app and tenant, the application permissions assigned (admin consent) and the
    delegated grants (tenant-wide `AllPrincipals`, or one user's)."""
    with transaction(state) as (_srv, session):
        where = tenants.require_tenant(session, tenant).id if tenant else None
        app = apps.require_app(session, client_id) if client_id else None
        rows = [
            row
            for sp in consent.service_principals(session, where, app)
            for row in _consent_rows(session, sp)
        ]
        emit(rows, as_json, title="Consent")


@consent_app.command("revoke")
def consent_revoke(
    client_id: str = typer.Argument(..., help="The app's client id."),
    tenant: str = typer.Option(..., "--tenant", help="Tenant GUID or domain."),
    delegated: bool = typer.Option(
        False, "--delegated", help="Only delegated grants (all, or --user's)."
    ),
    roles: bool = typer.Option(False, "--roles", help="Only application permissions."),
    user_upn: str | None = typer.Option(
        None, "--user", help="Only this user's own delegated grant (implies --delegated)."
    ),
    resource: str | None = typer.Option(
        None, "--resource", help="Only this resource: defender, graph, an app id or URI."
    ),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Revoke consent given to an app in a tenant; new token requests see it at once.

    Without --delegated/--roles everything goes: outside the app's home tenant its service
    principal is removed (as when an admin deletes the enterprise application), so token
    requests there answer AADSTS700016; in the home tenant the registration keeps its service
    principal and tokens come without permissions. --roles alone keeps the service principal:
    tokens are still issued, without `roles`, and the APIs answer 403. Revoking delegated
    consent also revokes the refresh tokens it covered."""
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        where = tenants.require_tenant(session, tenant)
        sp = consent.find_service_principal(session, where.id, app)
        if sp is None:
            raise DirectoryError(f"app '{app.app_id}' is not present in tenant '{where.id}'")
        target = resource_named(resource) if resource else None
        user = users.require_user(session, user_upn) if user_upn else None
        if user is not None and user.tenant_id != where.id:
            raise DirectoryError(f"user '{user.user_principal_name}' is not in tenant '{where.id}'")
        delegated = delegated or user is not None
        everything = not delegated and not roles
        removed_roles = removed_grants = revoked_tokens = 0
        removed_sp = False
        if roles or everything:
            removed_roles = consent.revoke_all_app_roles(session, sp, target)
        if delegated or everything:
            removed_grants = consent.revoke_all_delegated(session, sp, target, user)
            revoked_tokens = consent.revoke_refresh_tokens(
                session, srv.clock, where.id, app.app_id, user
            )
        if everything and target is None and where.id != app.home_tenant_id:
            consent.remove_service_principal(session, sp)
            removed_sp = True
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Remove service principal" if removed_sp else "Revoke consent",
            tenant_id=where.id,
            actor="cli",
            target=app.app_id,
            app_roles_removed=removed_roles,
            delegated_grants_removed=removed_grants,
            refresh_tokens_revoked=revoked_tokens,
            user=user.user_principal_name if user else None,
        )
        emit(
            [
                {
                    "client_id": app.app_id,
                    "tenant_id": where.id,
                    "app_roles_removed": removed_roles,
                    "delegated_grants_removed": removed_grants,
                    "refresh_tokens_revoked": revoked_tokens,
                    "service_principal_removed": removed_sp,
                }
            ],
            as_json,
            single=True,
        )
