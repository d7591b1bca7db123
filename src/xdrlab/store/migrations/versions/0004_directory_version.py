"""Directory version: a counter that triggers bump on every change to the tables a
client-credentials token is issued from, so caches of those rows can tell they are stale.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:40:00.000000

The triggers are SQLite's (the default store); on other databases the table is created without
them and the server does not cache those rows. A later migration that rebuilds one of these
tables with `batch_alter_table` (SQLite's copy-and-move) drops its triggers: it must create
them again (the server checks that they are all there, and a test does too).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "tenants",
    "tenant_domains",
    "applications",
    "client_secrets",
    "service_principals",
    "app_role_assignments",
)
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def upgrade() -> None:
    op.create_table(
        "directory_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_version")),
    )
    op.execute("INSERT INTO directory_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        for operation in OPERATIONS:
            name = f"directory_version_{table}_{operation.lower()}"
            bump = "UPDATE directory_version SET version = version + 1 WHERE id = 1"
            op.execute(f"CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN {bump}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS directory_version_{table}_{operation.lower()}")
    op.drop_table("directory_version")
