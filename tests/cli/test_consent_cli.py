"""The consent and session commands: listing consent per app and tenant, revoking it (with what
each kind of revocation does to token requests), user roles, signing a user out everywhere,
and the tenant's users-can-consent setting."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from typing import Any

import jwt
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import Live
from xdrlab.cli.main import app as cli
from xdrlab.demo.seed import DEMO_PUBLIC_CLIENT_NAME
from xdrlab.identity import apps, consent, tenants, users
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.store.models import BrowserSession, RefreshToken, Tenant, User

runner = CliRunner()


def run(live: Live, *args: str) -> Any:
    result = runner.invoke(cli, [*args, "--json", "--state", str(live.state.settings.state_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fail(live: Live, *args: str) -> str:
    result = runner.invoke(cli, [*args, "--state", str(live.state.settings.state_dir)])
    assert result.exit_code == 1, result.output
    return " ".join(result.output.split())


def _tenant(live: Live) -> tuple[str, str]:
    domain = f"cli{uuid.uuid4().hex[:8]}.onmicrosoft.com"
    return run(live, "tenant", "create", "Litware", "--domain", domain)["tenant_id"], domain


def _refresh_token(live: Live, user: User, client_id: str) -> str:
    now = live.state.clock.now()
    token_hash = secrets.token_hex(32)
    with live.state.sessions.begin() as session:
        session.add(
            RefreshToken(
                token_hash=token_hash,
                family_id=str(uuid.uuid4()),
                tenant_id=user.tenant_id,
                client_id=client_id,
                user_id=user.id,
                scopes=["Incident.Read"],
                auth_time=now,
                created_at=now,
                expires_at=now + dt.timedelta(days=90),
            )
        )
    return token_hash


def _revoked(live: Live, token_hash: str) -> bool:
    with live.state.sessions() as session:
        token = session.get(RefreshToken, token_hash)
        assert token is not None
        return token.revoked_at is not None


def test_consent_list_shows_the_demo_apps(live: Live) -> None:
    rows = run(live, "consent", "list", "--tenant", live.demo.tenant_domain)
    daemon = [r for r in rows if r["client_id"] == live.demo.client_id]
    assert {(r["kind"], r["resource"]) for r in daemon} == {
        ("application", "Microsoft Threat Protection"),
        ("application", "Microsoft Graph"),
        ("application", "WindowsDefenderATP"),
    }
    defender = next(r for r in daemon if r["resource"] == "Microsoft Threat Protection")
    assert defender["permissions"] == sorted(r.value for r in DEFENDER_XDR.app_roles)
    public = [r for r in rows if r["client_id"] == live.demo.public_client_id]
    assert public and all(r["app"] == DEMO_PUBLIC_CLIENT_NAME for r in public)
    assert {r["kind"] for r in public} == {"delegated"}
    assert {r["principal"] for r in public} == {"AllPrincipals"}
    assert next(r for r in public if r["resource"] == "Microsoft Threat Protection")[
        "permissions"
    ] == ["AdvancedHunting.Read", "Incident.Read", "Incident.ReadWrite"]

    partner = live.demo.partner
    assert partner is not None
    by_app = run(live, "consent", "list", "--client-id", partner.client_id)
    # (other tests add customers of their own)
    assert {r["tenant_id"] for r in by_app} >= {partner.home_tenant_id, partner.consented_tenant_id}
    assert partner.unconsented_tenant_id not in {r["tenant_id"] for r in by_app}
    assert {r["home_tenant"] for r in by_app if r["tenant_id"] == partner.home_tenant_id} == {True}
    assert run(live, "consent", "list", "--tenant", "tailspin.onmicrosoft.com") == []


def test_revoking_one_users_delegated_grant(live: Live) -> None:
    tenant_id, domain = _tenant(live)
    state = live.state
    with state.sessions.begin() as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        app = apps.create_app(session, state.clock, tenant, "litware cli", public_client=True)
        ann = users.create_user(session, state.clock, tenant, f"ann@{domain}", "Passw0rd-ann")
        bob = users.create_user(session, state.clock, tenant, f"bob@{domain}", "Passw0rd-bob")
        consent.grant_delegated(session, state.clock, tenant, app, DEFENDER_XDR, ["Incident.Read"])
        for user in (ann, bob):
            consent.grant_delegated(
                session, state.clock, tenant, app, DEFENDER_XDR, ["Incident.ReadWrite"], user=user
            )
        client_id = app.app_id
        session.expunge_all()
    ann_token, bob_token = (
        _refresh_token(live, ann, client_id),
        _refresh_token(live, bob, client_id),
    )

    listed = run(live, "consent", "list", "--tenant", domain)
    assert [(r["principal"], r["permissions"]) for r in listed] == [
        ("AllPrincipals", ["Incident.Read"]),
        (f"ann@{domain}", ["Incident.ReadWrite"]),
        (f"bob@{domain}", ["Incident.ReadWrite"]),
    ]
    revoked = run(
        live, "consent", "revoke", client_id, "--tenant", domain, "--user", f"ann@{domain}"
    )
    assert revoked == {
        "client_id": client_id,
        "tenant_id": tenant_id,
        "app_roles_removed": 0,
        "delegated_grants_removed": 1,
        "refresh_tokens_revoked": 1,
        "service_principal_removed": False,
    }
    assert _revoked(live, ann_token) and not _revoked(live, bob_token)
    assert [r["principal"] for r in run(live, "consent", "list", "--tenant", domain)] == [
        "AllPrincipals",
        f"bob@{domain}",
    ]
    # Every delegated grant (tenant-wide one included); the home-tenant service principal stays.
    revoked = run(live, "consent", "revoke", client_id, "--tenant", tenant_id, "--delegated")
    assert revoked["delegated_grants_removed"] == 2 and revoked["refresh_tokens_revoked"] == 1
    assert _revoked(live, bob_token)
    assert [r["kind"] for r in run(live, "consent", "list", "--tenant", domain)] == ["none"]


def test_revoking_everything_in_the_home_tenant_keeps_the_app_usable_without_roles(
    live: Live,
) -> None:
    tenant_id, domain = _tenant(live)
    app = run(live, "app", "create", "litware daemon", "--tenant", domain)
    secret = run(live, "secret", "add", app["client_id"])["secret"]
    run(live, "app", "grant", app["client_id"], "--all")
    revoked = run(live, "consent", "revoke", app["client_id"], "--tenant", domain)
    assert revoked["app_roles_removed"] == len(DEFENDER_XDR.app_roles)
    assert revoked["service_principal_removed"] is False
    response = live.post_token(
        live.client_credentials_form(client_id=app["client_id"], client_secret=secret),
        tenant=tenant_id,
    )
    assert response.status_code == 200, response.text
    assert "roles" not in jwt.decode(
        response.json()["access_token"], options={"verify_signature": False}
    )


def test_revoke_errors_are_clear(live: Live) -> None:
    partner = live.demo.partner
    assert partner is not None
    message = fail(
        live, "consent", "revoke", partner.client_id, "--tenant", "tailspin.onmicrosoft.com"
    )
    assert f"app '{partner.client_id}' is not present in tenant" in message
    message = fail(
        live,
        "consent",
        "revoke",
        live.demo.public_client_id,
        "--tenant",
        live.demo.tenant_domain,
        "--user",
        f"nobody@{live.demo.tenant_domain}",
    )
    assert "no user 'nobody@" in message
    assert "no tenant 'nowhere.example'" in fail(
        live, "consent", "list", "--tenant", "nowhere.example"
    )


def test_user_roles_and_revoke_sessions(live: Live) -> None:
    tenant_id, domain = _tenant(live)
    upn = f"cleo@{domain}"
    created = run(live, "user", "create", upn, "--password", "Correct-Horse-9")
    assert created["roles"] == []
    assert run(live, "user", "add-role", upn, "security operator")["roles"] == ["Security Operator"]
    assert run(live, "user", "add-role", upn, "Global Reader")["roles"] == [
        "Global Reader",
        "Security Operator",
    ]
    assert run(live, "user", "remove-role", upn, "SECURITY OPERATOR")["roles"] == ["Global Reader"]
    assert "does not hold" in fail(live, "user", "remove-role", upn, "Security Operator")
    assert "unknown role" in fail(live, "user", "add-role", upn, "Dungeon Master")

    now = live.state.clock.now()
    with live.state.sessions.begin() as session:
        user = users.require_user(session, upn)
        for _ in range(2):
            session.add(
                BrowserSession(
                    id_hash=secrets.token_hex(32),
                    user_id=user.id,
                    tenant_id=tenant_id,
                    auth_time=now,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + dt.timedelta(hours=24),
                )
            )
        session.expunge(user)
    tokens = [_refresh_token(live, user, str(uuid.uuid4())) for _ in range(3)]
    with live.state.sessions() as session:
        analyst = users.require_user(session, f"analyst@{live.demo.tenant_domain}")
        session.expunge(analyst)
    analyst_token = _refresh_token(live, analyst, live.demo.public_client_id)

    assert run(live, "user", "revoke-sessions", upn) == {
        "upn": upn,
        "browser_sessions_revoked": 2,
        "refresh_tokens_revoked": 3,
    }
    assert all(_revoked(live, t) for t in tokens)
    assert not _revoked(live, analyst_token)  # nobody else's
    with live.state.sessions() as session:
        browsers = session.scalars(
            select(BrowserSession).where(BrowserSession.tenant_id == tenant_id)
        ).all()
        assert len(browsers) == 2 and all(b.revoked_at is not None for b in browsers)
    assert run(live, "user", "revoke-sessions", upn.upper())["refresh_tokens_revoked"] == 0


def test_tenant_set_users_can_consent(live: Live) -> None:
    tenant_id, domain = _tenant(live)
    assert run(live, "tenant", "list")[0].keys() >= {"users_can_consent"}
    off = run(live, "tenant", "set", domain, "--no-users-can-consent")
    assert off["tenant_id"] == tenant_id and off["users_can_consent"] is False
    with live.state.sessions() as session:
        tenant = tenants.require_tenant(session, tenant_id)
        assert tenant.users_can_consent is False
    assert run(live, "tenant", "set", tenant_id, "--users-can-consent")["users_can_consent"]
    assert run(live, "tenant", "set", tenant_id)["users_can_consent"] is True  # unchanged


def _password_grant(live: Live, tenant: str, client_id: str, upn: str) -> Any:
    return live.post_token(
        {
            "grant_type": "password",
            "client_id": client_id,
            "username": upn,
            "password": "Correct-Horse-9",
            "scope": "https://api.security.microsoft.com/.default offline_access",
        },
        tenant=tenant,
    )


def _refresh(live: Live, tenant: str, client_id: str, refresh_token: str) -> Any:
    return live.post_token(
        {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "refresh_token": refresh_token,
            "scope": "https://api.security.microsoft.com/.default offline_access",
        },
        tenant=tenant,
    )


def test_revoke_sessions_ends_real_refresh_tokens(live: Live) -> None:
    # The demo public client, its scopes consented tenant-wide, and a new user of the demo tenant.
    upn = f"rs-{uuid.uuid4().hex[:6]}@{live.demo.tenant_domain}"
    run(live, "user", "create", upn, "--password", "Correct-Horse-9", "--role", "Security Reader")
    client_id = live.demo.public_client_id
    first = _password_grant(live, live.tenant_id, client_id, upn)
    assert first.status_code == 200, first.text
    refreshed = _refresh(live, live.tenant_id, client_id, first.json()["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text

    assert run(live, "user", "revoke-sessions", upn)["refresh_tokens_revoked"] >= 1
    again = _refresh(live, live.tenant_id, client_id, refreshed.json()["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert again.json()["error_codes"] == [50173]
    # Signing in again works: only what existed was revoked.
    assert _password_grant(live, live.tenant_id, client_id, upn).status_code == 200


def test_revoking_delegated_consent_ends_refresh_and_new_sign_ins(live: Live) -> None:
    tenant_id, domain = _tenant(live)
    upn = f"dee@{domain}"
    run(live, "user", "create", upn, "--password", "Correct-Horse-9", "--role", "Security Reader")
    state = live.state
    with state.sessions.begin() as session:
        tenant = tenants.require_tenant(session, tenant_id)
        app = apps.create_app(session, state.clock, tenant, "litware tool", public_client=True)
        consent.grant_delegated(session, state.clock, tenant, app, DEFENDER_XDR, ["Incident.Read"])
        client_id = app.app_id
    signed_in = _password_grant(live, tenant_id, client_id, upn)
    assert signed_in.status_code == 200, signed_in.text

    revoked = run(live, "consent", "revoke", client_id, "--tenant", domain, "--delegated")
    assert revoked["delegated_grants_removed"] == 1 and revoked["refresh_tokens_revoked"] == 1
    refreshed = _refresh(live, tenant_id, client_id, signed_in.json()["refresh_token"])
    assert refreshed.status_code == 400 and refreshed.json()["error_codes"] == [50173]
    again = _password_grant(live, tenant_id, client_id, upn)
    assert again.status_code == 400
    assert again.json()["error_codes"] == [65001]
