"""Admin commands for app registrations, their credentials and admin consent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from xdrlab.cli._common import JsonOption, StateOption, emit, transaction
from xdrlab.files import write_private
from xdrlab.identity import apps, audit, consent, tenants
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH, Resource, find_resource
from xdrlab.identity.tenants import DirectoryError
from xdrlab.store.models import Application

app_app = typer.Typer(help="App registrations and admin consent.", no_args_is_help=True)
secret_app = typer.Typer(help="Client secrets of an app.", no_args_is_help=True)
cert_app = typer.Typer(help="Certificates of an app.", no_args_is_help=True)

RESOURCE_SHORT_NAMES = {"defender": DEFENDER_XDR, "graph": MICROSOFT_GRAPH}


def resource_named(name: str) -> Resource:
    resource = RESOURCE_SHORT_NAMES.get(name.lower()) or find_resource(name)
    if resource is None:
        raise DirectoryError(
            f"unknown resource '{name}' (use defender, graph, an app id or an identifier URI)"
        )
    return resource


def app_row(app: Application) -> dict[str, object]:
    return {
        "client_id": app.app_id,
        "display_name": app.display_name,
        "home_tenant": app.home_tenant_id,
        "sign_in_audience": app.sign_in_audience,
        "public_client": app.is_public_client,
        "redirect_uris": app.redirect_uris,
    }


@app_app.command("create")
def app_create(
    name: str = typer.Argument(..., help="Display name."),
    tenant: str = typer.Option(..., "--tenant", help="Home tenant GUID or domain."),
    multi_tenant: bool = typer.Option(
        False,
        "--multi-tenant",
        help="Usable in other tenants once their admin consents (partner context).",
    ),
    public_client: bool = typer.Option(
        False, "--public-client", help="A public client (no secret; user flows)."
    ),
    redirect_uris: list[str] = typer.Option([], "--redirect-uri", help="Repeatable."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Register an app in its home tenant (with its service principal there)."""
    with transaction(state) as (srv, session):
        home = tenants.require_tenant(session, tenant)
        app = apps.create_app(
            session,
            srv.clock,
            home,
            name,
            multi_tenant=multi_tenant,
            public_client=public_client,
            redirect_uris=redirect_uris,
        )
        consent.ensure_service_principal(session, srv.clock, home, app)
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Add application",
            tenant_id=home.id,
            actor="cli",
            target=app.app_id,
        )
        emit([app_row(app)], as_json, single=True)


@app_app.command("list")
def app_list(
    tenant: str | None = typer.Option(None, "--tenant", help="Only apps homed here."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """List app registrations."""
    with transaction(state) as (_srv, session):
        home = tenants.require_tenant(session, tenant) if tenant else None
        emit([app_row(a) for a in apps.list_apps(session, home)], as_json, title="Apps")


@app_app.command("grant")
def app_grant(
    client_id: str = typer.Argument(...),
    resource: str = typer.Option(
        "defender", "--resource", help="defender, graph, an app id or an identifier URI."
    ),
    permissions: list[str] = typer.Option(
        [], "--permission", help="Application permission; repeatable."
    ),
    all_permissions: bool = typer.Option(
        False, "--all", help="Every application permission of the resource."
    ),
    tenant: str | None = typer.Option(
        None,
        "--tenant",
        help="Consenting tenant (default: the "
        "app's home tenant; another one for multi-tenant apps).",
    ),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Grant application permissions with admin consent."""
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        target = resource_named(resource)
        names = [r.value for r in target.app_roles] if all_permissions else permissions
        if not names:
            raise DirectoryError("name permissions with --permission, or use --all")
        where = tenants.require_tenant(session, tenant or app.home_tenant_id)
        # In the home tenant this is "add the permission and grant admin consent"; in a
        # customer tenant it is that tenant's consent, which never edits the registration.
        grant = (
            consent.grant_app_roles if where.id == app.home_tenant_id else consent.assign_app_roles
        )
        granted = grant(session, srv.clock, where, app, target, names, granted_by="cli")
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Consent to application",
            tenant_id=where.id,
            actor="cli",
            target=app.app_id,
            resource=target.display_name,
            roles=names,
        )
        emit(
            [
                {
                    "client_id": app.app_id,
                    "tenant_id": where.id,
                    "resource": target.display_name,
                    "granted_roles": granted,
                }
            ],
            as_json,
            single=True,
        )


@app_app.command("revoke")
def app_revoke(
    client_id: str = typer.Argument(...),
    resource: str = typer.Option("defender", "--resource"),
    permissions: list[str] = typer.Option(..., "--permission", help="Repeatable."),
    tenant: str | None = typer.Option(None, "--tenant"),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Remove granted application permissions."""
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        target = resource_named(resource)
        where = tenants.require_tenant(session, tenant or app.home_tenant_id)
        sp = consent.find_service_principal(session, where.id, app)
        if sp is None:
            raise DirectoryError(f"app '{app.app_id}' is not present in tenant '{where.id}'")
        granted = consent.revoke_app_roles(session, sp, target, permissions)
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Remove app role assignment",
            tenant_id=where.id,
            actor="cli",
            target=app.app_id,
            roles=permissions,
        )
        emit(
            [
                {
                    "client_id": app.app_id,
                    "tenant_id": where.id,
                    "resource": target.display_name,
                    "granted_roles": granted,
                }
            ],
            as_json,
            single=True,
        )


@secret_app.command("add")
def secret_add(
    client_id: str = typer.Argument(...),
    name: str = typer.Option("", "--name", help="Description."),
    days: int = typer.Option(180, "--days", min=1, max=730, help="Lifetime in days."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a client secret. Its value is printed now and never again."""
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        new = apps.add_secret(
            session,
            srv.clock,
            srv.secret_hash_key,
            app,
            display_name=name,
            lifetime=dt.timedelta(days=days),
        )
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Add client secret",
            tenant_id=app.home_tenant_id,
            actor="cli",
            target=app.app_id,
            key_id=new.key_id,
        )
        emit(
            [
                {
                    "client_id": app.app_id,
                    "key_id": new.key_id,
                    "secret": new.value,
                    "expires": new.expires_at.isoformat(),
                }
            ],
            as_json,
            single=True,
        )


@secret_app.command("list")
def secret_list(
    client_id: str = typer.Argument(...),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """List an app's secrets (hints only: values cannot be read back)."""
    with transaction(state) as (_srv, session):
        app = apps.require_app(session, client_id)
        emit(
            [
                {
                    "key_id": s.id,
                    "name": s.display_name,
                    "hint": f"{s.hint}***",
                    "expires": s.expires_at.isoformat(),
                }
                for s in app.secrets
            ],
            as_json,
            title="Client secrets",
        )


@secret_app.command("remove")
def secret_remove(
    client_id: str = typer.Argument(...),
    key_id: str = typer.Argument(...),
    state: Path | None = StateOption,
) -> None:
    """Remove a client secret."""
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        apps.remove_secret(session, app, key_id)
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Remove client secret",
            tenant_id=app.home_tenant_id,
            actor="cli",
            target=app.app_id,
            key_id=key_id,
        )
        typer.echo(f"removed secret {key_id}")


@cert_app.command("add")
def cert_add(
    client_id: str = typer.Argument(...),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Certificate (PEM or DER) to register."
    ),
    generate: Path | None = typer.Option(
        None,
        "--generate",
        file_okay=False,
        help="Make a new "
        "key pair and certificate, write cert.pem, key.pem and "
        "bundle.pem (both) into this folder, and register the certificate.",
    ),
    days: int = typer.Option(365, "--days", min=1, help="Validity of a generated certificate."),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Register a certificate credential (given, or generated for you)."""
    if (file is None) == (generate is None):
        raise typer.BadParameter("give exactly one of --file and --generate")
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        files: dict[str, str] = {}
        if file is not None:
            cert = apps.load_certificate(file.read_bytes())
        else:
            assert generate is not None
            key, cert = apps.generate_key_pair(f"CN={app.display_name}", srv.clock.now(), days)
            write_private(generate / "key.pem", apps.private_key_pem(key))
            (generate / "cert.pem").write_bytes(apps.certificate_pem(cert))
            write_private(
                generate / "bundle.pem", apps.private_key_pem(key) + apps.certificate_pem(cert)
            )
            files = {
                "bundle_file": str(generate / "bundle.pem"),
                "certificate_file": str(generate / "cert.pem"),
                "private_key_file": str(generate / "key.pem"),
            }
        row = apps.add_certificate(session, srv.clock, app, cert)
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Add certificate",
            tenant_id=app.home_tenant_id,
            actor="cli",
            target=app.app_id,
            thumbprint=row.thumbprint_sha1,
        )
        emit(
            [
                {
                    "key_id": row.id,
                    "thumbprint_sha1": row.thumbprint_sha1,
                    "thumbprint_sha256": row.thumbprint_sha256,
                    "expires": row.expires_at.isoformat(),
                    **files,
                }
            ],
            as_json,
            single=True,
        )


@cert_app.command("list")
def cert_list(
    client_id: str = typer.Argument(...),
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """List an app's certificates."""
    with transaction(state) as (_srv, session):
        app = apps.require_app(session, client_id)
        emit(
            [
                {
                    "key_id": c.id,
                    "name": c.display_name,
                    "thumbprint_sha1": c.thumbprint_sha1,
                    "expires": c.expires_at.isoformat(),
                }
                for c in app.certificates
            ],
            as_json,
            title="Certificates",
        )


@cert_app.command("remove")
def cert_remove(
    client_id: str = typer.Argument(...),
    certificate: str = typer.Argument(..., help="Key id or thumbprint."),
    state: Path | None = StateOption,
) -> None:
    """Remove a certificate credential."""
    with transaction(state) as (srv, session):
        app = apps.require_app(session, client_id)
        apps.remove_certificate(session, app, certificate)
        audit.record(
            session,
            srv.clock,
            category="ApplicationManagement",
            activity="Remove certificate",
            tenant_id=app.home_tenant_id,
            actor="cli",
            target=app.app_id,
            certificate=certificate,
        )
        typer.echo(f"removed certificate {certificate}")
