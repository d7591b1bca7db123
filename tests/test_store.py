"""The control plane's schema comes from migrations, and the migrations match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from xdrlab.store.db import make_engine, migrate
from xdrlab.store.models import Base


def test_migrations_build_the_schema_the_models_describe(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cp.db'}")
    migrate(engine)
    migrate(engine)  # idempotent
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert tables >= {
        "tenants",
        "tenant_domains",
        "applications",
        "requested_permissions",
        "client_secrets",
        "certificates",
        "service_principals",
        "app_role_assignments",
        "users",
        "signing_keys",
        "used_assertions",
        "audit_events",
        "alembic_version",
    }
