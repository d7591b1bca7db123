"""Secrets are stored only as keyed hashes, are never logged, and cannot be read back."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tests.conftest import Live
from xdrlab.identity import apps
from xdrlab.store.models import AuditEvent, ClientSecret


def test_secret_value_is_nowhere_in_the_database(live: Live) -> None:
    secret = live.demo.client_secret
    database = live.state.settings.state_dir / "xdrlab.db"
    live.state.engine.dispose()  # flush WAL pages into the main file too
    blobs = [database.read_bytes()]
    wal = database.with_name(database.name + "-wal")
    if wal.exists():
        blobs.append(wal.read_bytes())
    assert all(secret.encode() not in blob for blob in blobs)
    with live.state.sessions() as session:
        rows = session.scalars(select(ClientSecret)).all()
        assert rows
        for row in rows:
            assert len(row.secret_hash) == 64 and row.secret_hash != secret
            assert len(row.hint) == 3


def test_secret_is_never_logged(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    with live.state.sessions.begin() as session:
        app = apps.require_app(session, live.demo.client_id)
        new = apps.add_secret(session, live.state.clock, live.state.secret_hash_key, app)
    caplog.set_level(logging.DEBUG)
    ok = live.post_token(live.client_credentials_form(client_secret=new.value))
    bad = live.post_token(live.client_credentials_form(client_secret=new.value + "x"))
    assert ok.status_code == 200 and bad.status_code == 401
    assert new.value not in caplog.text
    with live.state.sessions() as session:
        events = session.scalars(select(AuditEvent)).all()
        assert any(e.result == "failure" and e.message == "AADSTS7000215" for e in events)
        assert all(new.value not in str(e.detail) + e.message for e in events)


def test_a_second_read_of_a_secret_is_impossible(live: Live) -> None:
    """After creation only the key id, the hint and the expiry can be seen."""
    with live.state.sessions.begin() as session:
        app = apps.require_app(session, live.demo.client_id)
        new = apps.add_secret(session, live.state.clock, live.state.secret_hash_key, app)
    with live.state.sessions() as session:
        row = session.get(ClientSecret, new.key_id)
        assert row is not None
        visible = {c.key: getattr(row, c.key) for c in ClientSecret.__table__.columns}
    assert new.value not in str(visible)
    assert visible["hint"] == new.value[:3]


def test_removed_secret_stops_working(live: Live) -> None:
    with live.state.sessions.begin() as session:
        app = apps.require_app(session, live.demo.client_id)
        new = apps.add_secret(session, live.state.clock, live.state.secret_hash_key, app)
    data = live.client_credentials_form(client_secret=new.value)
    assert live.post_token(data).status_code == 200
    with live.state.sessions.begin() as session:
        apps.remove_secret(session, apps.require_app(session, live.demo.client_id), new.key_id)
    response = live.post_token(data)
    assert response.status_code == 401
    assert response.json()["error_codes"] == [7000215]
