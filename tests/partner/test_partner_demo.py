"""Seeding the partner demo twice reuses everything; losing demo.json gives a new secret."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from xdrlab.demo.partner import DATA_MARKER, PROCESS_EVENTS
from xdrlab.demo.seed import seed_demo, write_demo_json
from xdrlab.demo.telemetry.frame import table_def
from xdrlab.identity import apps, consent, users
from xdrlab.identity.credentials import password_matches
from xdrlab.server.state import open_state
from xdrlab.settings import Settings
from xdrlab.store.models import Incident, Tenant


def test_second_seed_reuses_the_partner_setup(tmp_path: Path) -> None:
    state = open_state(Settings(state_dir=tmp_path))
    first = seed_demo(state)
    assert first.partner is not None
    write_demo_json(tmp_path, first.document("https://localhost:1", None))
    files = state.lake.files(first.partner.consented_tenant_id, table_def("DeviceProcessEvents"))

    again = open_state(Settings(state_dir=tmp_path))
    second = seed_demo(again)
    assert second.partner == first.partner
    assert second.public_client_id == first.public_client_id
    customer = first.partner.consented_tenant_id
    assert again.lake.files(customer, table_def("DeviceProcessEvents")) == files
    assert json.loads((tmp_path / DATA_MARKER).read_text())["process_events"] == PROCESS_EVENTS
    with again.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Tenant)) == 4
        assert (
            session.scalar(
                select(func.count()).select_from(Incident).where(Incident.tenant_id == customer)
            )
            == 2
        )
        app = apps.require_app(session, first.partner.client_id)
        assert app.is_multi_tenant and not app.is_public_client
        assert (
            consent.find_service_principal(session, first.partner.unconsented_tenant_id, app)
            is None
        )
        for admin in first.partner.customer_admins:
            user = users.require_user(session, admin["upn"])
            assert user.tenant_id == admin["tenant_id"]
            assert user.roles == ["Global Administrator"]
            assert password_matches(admin["password"], user.password_hash)
        public = apps.require_app(session, first.public_client_id)
        assert public.is_public_client and public.redirect_uris == ["http://localhost"]

    # demo.json lost: the partner app gets a new secret (the old one stays registered).
    (tmp_path / "demo.json").unlink()
    third = seed_demo(open_state(Settings(state_dir=tmp_path)))
    assert third.partner is not None
    assert third.partner.client_id == first.partner.client_id
    assert third.partner.client_secret != first.partner.client_secret
