"""`xdrlab login`, `logout`, `profiles` and `token`: sign in once in any of the three access
contexts, keep the connection as a named profile, and look at the tokens it gets."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import jwt
import typer
from rich.markup import escape
from rich.table import Table

from xdrlab.cli.client.common import ProfileOption, err, fail, out, reported, stores
from xdrlab.cli.client.connect import (
    CLIENT_SECRET,
    PASSWORD,
    REFRESH_TOKEN,
    credential_for,
    endpoints_for,
    remember_refresh_token,
    stored_credential,
)
from xdrlab.cli.client.profiles import DEFAULT_PROFILE, Context, Profile, Surface
from xdrlab.sdk import DeviceCode, Endpoints

_PRODUCTION = Endpoints.production()


def _read_demo(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise fail(f"cannot read {path}: {error}", 2) from None
    if not isinstance(document, dict):
        raise fail(f"{path} is not an xdrlab demo.json", 2)
    return document


def _secret_input(stdin: bool, env: str, prompt: str) -> str:
    """A secret from stdin (for scripts), the environment, or a hidden prompt — never argv."""
    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = os.environ.get(env) or typer.prompt(prompt, hide_input=True)
    if not value:
        raise fail(f"{prompt.lower()} is empty", 2)
    return value


def _print_device_code(code: DeviceCode) -> None:
    err.print(
        escape(code.message)
        if code.message
        else f"Open {code.verification_uri} and enter {code.user_code}"
    )


def _scope(profile: Profile, resource: str | None) -> str:
    endpoints = endpoints_for(profile)
    chosen = resource or str(profile.surface)
    named = {
        "defender": endpoints.defender_resource,
        "graph": endpoints.graph_resource,
    }
    return endpoints.scope(named.get(chosen, chosen.rstrip("/")))


def login(
    profile_name: str = typer.Option(DEFAULT_PROFILE, "--profile", "-p", help="Profile name."),
    context: Context = typer.Option(
        Context.APP_SECRET, "--context", "-c", help="How to sign in (the access context)."
    ),
    demo: Path | None = typer.Option(
        None,
        "--demo",
        help="Fill endpoints and credentials from an xdrlab demo.json.",
        exists=True,
        dir_okay=False,
    ),
    partner: bool = typer.Option(
        False, "--partner", help="With --demo: sign in as the demo's multi-tenant partner app."
    ),
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant id or domain."),
    customer_tenant: str | None = typer.Option(
        None,
        "--customer-tenant",
        help="Partner context: the customer tenant tokens are for (the app's home is --tenant).",
    ),
    client_id: str | None = typer.Option(None, "--client-id", help="Application (client) id."),
    authority: str | None = typer.Option(
        None, "--authority", help=f"Token service host (default {_PRODUCTION.authority})."
    ),
    api_base: str | None = typer.Option(None, "--api-base", help="Defender API base URL."),
    graph_base: str | None = typer.Option(None, "--graph-base", help="Graph API base URL."),
    ca_file: Path | None = typer.Option(
        None, "--ca-file", help="CA bundle to trust (xdrlab's local CA).", dir_okay=False
    ),
    surface: Surface = typer.Option(Surface.DEFENDER, "--surface", help="Which API to call."),
    client_secret_stdin: bool = typer.Option(
        False,
        "--client-secret-stdin",
        help="Read the client secret from stdin (else $XDRLAB_CLIENT_SECRET, else a prompt).",
    ),
    certificate: Path | None = typer.Option(
        None, "--certificate", help="Certificate (PEM) for app-certificate.", dir_okay=False
    ),
    private_key: Path | None = typer.Option(
        None,
        "--private-key",
        help="Its private key (PEM), if not in the same file.",
        dir_okay=False,
    ),
    username: str | None = typer.Option(None, "--username", "-u", help="User principal name."),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Password grant: read the password from stdin (else $XDRLAB_PASSWORD, else a prompt).",
    ),
    make_default: bool = typer.Option(True, "--default/--no-default", help="Make it the default."),
) -> None:
    """Sign in and save the connection as a profile (secrets go to the OS keyring)."""
    document = _read_demo(demo) if demo is not None else {}
    if partner:
        if not document.get("partner"):
            raise fail("--partner needs --demo with a demo.json that has a partner app", 2)
        home = document["partner"]
        document = {
            **document,
            "tenant_id": home["home_tenant_id"],
            "client_id": home["client_id"],
            "client_secret": home["client_secret"],
        }
        consented = [t for t, ok in (home.get("consented") or {}).items() if ok]
        customer_tenant = customer_tenant or next(iter(consented), None)
    user_context = context in (Context.DEVICE_CODE, Context.BROWSER, Context.PASSWORD)
    demo_client = document.get("public_client_id") if user_context else document.get("client_id")
    profile = Profile(
        name=profile_name,
        context=context,
        tenant=tenant or document.get("tenant_id") or "",
        client_id=client_id or demo_client or "",
        authority=authority or document.get("authority") or _PRODUCTION.authority,
        api_base=api_base or document.get("api_base") or _PRODUCTION.api_base,
        graph_base=graph_base or document.get("graph_base") or _PRODUCTION.graph_base,
        surface=surface,
        customer_tenant=customer_tenant or "",
        ca_file=str((ca_file or Path(document["ca_file"])).resolve())
        if ca_file or document.get("ca_file")
        else "",
    )
    if not profile.tenant or not profile.client_id:
        raise fail("--tenant and --client-id are needed (or --demo FILE)", 2)
    client_secret: str | None = None
    password: str | None = None
    if context is Context.APP_SECRET:
        demo_secret = document.get("client_secret") if demo and not client_id else None
        client_secret = demo_secret or _secret_input(
            client_secret_stdin, "XDRLAB_CLIENT_SECRET", "Client secret"
        )
    elif context is Context.APP_CERTIFICATE:
        cert = certificate or (Path(document["certificate_file"]) if document else None)
        key = private_key or (Path(document["private_key_file"]) if document else None)
        if cert is None:
            raise fail("app-certificate needs --certificate (and --private-key)", 2)
        profile.certificate_file = str(cert.resolve())
        profile.private_key_file = str(key.resolve()) if key else ""
    elif context is Context.PASSWORD:
        users = document.get("users") or []
        profile.username = username or (users[0]["upn"] if users else "")
        if not profile.username:
            raise fail("the password grant needs --username", 2)
        known = {u["upn"].lower(): u["password"] for u in users}
        demo_password = None if password_stdin else known.get(profile.username.lower())
        password = demo_password or _secret_input(password_stdin, "XDRLAB_PASSWORD", "Password")
    else:
        profile.username = username or ""
    profiles, secrets = stores()
    # Sign in first; only a sign-in that worked replaces what the profile had.
    with reported():
        credential = credential_for(
            profile,
            client_secret=client_secret,
            password=password,
            device_prompt=_print_device_code,
        )
        access = credential.get_token(_scope(profile, None))
    for kind, value in ((CLIENT_SECRET, client_secret), (PASSWORD, password)):
        if value is None:
            secrets.delete(profile_name, kind)
        else:
            secrets.set(profile_name, kind, value)
    secrets.delete(profile_name, REFRESH_TOKEN)
    remember_refresh_token(profile, secrets, credential)
    profiles.save(profile, make_default=make_default)
    claims = jwt.decode(access.token, options={"verify_signature": False})
    who = claims.get("upn") or claims.get("preferred_username") or claims.get("app_displayname")
    granted = claims.get("roles") or (claims.get("scp") or "").split()
    out.print(
        f"Signed in as [bold]{escape(str(who or profile.client_id))}[/bold] "
        f"({profile.context}) to tenant {escape(str(claims.get('tid', profile.token_tenant)))}."
    )
    out.print(f"Permissions: {escape(', '.join(granted) or '(none)')}")
    out.print(
        f"Profile [bold]{escape(profile_name)}[/bold] saved in {profiles.path}; "
        f"secrets in {escape(secrets.where)}."
    )


def logout(profile: str | None = ProfileOption) -> None:
    """Forget a profile and its stored secrets and tokens."""
    profiles, secrets = stores()
    name = profile or profiles.default_name()
    for kind in (CLIENT_SECRET, PASSWORD, REFRESH_TOKEN):
        secrets.delete(name, kind)
    if not profiles.remove(name):
        raise fail(f"no profile named {name!r}", 3)
    out.print(f"Profile {escape(name)} removed.")


def list_profiles(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List saved profiles (no secrets)."""
    profiles, _ = stores()
    default = profiles.default_name()
    rows = []
    with reported():
        for name in profiles.names():
            item = profiles.get(name)
            rows.append({"name": name, "default": name == default, **item.to_toml()})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(header_style="bold")
    for column in ("Profile", "Context", "Tenant", "Client", "Surface", "Authority"):
        table.add_column(column)
    for row in rows:
        mark = " *" if row["default"] else ""
        tenant_text = row["tenant"] + (
            f" → {row['customer_tenant']}" if row.get("customer_tenant") else ""
        )
        table.add_row(
            row["name"] + mark,
            row["context"],
            tenant_text,
            row["client_id"],
            row["surface"],
            row["authority"],
        )
    out.print(table if rows else "[dim](no profiles; run xdrlab login)[/dim]")


def token(
    resource: str | None = typer.Option(
        None,
        "--resource",
        "-r",
        help="defender, graph, or a resource URI (default: the profile's API).",
    ),
    decode: bool = typer.Option(
        False, "--decode", help="Print the token's header and claims (not verified) instead."
    ),
    profile: str | None = ProfileOption,
) -> None:
    """Print an access token for the profile, or its decoded claims, for debugging."""
    profiles, secrets = stores()
    with reported():
        chosen = profiles.get(profile)
        credential = stored_credential(chosen, secrets, device_prompt=_print_device_code)
        access = credential.get_token(_scope(chosen, resource))
        remember_refresh_token(chosen, secrets, credential)
    if not decode:
        typer.echo(access.token)
        return
    header = jwt.get_unverified_header(access.token)
    claims = jwt.decode(access.token, options={"verify_signature": False})
    typer.echo(json.dumps({"header": header, "claims": claims}, indent=2))
