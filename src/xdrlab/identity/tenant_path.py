"""Resolving the `{tenant}` path segment of token-service URLs into a tenant or an alias."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.tenants import TENANT_ALIASES, TenantRef, find_tenant, is_domain, is_guid


def resolve_tenant_segment(session: Session, segment: str) -> TenantRef:
    """GUID or verified domain -> that tenant; common/organizations/consumers -> an alias;
    anything else -> 900023 (not a tenant identifier) or 90002 (no such tenant)."""
    if segment.lower() in TENANT_ALIASES:
        return TenantRef(segment.lower(), None)
    if not (is_guid(segment) or is_domain(segment)):
        raise errors.INVALID_TENANT_IDENTIFIER(tenant=segment)
    tenant = find_tenant(session, segment)
    if tenant is None:
        raise errors.TENANT_NOT_FOUND(tenant=segment)
    return TenantRef(segment, tenant)
