"""Security operations: incidents, their comments and alerts, and rate-limit counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:48:02.245928
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import xdrlab.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "rate_limit_counters",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "client_id", "bucket", "window_start", name=op.f("pk_rate_limit_counters")
        ),
    )
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_limit_counters_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("classification", sa.String(length=40), nullable=False),
        sa.Column("determination", sa.String(length=40), nullable=False),
        sa.Column("assigned_to", sa.String(length=256), nullable=True),
        sa.Column("redirect_incident_id", sa.Integer(), nullable=True),
        sa.Column("detection_source", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("system_tags", sa.JSON(), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_incidents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incidents_last_update_at"), ["last_update_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("service_source", sa.String(length=64), nullable=False),
        sa.Column("detection_source", sa.String(length=64), nullable=False),
        sa.Column("classification", sa.String(length=40), nullable=True),
        sa.Column("determination", sa.String(length=40), nullable=True),
        sa.Column("assigned_to", sa.String(length=256), nullable=True),
        sa.Column("investigation_id", sa.Integer(), nullable=True),
        sa.Column("investigation_state", sa.String(length=40), nullable=False),
        sa.Column("threat_family_name", sa.String(length=128), nullable=True),
        sa.Column("actor_name", sa.String(length=128), nullable=True),
        sa.Column("mitre_techniques", sa.JSON(), nullable=False),
        sa.Column("devices", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_update_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "first_activity_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_activity_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alerts_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_alerts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alerts_last_update_at"), ["last_update_at"], unique=False
        )

    op.create_table(
        "incident_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=256), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_comments_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_comments")),
    )
    with op.batch_alter_table("incident_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_comments_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("incident_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_comments_incident_id"))

    op.drop_table("incident_comments")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_last_update_at"))
        batch_op.drop_index(batch_op.f("ix_alerts_incident_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_created_at"))

    op.drop_table("alerts")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_incidents_last_update_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_created_at"))

    op.drop_table("incidents")
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counters_expires_at"))

    op.drop_table("rate_limit_counters")
