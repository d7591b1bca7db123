"""Tenants and their verified domains; resolving the `{tenant}` path segment."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.store.models import Tenant, TenantDomain

# Aliases accepted in place of a tenant; they identify no tenant by themselves.
TENANT_ALIASES = ("common", "organizations", "consumers")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class DirectoryError(ValueError):
    """An admin operation that cannot be done as asked (duplicate name, unknown object, ...)."""


@dataclass(frozen=True)
class TenantRef:
    """What a `{tenant}` path segment named: a tenant, or one of the aliases (tenant is None)."""

    segment: str
    tenant: Tenant | None


def is_guid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def is_domain(value: str) -> bool:
    return bool(_DOMAIN.match(value.lower()))


def find_tenant(session: Session, identifier: str) -> Tenant | None:
    """A tenant by GUID or verified domain (case-insensitive)."""
    if is_guid(identifier):
        return session.get(Tenant, identifier.lower())
    domain = session.get(TenantDomain, identifier.lower())
    return domain.tenant if domain else None


def create_tenant(
    session: Session, clock: Clock, display_name: str, domain: str, tenant_id: str | None = None
) -> Tenant:
    domain = domain.lower()
    if not is_domain(domain):
        raise DirectoryError(f"'{domain}' is not a valid domain name")
    if session.get(TenantDomain, domain) is not None:
        raise DirectoryError(f"domain '{domain}' is already verified by another tenant")
    tenant = Tenant(
        id=(tenant_id or str(uuid.uuid4())).lower(),
        display_name=display_name,
        created_at=clock.now(),
    )
    tenant.domains.append(TenantDomain(name=domain, is_initial=True))
    session.add(tenant)
    session.flush()
    return tenant


def add_domain(session: Session, tenant: Tenant, domain: str) -> None:
    domain = domain.lower()
    if not is_domain(domain):
        raise DirectoryError(f"'{domain}' is not a valid domain name")
    if session.get(TenantDomain, domain) is not None:
        raise DirectoryError(f"domain '{domain}' is already verified")
    tenant.domains.append(TenantDomain(name=domain, is_initial=False))
    session.flush()


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.display_name)))


def require_tenant(session: Session, identifier: str) -> Tenant:
    tenant = find_tenant(session, identifier)
    if tenant is None:
        raise DirectoryError(f"no tenant '{identifier}'")
    return tenant
