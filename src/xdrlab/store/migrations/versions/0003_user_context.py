"""User and partner context: delegated grants, authorization codes, refresh tokens, device codes,
browser sessions, and the tenant setting that lets users consent.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:47:42.180332
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import xdrlab.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "authorization_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("resource", sa.Text(), nullable=True),
        sa.Column("endpoint_version", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=8), nullable=True),
        sa.Column("auth_time", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("family_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_authorization_codes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_authorization_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_authorization_codes")),
    )
    with op.batch_alter_table("authorization_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorization_codes_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_authorization_codes_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "browser_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("auth_time", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_browser_sessions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_browser_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_browser_sessions")),
    )
    with op.batch_alter_table("browser_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_browser_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_browser_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "device_codes",
        sa.Column("device_code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_code", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=True),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("resource", sa.Text(), nullable=True),
        sa.Column("endpoint_version", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("approved_tenant_id", sa.String(length=36), nullable=True),
        sa.Column("auth_time", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_polled_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_device_codes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_device_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_code_hash", name=op.f("pk_device_codes")),
        sa.UniqueConstraint("user_code", name=op.f("uq_device_codes_user_code")),
    )
    with op.batch_alter_table("device_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_codes_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("auth_time", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_refresh_tokens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "delegated_grants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("client_service_principal_id", sa.String(length=36), nullable=False),
        sa.Column("resource_app_id", sa.String(length=36), nullable=False),
        sa.Column("consent_type", sa.String(length=16), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("granted_by", sa.String(length=256), nullable=False),
        sa.Column("created_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", xdrlab.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_service_principal_id"],
            ["service_principals.id"],
            name=op.f("fk_delegated_grants_client_service_principal_id_service_principals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["users.id"],
            name=op.f("fk_delegated_grants_principal_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_delegated_grants_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegated_grants")),
        sa.UniqueConstraint(
            "client_service_principal_id",
            "resource_app_id",
            "principal_id",
            name=op.f("uq_delegated_grants_client_service_principal_id"),
        ),
    )
    with op.batch_alter_table("delegated_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegated_grants_client_service_principal_id"),
            ["client_service_principal_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_delegated_grants_principal_id"), ["principal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delegated_grants_tenant_id"), ["tenant_id"], unique=False
        )

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("users_can_consent", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("users_can_consent")

    with op.batch_alter_table("delegated_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegated_grants_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_delegated_grants_principal_id"))
        batch_op.drop_index(batch_op.f("ix_delegated_grants_client_service_principal_id"))

    op.drop_table("delegated_grants")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_expires_at"))

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("device_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_codes_expires_at"))

    op.drop_table("device_codes")
    with op.batch_alter_table("browser_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browser_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_browser_sessions_expires_at"))

    op.drop_table("browser_sessions")
    with op.batch_alter_table("authorization_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorization_codes_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_authorization_codes_expires_at"))

    op.drop_table("authorization_codes")
