"""Control-plane tables.

Object ids are GUID strings, as the directory shows them. Nothing here is SQLite-specific.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from xdrlab.store.types import UTCDateTime

GUID = String(36)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_guid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)
    display_name: Mapped[str] = mapped_column(String(256))
    # Tenant setting "users can consent to apps": when off, only admins grant delegated scopes.
    users_can_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    domains: Mapped[list[TenantDomain]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="TenantDomain.name"
    )


class TenantDomain(Base):
    """A verified domain; `{tenant}` in token-service paths may be any of these."""

    __tablename__ = "tenant_domains"

    name: Mapped[str] = mapped_column(String(253), primary_key=True)  # stored lower-case
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    is_initial: Mapped[bool] = mapped_column(Boolean, default=False)

    tenant: Mapped[Tenant] = relationship(back_populates="domains")


class Application(Base):
    """An app registration: lives in its home tenant, used wherever it has a service principal."""

    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)  # object id
    app_id: Mapped[str] = mapped_column(GUID, unique=True, default=new_guid)  # client id
    home_tenant_id: Mapped[str] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(256))
    sign_in_audience: Mapped[str] = mapped_column(String(40), default="AzureADMyOrg")
    is_public_client: Mapped[bool] = mapped_column(Boolean, default=False)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    secrets: Mapped[list[ClientSecret]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    requested_permissions: Mapped[list[RequestedPermission]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    @property
    def is_multi_tenant(self) -> bool:
        return self.sign_in_audience != "AzureADMyOrg"


class RequestedPermission(Base):
    """One entry of the app's requiredResourceAccess: a role (application) or scope (delegated)."""

    __tablename__ = "requested_permissions"
    __table_args__ = (UniqueConstraint("application_id", "resource_app_id", "permission_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    resource_app_id: Mapped[str] = mapped_column(GUID)
    permission_id: Mapped[str] = mapped_column(GUID)
    kind: Mapped[str] = mapped_column(String(8))  # "Role" or "Scope", as requiredResourceAccess

    application: Mapped[Application] = relationship(back_populates="requested_permissions")


class ClientSecret(Base):
    """A password credential. Only a keyed hash of the value is kept; `hint` is its first 3 chars."""

    __tablename__ = "client_secrets"

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)  # keyId
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(256), default="")
    hint: Mapped[str] = mapped_column(String(3))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="secrets")


class Certificate(Base):
    """A key credential: the public certificate and its thumbprints (hex, upper-case)."""

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)  # keyId
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(256), default="")
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    thumbprint_sha1: Mapped[str] = mapped_column(String(40), index=True)
    thumbprint_sha256: Mapped[str] = mapped_column(String(64), index=True)
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(back_populates="certificates")


class ServicePrincipal(Base):
    """An application's presence in one tenant (home tenant, or a tenant that consented)."""

    __tablename__ = "service_principals"
    __table_args__ = (UniqueConstraint("tenant_id", "application_id"),)

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)  # object id
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    app_role_assignments: Mapped[list[AppRoleAssignment]] = relationship(
        back_populates="service_principal", cascade="all, delete-orphan"
    )


class AppRoleAssignment(Base):
    """An application permission granted to a client service principal by admin consent."""

    __tablename__ = "app_role_assignments"
    __table_args__ = (UniqueConstraint("service_principal_id", "resource_app_id", "app_role_id"),)

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)
    service_principal_id: Mapped[str] = mapped_column(
        ForeignKey("service_principals.id", ondelete="CASCADE"), index=True
    )
    resource_app_id: Mapped[str] = mapped_column(GUID)
    app_role_id: Mapped[str] = mapped_column(GUID)
    granted_by: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    service_principal: Mapped[ServicePrincipal] = relationship(
        back_populates="app_role_assignments"
    )


class DirectoryVersion(Base):
    """One row (id 1) counting changes to the tables a client-credentials token is issued from:
    tenants, tenant_domains, applications, client_secrets, service_principals and
    app_role_assignments. Database triggers (migration 0004, SQLite) add one in the same
    transaction as each change, whichever process or tool makes it, so an in-memory copy of
    those rows (identity/directory_cache.py) can tell that it is stale with one read."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)  # object id
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_principal_name: Mapped[str] = mapped_column(String(256), unique=True)  # lower-case
    display_name: Mapped[str] = mapped_column(String(256))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)  # directory role names
    account_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SigningKey(Base):
    """A token-signing key. `current` signs; `previous` keys stay published in JWKS until retired."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # current | previous | retired
    private_key_pem: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted with the master key
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UsedAssertion(Base):
    """Client-assertion `jti` values already redeemed, kept until the assertion would expire."""

    __tablename__ = "used_assertions"

    client_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    jti: Mapped[str] = mapped_column(String(256), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    timestamp: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    tenant_id: Mapped[str | None] = mapped_column(GUID, nullable=True, index=True)
    category: Mapped[str] = mapped_column(String(64))  # e.g. SignIn, ApplicationManagement
    activity: Mapped[str] = mapped_column(String(128))
    actor: Mapped[str] = mapped_column(String(256), default="")
    target: Mapped[str] = mapped_column(String(256), default="")
    result: Mapped[str] = mapped_column(String(16), default="success")  # success | failure
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    correlation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")


class Incident(Base):
    """A Defender incident: a group of correlated alerts, with its triage state.

    Enum values are stored as the Defender API spells them (`Active`, `TruePositive`, ...); the
    Graph security API's camelCase spelling is a rendering concern.
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # incidentId
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(512))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="Medium")
    status: Mapped[str] = mapped_column(String(16), default="Active", index=True)
    classification: Mapped[str] = mapped_column(String(40), default="Unknown")
    determination: Mapped[str] = mapped_column(String(40), default="NotAvailable")
    assigned_to: Mapped[str | None] = mapped_column(String(256), nullable=True)
    redirect_incident_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detection_source: Mapped[str] = mapped_column(String(64), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    system_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    last_update_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    alerts: Mapped[list[Alert]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Alert.created_at"
    )
    comments: Mapped[list[IncidentComment]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentComment.id"
    )


class IncidentComment(Base):
    __tablename__ = "incident_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    comment: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="comments")


class Alert(Base):
    """An alert inside an incident. Devices and entities are the evidence as detected: JSON
    documents in the Defender API's shape, the same facts the AlertEvidence hunting table holds."""

    __tablename__ = "alerts"

    # Alert ids are unique within a tenant (the demo story gives each tenant the same ids).
    tenant_id: Mapped[str] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # alertId
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(512))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    severity: Mapped[str] = mapped_column(String(16), default="Medium")
    status: Mapped[str] = mapped_column(String(16), default="New")
    service_source: Mapped[str] = mapped_column(String(64), default="")
    detection_source: Mapped[str] = mapped_column(String(64), default="")
    classification: Mapped[str | None] = mapped_column(String(40), nullable=True)
    determination: Mapped[str | None] = mapped_column(String(40), nullable=True)
    assigned_to: Mapped[str | None] = mapped_column(String(256), nullable=True)
    investigation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    investigation_state: Mapped[str] = mapped_column(String(40), default="UnsupportedAlertType")
    threat_family_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    actor_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    mitre_techniques: Mapped[list[str]] = mapped_column(JSON, default=list)
    devices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    last_update_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="alerts")


class RateLimitCounter(Base):
    """Calls counted in one fixed window, shared by every server process using this database."""

    __tablename__ = "rate_limit_counters"

    tenant_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    client_id: Mapped[str] = mapped_column(GUID, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. hunting/60
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds
    calls: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[int] = mapped_column(Integer, index=True)  # epoch seconds


class DelegatedGrant(Base):
    """An oauth2PermissionGrant: delegated scopes of one resource that a client may use on behalf
    of one user (`Principal`) or of every user of the tenant (`AllPrincipals`, admin consent)."""

    __tablename__ = "delegated_grants"
    __table_args__ = (
        UniqueConstraint("client_service_principal_id", "resource_app_id", "principal_id"),
    )

    id: Mapped[str] = mapped_column(GUID, primary_key=True, default=new_guid)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    client_service_principal_id: Mapped[str] = mapped_column(
        ForeignKey("service_principals.id", ondelete="CASCADE"), index=True
    )
    resource_app_id: Mapped[str] = mapped_column(GUID)
    consent_type: Mapped[str] = mapped_column(String(16))  # AllPrincipals | Principal
    principal_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # scope values
    granted_by: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AuthorizationCode(Base):
    """An authorization code, kept as a hash; single use, about ten minutes."""

    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(GUID)  # app id
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)  # as requested (v2)
    resource: Mapped[str | None] = mapped_column(Text, nullable=True)  # v1 `resource`
    endpoint_version: Mapped[int] = mapped_column(Integer, default=2)
    nonce: Mapped[str | None] = mapped_column(Text, nullable=True)
    code_challenge: Mapped[str | None] = mapped_column(String(128), nullable=True)
    code_challenge_method: Mapped[str | None] = mapped_column(String(8), nullable=True)
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The refresh-token family the redemption started, revoked if the code is replayed.
    family_id: Mapped[str | None] = mapped_column(GUID, nullable=True)


class RefreshToken(Base):
    """A refresh token, kept as a hash. Each redemption rotates it; presenting a rotated token
    again revokes its whole family (every token descended from the same sign-in)."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(GUID, index=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(GUID)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeviceCode(Base):
    """A device authorization: the device polls with `device_code` (kept as a hash) while the
    user enters `user_code` on the device page and signs in."""

    __tablename__ = "device_codes"

    device_code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_code: Mapped[str] = mapped_column(String(16), unique=True)
    tenant_id: Mapped[str | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), nullable=True
    )  # None when requested on /common or /organizations
    client_id: Mapped[str] = mapped_column(GUID)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    resource: Mapped[str | None] = mapped_column(Text, nullable=True)
    endpoint_version: Mapped[int] = mapped_column(Integer, default=2)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # pending | approved | declined | redeemed
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    approved_tenant_id: Mapped[str | None] = mapped_column(GUID, nullable=True)
    auth_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BrowserSession(Base):
    """A signed-in browser: the cookie holds a random id, stored here as a hash."""

    __tablename__ = "browser_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
