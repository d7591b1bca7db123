"""Admin commands for tenants and users."""

from __future__ import annotations

from pathlib import Path

import typer

from xdrlab.cli._common import JsonOption, StateOption, emit, transaction
from xdrlab.identity import audit, tenants, users
from xdrlab.store.models import Tenant, User

tenant_app = typer.Typer(help="Create and list tenants.", no_args_is_help=True)
user_app = typer.Typer(help="Create and list users, set their roles.", no_args_is_help=True)


def tenant_row(tenant: Tenant) -> dict[str, object]:
    return {
        "tenant_id": tenant.id,
        "display_name": tenant.display_name,
        "domains": [d.name for d in tenant.domains],
        "users_can_consent": tenant.users_can_consent,
    }


def user_row(user: User) -> dict[str, object]:
    return {
        "object_id": user.id,
        "upn": user.user_principal_name,
        "display_name": user.display_name,
        "roles": user.roles,
        "enabled": user.account_enabled,
    }


@tenant_app.command("create")
def tenant_create(
    name: str = typer.Argument(..., help="Display name, e.g. Fabrikam."),
    domain: str = typer.Option(
        ..., "--domain", help="Initial domain, e.g. fabrikam.onmicrosoft.com."
    ),
    tenant_id: str | None = typer.Option(None, "--id", help="Tenant GUID (random if omitted)."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a tenant with its initial verified domain."""
    with transaction(state) as (srv, session):
        tenant = tenants.create_tenant(session, srv.clock, name, domain, tenant_id)
        audit.record(
            session,
            srv.clock,
            category="DirectoryManagement",
            activity="Add tenant",
            tenant_id=tenant.id,
            actor="cli",
            target=tenant.id,
        )
        emit([tenant_row(tenant)], as_json, single=True)


@tenant_app.command("add-domain")
def tenant_add_domain(
    tenant: str = typer.Argument(..., help="Tenant GUID or domain."),
    domain: str = typer.Argument(..., help="Domain to verify."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Verify another domain for a tenant."""
    with transaction(state) as (_srv, session):
        found = tenants.require_tenant(session, tenant)
        tenants.add_domain(session, found, domain)
        emit([tenant_row(found)], as_json, single=True)


@tenant_app.command("list")
def tenant_list(state: Path | None = StateOption, as_json: bool = JsonOption) -> None:
    """List tenants."""
    with transaction(state) as (_srv, session):
        emit([tenant_row(t) for t in tenants.list_tenants(session)], as_json, title="Tenants")


@user_app.command("create")
def user_create(
    upn: str = typer.Argument(..., help="Sign-in name, e.g. alice@contoso.onmicrosoft.com."),
    password: str = typer.Option(
        ..., "--password", prompt=True, hide_input=True, help="Password (prompted when omitted)."
    ),
    display_name: str = typer.Option("", "--name", help="Display name."),
    roles: list[str] = typer.Option(
        [], "--role", help="Directory role; repeatable, e.g. 'Security Reader'."
    ),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a user in the tenant that owns the UPN's domain."""
    with transaction(state) as (srv, session):
        tenant = tenants.require_tenant(session, upn.partition("@")[2])
        user = users.create_user(
            session, srv.clock, tenant, upn, password, display_name=display_name, roles=roles
        )
        audit.record(
            session,
            srv.clock,
            category="UserManagement",
            activity="Add user",
            tenant_id=tenant.id,
            actor="cli",
            target=user.user_principal_name,
        )
        emit([user_row(user)], as_json, single=True)


@user_app.command("set-roles")
def user_set_roles(
    upn: str = typer.Argument(...),
    roles: list[str] = typer.Option([], "--role", help="Directory role; repeatable. None clears."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Replace a user's directory roles."""
    with transaction(state) as (srv, session):
        user = users.require_user(session, upn)
        users.set_roles(session, user, roles)
        audit.record(
            session,
            srv.clock,
            category="RoleManagement",
            activity="Set user roles",
            tenant_id=user.tenant_id,
            actor="cli",
            target=user.user_principal_name,
            roles=user.roles,
        )
        emit([user_row(user)], as_json, single=True)


@user_app.command("list")
def user_list(
    tenant: str = typer.Argument(..., help="Tenant GUID or domain."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """List a tenant's users."""
    with transaction(state) as (_srv, session):
        found = tenants.require_tenant(session, tenant)
        emit([user_row(u) for u in users.list_users(session, found)], as_json, title="Users")


@tenant_app.command("set")
def tenant_set(
    tenant: str = typer.Argument(..., help="Tenant GUID or domain."),
    users_can_consent: bool | None = typer.Option(
        None,
        "--users-can-consent/--no-users-can-consent",
        help="Whether users may consent to delegated permissions themselves (else only admins).",
    ),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Change tenant settings."""
    with transaction(state) as (srv, session):
        found = tenants.require_tenant(session, tenant)
        if users_can_consent is not None:
            found.users_can_consent = users_can_consent
            audit.record(
                session,
                srv.clock,
                category="Policy",
                activity="Update authorization policy",
                tenant_id=found.id,
                actor="cli",
                target=found.id,
                users_can_consent=users_can_consent,
            )
        emit([tenant_row(found)], as_json, single=True)


def _change_roles(
    state: Path | None, upn: str, as_json: bool, add: list[str], drop: list[str]
) -> None:
    with transaction(state) as (srv, session):
        user = users.require_user(session, upn)
        dropped = {r.lower() for r in drop}
        unknown = dropped - {r.lower() for r in user.roles}
        if unknown:
            raise tenants.DirectoryError(
                f"'{user.user_principal_name}' does not hold {sorted(unknown)}"
            )
        users.set_roles(session, user, [r for r in user.roles if r.lower() not in dropped] + add)
        audit.record(
            session,
            srv.clock,
            category="RoleManagement",
            activity="Add member to role" if add else "Remove member from role",
            tenant_id=user.tenant_id,
            actor="cli",
            target=user.user_principal_name,
            roles=user.roles,
        )
        emit([user_row(user)], as_json, single=True)


@user_app.command("add-role")
def user_add_role(
    upn: str = typer.Argument(...),
    role: str = typer.Argument(..., help="Directory role, e.g. 'Security Operator'."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Assign a directory role to a user (keeping the others)."""
    _change_roles(state, upn, as_json, [role], [])


@user_app.command("remove-role")
def user_remove_role(
    upn: str = typer.Argument(...),
    role: str = typer.Argument(...),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Remove one directory role from a user."""
    _change_roles(state, upn, as_json, [], [role])


@user_app.command("revoke-sessions")
def user_revoke_sessions(
    upn: str = typer.Argument(...),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Sign a user out everywhere: revoke their browser sessions and refresh tokens. Access
    tokens already issued stay valid until they expire, as in production."""
    with transaction(state) as (srv, session):
        user = users.require_user(session, upn)
        browsers, tokens = users.revoke_sessions(session, srv.clock, user)
        audit.record(
            session,
            srv.clock,
            category="UserManagement",
            activity="Revoke sign-in sessions",
            tenant_id=user.tenant_id,
            actor="cli",
            target=user.user_principal_name,
            browser_sessions=browsers,
            refresh_tokens=tokens,
        )
        emit(
            [
                {
                    "upn": user.user_principal_name,
                    "browser_sessions_revoked": browsers,
                    "refresh_tokens_revoked": tokens,
                }
            ],
            as_json,
            single=True,
        )
