"""The cached client-credentials path: the same tokens and audit events as the full path, a
change to the directory seen at the very next request (from any connection, so any process),
expiry checked per request, every refusal left to the full path; and the audit writer's group
commit."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import shutil
import sqlite3
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import jwt
import pytest
from sqlalchemy import event, select, text

from tests.clocks import MovableClock
from xdrlab.demo.seed import DemoCredentials, seed_demo
from xdrlab.identity import apps, consent
from xdrlab.identity.audit import AuditWriter
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.directory_cache import TRIGGERS, WATCHED_TABLES, DirectoryCache, cache_key
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.cached_client_credentials import issue_from_cache
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.token_endpoint import handle_token_request
from xdrlab.identity.tokens import encode_rs256
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings
from xdrlab.store.models import AuditEvent, DirectoryVersion, Tenant

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own: the main thread may hold a running loop already
    (Playwright's sync API keeps one for the session's browser tests)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
SCOPE = "https://api.security.microsoft.com/.default"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass
class Env:
    state: ServerState
    clock: MovableClock
    demo: DemoCredentials
    ctx: IdentityContext

    def form(self, **overrides: str) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.demo.client_id,
            "client_secret": self.demo.client_secret,
            "scope": SCOPE,
            **overrides,
        }

    def cached(
        self,
        form: dict[str, str] | None = None,
        *,
        version: int = 2,
        segment: str | None = None,
        authorization: str | None = None,
        correlation_id: str | None = None,
    ) -> GrantResult | None:
        return run(
            issue_from_cache(
                self.ctx,
                version=version,
                segment=segment or self.demo.tenant_id,
                content_type=FORM_TYPE,
                body=urlencode(form or self.form()).encode(),
                authorization=authorization,
                correlation_id=correlation_id or str(uuid.uuid4()),
            )
        )

    def full(
        self, form: dict[str, str] | None = None, *, correlation_id: str | None = None
    ) -> GrantResult:
        return handle_token_request(
            self.ctx,
            version=2,
            segment=self.demo.tenant_id,
            content_type=FORM_TYPE,
            body=urlencode(form or self.form()).encode(),
            authorization=None,
            base_url=self.state.settings.base_url,
            correlation_id=correlation_id or str(uuid.uuid4()),
        )

    def refusal_code(self, form: dict[str, str] | None = None) -> int:
        with pytest.raises(IdentityError) as refused:
            self.full(form)
        return refused.value.entry.code

    def audit_event(self, correlation_id: str) -> AuditEvent:
        with self.state.sessions() as session:
            row = session.scalars(
                select(AuditEvent).where(AuditEvent.correlation_id == correlation_id)
            ).one()
            session.expunge(row)
            return row

    def version(self) -> int:
        with self.state.sessions() as session:
            return session.scalars(select(DirectoryVersion.version)).one()

    def key(self) -> tuple[str, str]:
        return cache_key(self.demo.tenant_id, self.demo.client_id)


def _settings(state_dir: Path) -> Settings:
    return Settings(state_dir=state_dir, host="127.0.0.1", port=8443)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoCredentials]:
    """A demo state folder made once (seeding takes seconds); each test gets a copy."""
    state_dir = tmp_path_factory.mktemp("seeded")
    state = open_state(_settings(state_dir), MovableClock(START))
    demo = seed_demo(state)
    state.engine.dispose()  # the WAL folded into the database file, so a copy is whole
    return state_dir, demo


@pytest.fixture
def env(tmp_path: Path, seeded: tuple[Path, DemoCredentials]) -> Iterator[Env]:
    template, demo = seeded
    state_dir = tmp_path / "state"
    shutil.copytree(template, state_dir)
    clock = MovableClock(START)
    state = open_state(_settings(state_dir), clock)
    environment = Env(state, clock, demo, state.identity())
    yield environment
    environment.ctx.directory.close()
    state.engine.dispose()


def claims_of(result: GrantResult) -> dict[str, Any]:
    token = result.body["access_token"]
    return dict(jwt.decode(token, options={"verify_signature": False}))


# --- the counter and its triggers -------------------------------------------------------------


def test_the_migrations_create_every_trigger_the_cache_relies_on(env: Env) -> None:
    with env.state.engine.connect() as connection:
        names = set(
            connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            .scalars()
            .all()
        )
    assert names >= TRIGGERS
    assert env.ctx.directory.enabled


def test_each_watched_table_moves_the_version_and_an_audit_event_does_not(env: Env) -> None:
    columns = {
        "tenants": "display_name",
        "tenant_domains": "is_initial",
        "applications": "display_name",
        "client_secrets": "display_name",
        "service_principals": "enabled",
        "app_role_assignments": "granted_by",
    }
    assert set(columns) == set(WATCHED_TABLES)
    for table, column in columns.items():
        before = env.version()
        with env.state.engine.begin() as connection:
            connection.execute(text(f"UPDATE {table} SET {column} = {column}"))  # noqa: S608
        assert env.version() > before, table
    before = env.version()
    assert env.cached() is not None  # writes an audit event
    assert env.version() == before


# --- same answers as the full path ------------------------------------------------------------


def test_the_cached_path_issues_and_audits_what_the_full_path_does(env: Env) -> None:
    cached_id, full_id = str(uuid.uuid4()), str(uuid.uuid4())
    cached = env.cached(correlation_id=cached_id)
    assert cached is not None
    assert env.ctx.directory.lookup(env.key()) is not None  # served from the copy
    full = env.full(correlation_id=full_id)

    assert cached.body.keys() == full.body.keys()
    cached_claims, full_claims = claims_of(cached), claims_of(full)
    assert cached_claims.pop("uti") != full_claims.pop("uti")
    assert cached_claims == full_claims  # the clock stands still, so iat/nbf/exp too
    assert cached_claims["roles"]
    assert jwt.get_unverified_header(cached.body["access_token"]) == jwt.get_unverified_header(
        full.body["access_token"]
    )

    seen, expected = env.audit_event(cached_id), env.audit_event(full_id)
    for name in ("timestamp", "tenant_id", "category", "activity", "actor", "target", "result"):
        assert getattr(seen, name) == getattr(expected, name), name
    assert seen.message == expected.message
    assert seen.detail.pop("uti") == claims_of(cached)["uti"]
    assert expected.detail.pop("uti") == claims_of(full)["uti"]
    assert seen.detail == expected.detail
    assert seen.detail["credential"] is not None


def test_every_response_carries_a_new_token(env: Env) -> None:
    first, second = env.cached(), env.cached()
    assert first is not None and second is not None
    assert first.body["access_token"] != second.body["access_token"]
    assert claims_of(first)["uti"] != claims_of(second)["uti"]


def test_a_v1_request_is_served_with_its_resource(env: Env) -> None:
    form = env.form(resource="https://api.security.microsoft.com")
    del form["scope"]
    result = env.cached(form, version=1)
    assert result is not None
    assert claims_of(result)["aud"] == "https://api.security.microsoft.com"
    assert result.body["resource"] == "https://api.security.microsoft.com"


def test_requests_it_does_not_serve_go_to_the_full_path(env: Env) -> None:
    basic = (
        "Basic "
        + base64.b64encode(f"{env.demo.client_id}:{env.demo.client_secret}".encode()).decode()
    )
    without_secret = env.form()
    del without_secret["client_secret"]
    not_served = [
        env.cached(env.form(client_secret="wrong")),
        env.cached(env.form(client_secret="")),
        env.cached(without_secret),
        env.cached(env.form(grant_type="password")),
        env.cached(env.form(client_id=str(uuid.uuid4()))),
        env.cached(env.form(client_id="not-a-guid")),
        env.cached(env.form(client_id=env.demo.public_client_id)),
        env.cached(env.form(resource="https://api.security.microsoft.com")),
        env.cached(env.form(client_assertion="x.y.z")),
        env.cached(env.form(scope="https://nowhere.example/.default")),
        env.cached(env.form(), authorization=basic),
        env.cached(segment="common"),
        env.cached(segment="no-such-tenant.example"),
    ]
    assert not_served == [None] * len(not_served)
    # None of those left an audit event: the full path writes the refusal's.
    with env.state.sessions() as session:
        assert (
            session.scalars(select(AuditEvent).where(AuditEvent.category == "SignIn")).all() == []
        )

    assert env.refusal_code(env.form(client_secret="wrong")) == 7000215


def test_a_tenant_named_by_its_domain_is_served(env: Env) -> None:
    assert env.cached(segment=env.demo.tenant_domain.upper()) is not None


# --- staleness ---------------------------------------------------------------------------------


def test_expiry_is_checked_at_each_request_not_when_the_copy_was_made(env: Env) -> None:
    with env.state.sessions.begin() as session:
        app = apps.require_app(session, env.demo.client_id)
        new = apps.add_secret(
            session, env.clock, env.state.secret_hash_key, app, lifetime=dt.timedelta(hours=1)
        )
    form = env.form(client_secret=new.value)
    assert env.cached(form) is not None
    version = env.version()
    env.clock.set(START + dt.timedelta(hours=1))
    assert env.cached(form) is None
    assert env.version() == version  # nothing changed in the store: the copy was current
    assert env.ctx.directory.lookup(env.key()) is not None
    assert env.refusal_code(form) == 7000222
    assert env.cached() is not None  # the demo secret still works


def test_a_secret_removed_by_another_connection_stops_working_at_the_next_request(
    env: Env,
) -> None:
    with env.state.sessions.begin() as session:
        app = apps.require_app(session, env.demo.client_id)
        new = apps.add_secret(session, env.clock, env.state.secret_hash_key, app)
    form = env.form(client_secret=new.value)
    assert env.cached(form) is not None
    # As the admin CLI in another process would: a connection of its own, no ORM.
    database = env.state.settings.state_dir / "xdrlab.db"
    with sqlite3.connect(database) as other:
        other.execute("DELETE FROM client_secrets WHERE id = ?", (new.key_id,))
    assert env.cached(form) is None
    assert env.refusal_code(form) == 7000215


def test_disabling_the_app_and_revoking_a_role_count_at_the_next_request(env: Env) -> None:
    assert env.cached() is not None
    with env.state.sessions.begin() as session:
        apps.require_app(session, env.demo.client_id).enabled = False
    assert env.cached() is None
    assert env.refusal_code() == 7000112
    with env.state.sessions.begin() as session:
        apps.require_app(session, env.demo.client_id).enabled = True
    before = env.cached()
    assert before is not None
    role = claims_of(before)["roles"][0]
    with env.state.sessions.begin() as session:
        app = apps.require_app(session, env.demo.client_id)
        tenant = session.get(Tenant, env.demo.tenant_id)
        assert tenant is not None
        sp = consent.find_service_principal(session, tenant.id, app)
        assert sp is not None
        consent.revoke_app_roles(session, sp, DEFENDER_XDR, [role])
    after = env.cached()
    assert after is not None
    assert role not in claims_of(after).get("roles", [])


def test_without_its_triggers_the_cache_keeps_nothing(env: Env) -> None:
    with env.state.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER directory_version_client_secrets_delete"))
    cache = DirectoryCache(env.state.engine, env.state.sessions)
    try:
        assert not cache.enabled
        assert cache.load(env.key()) is None
        assert cache.lookup(env.key()) is None
    finally:
        cache.close()


# --- the audit writer --------------------------------------------------------------------------


def test_events_written_at_once_share_commits_and_are_all_there_on_return(env: Env) -> None:
    writer = AuditWriter(env.state.engine, env.clock)
    commits: list[int] = []

    def count(_connection: Any) -> None:
        commits.append(1)

    event.listen(env.state.engine, "commit", count)
    # Hold the write lock, so the writer's first commit waits while all the events queue up.
    database = env.state.settings.state_dir / "xdrlab.db"
    blocker = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    ids = [str(uuid.uuid4()) for _ in range(50)]

    async def write_all() -> None:
        tasks = [
            asyncio.ensure_future(
                writer.record(category="Test", activity="Batch", correlation_id=i, n=n)
            )
            for n, i in enumerate(ids)
        ]
        await asyncio.sleep(0.05)  # every task has queued its event by now
        assert not any(task.done() for task in tasks)  # none answered before its commit
        blocker.execute("COMMIT")
        await asyncio.gather(*tasks)

    try:
        run(write_all())
    finally:
        blocker.close()
        event.remove(env.state.engine, "commit", count)
    with env.state.sessions() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.activity == "Batch")).all()
    assert sorted(r.correlation_id or "" for r in rows) == sorted(ids)
    assert {r.detail["n"] for r in rows} == set(range(50))
    assert len(commits) <= 2  # the event taken before the lock was seen, then all the rest


def test_a_failed_commit_fails_the_request_that_waits_for_it(env: Env) -> None:
    writer = AuditWriter(env.state.engine, env.clock)
    with env.state.engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_events RENAME TO audit_events_away"))
    try:
        with pytest.raises(Exception, match="audit_events"):
            run(writer.record(category="Test", activity="Lost"))
    finally:
        with env.state.engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_events_away RENAME TO audit_events"))


def test_the_writer_thread_ends_when_idle_and_comes_back(env: Env) -> None:
    writer = AuditWriter(env.state.engine, env.clock, idle_seconds=0.01)
    run(writer.record(category="Test", activity="First"))
    assert writer.running
    deadline = time.monotonic() + 10
    while writer.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not writer.running
    run(writer.record(category="Test", activity="Second"))
    with env.state.sessions() as session:
        activities = session.scalars(
            select(AuditEvent.activity).where(AuditEvent.category == "Test")
        ).all()
    assert sorted(activities) == ["First", "Second"]


def test_tokens_are_serialized_as_pyjwt_would(env: Env) -> None:
    """Byte for byte (PKCS#1 v1.5 signatures are deterministic), with and without x5t, and
    with a claim that JSON escapes."""
    key = env.ctx.keys.current()
    payload = {"aud": "https://a.example", "iat": 1, "name": "Zoë", "roles": ["A", "B"]}
    for x5t in (False, True):
        headers = {"typ": "JWT", "kid": key.kid, **({"x5t": key.kid} if x5t else {})}
        expected = jwt.encode(payload, key.private_key, algorithm="RS256", headers=headers)
        assert encode_rs256(payload, key.private_key, key.kid, x5t=x5t) == expected
