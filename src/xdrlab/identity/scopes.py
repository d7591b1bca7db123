"""What a user-context request asks for, and what the user (or an admin) consented to.

A v2 `scope` names one resource (`https://api.security.microsoft.com/Incident.Read`,
`<resource>/.default`; bare names such as `User.Read` are Microsoft Graph's) plus OpenID Connect
scopes (`openid`, `profile`, `email`, `offline_access`). A v1 request names the resource with
`resource=` and gets everything consented for it, like `.default`.

`.default` means "what this client may already use": every scope of that resource granted to
the client in the tenant, by the user's own consent or an admin's for everyone, whether it came
from the app's static permissions or from incremental (dynamic) consent. Only when nothing is
granted yet does the authorize endpoint turn it into a consent prompt for the app
registration's static permissions (requiredResourceAccess). Explicit scope values must each be
granted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.catalogue import MICROSOFT_GRAPH, Resource, find_resource
from xdrlab.identity.consent import delegated_scopes, find_service_principal
from xdrlab.store.models import Application, Tenant, User

OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
DEFAULT = ".default"


@dataclass(frozen=True)
class RequestedScopes:
    """A parsed user-context request.

    `resource` is None when only OIDC scopes were asked (sign-in only). `audience` is the
    resource identifier as the client wrote it (a v1 token's `aud` echoes it); `prefix` is how
    scope values are echoed back in a v2 `scope` (empty for bare Graph names). `values` are the
    explicitly asked scope values in catalogue spelling; `default` is True for `.default` and
    for every v1 request. `items` keeps the request as given, for storing with a code."""

    resource: Resource | None
    audience: str | None
    prefix: str
    values: tuple[str, ...]
    default: bool
    oidc: tuple[str, ...]
    items: tuple[str, ...]
    version: int

    @property
    def wants_id_token(self) -> bool:
        """v2 returns an id_token for `openid`; v1 user flows always did (ADAL reads the user
        from it and never sends `scope=openid`)."""
        return self.version == 1 or "openid" in self.oidc

    @property
    def wants_refresh_token(self) -> bool:
        """v2 hands out refresh tokens only for `offline_access`; v1 always did."""
        return self.version == 1 or "offline_access" in self.oidc

    def static_permissions(self, app: Application) -> list[str]:
        """Scope values of the resource the app registration requests (requiredResourceAccess)."""
        if self.resource is None:
            return []
        wanted = {
            p.permission_id
            for p in app.requested_permissions
            if p.kind == "Scope" and p.resource_app_id == self.resource.app_id
        }
        return [s.value for s in self.resource.scopes if s.id in wanted]


def _split_item(item: str) -> tuple[str | None, str]:
    """`https://host/path/Value` -> (`https://host/path`, `Value`); `api://x/Value` and
    `<guid>/Value` likewise; a bare `Value` -> (None, `Value`)."""
    if "/" not in item:
        return None, item
    base, _, value = item.rpartition("/")
    return base, value


def parse_scope(
    scope: str | None, *, tenant_label: str, version: int = 2, client_name: str = ""
) -> RequestedScopes:
    """Parse a v2 `scope` string. Raises the AADSTS error production gives for a missing or
    malformed scope, an unknown resource, an unknown scope value, `.default` mixed with other
    scope values, or scopes of several resources."""
    items = list(dict.fromkeys((scope or "").split()))
    if not items:
        raise errors.MISSING_PARAMETER(name="scope")
    oidc = [s for s in OIDC_SCOPES if s in {i.lower() for i in items}]
    rest = [i for i in items if i.lower() not in OIDC_SCOPES]
    if not rest:
        return RequestedScopes(None, None, "", (), False, tuple(oidc), tuple(items), version)

    bases: dict[str, str | None] = {}
    parsed: list[tuple[str | None, str]] = []
    for item in rest:
        base, value = _split_item(item)
        if not value:
            raise errors.INVALID_SCOPE(scope=scope or "")
        resource = MICROSOFT_GRAPH if base is None else find_resource(base)
        if resource is None:
            if base is not None and "://" not in base and not _looks_like_guid(base):
                raise errors.INVALID_SCOPE_FORMAT(scope=" ".join(items))
            raise errors.RESOURCE_NOT_FOUND(resource=base or item, tenant=tenant_label)
        bases.setdefault(resource.app_id, base)
        parsed.append((base, value))
    if len(bases) > 1:
        raise errors.SCOPE_SEVERAL_RESOURCES(scope=" ".join(items))
    ((app_id, audience),) = bases.items()
    resource = find_resource(app_id)
    assert resource is not None
    default = any(value == DEFAULT for _, value in parsed)
    if default and len(parsed) > 1:
        raise errors.INVALID_SCOPE(scope=" ".join(items))
    values: list[str] = []
    for _, value in parsed:
        if value == DEFAULT:
            continue
        permission = resource.permission(value, "Scope")
        if permission is None:
            raise errors.SCOPE_NOT_ON_RESOURCE(
                name=client_name, scope=value, resource=resource.app_id
            )
        values.append(permission.value)
    prefix = "" if audience is None else f"{audience}/"
    return RequestedScopes(
        resource,
        audience if audience is not None else resource.identifier_uris[0],
        prefix,
        tuple(dict.fromkeys(values)),
        default,
        tuple(oidc),
        tuple(items),
        version,
    )


def from_resource_parameter(
    resource: str, scope: str | None, *, tenant_label: str
) -> RequestedScopes:
    """A v1 request: `resource=` names the API (everything consented for it is used); a `scope`
    may add OIDC scopes such as `openid` (for an id_token); other scope values are ignored."""
    found = find_resource(resource.strip())
    if found is None:
        raise errors.RESOURCE_NOT_FOUND(resource=resource, tenant=tenant_label)
    items = tuple(dict.fromkeys((scope or "").split()))
    oidc = tuple(s for s in OIDC_SCOPES if s in {i.lower() for i in items})
    return RequestedScopes(found, resource.strip(), "", (), True, oidc, items, 1)


def parse_request(
    version: int,
    scope: str | None,
    resource: str | None,
    *,
    tenant_label: str,
    client_name: str = "",
) -> RequestedScopes:
    """The request as the token or authorization endpoint received it: v1 uses `resource`
    (with `scope` for OIDC scopes only), v2 uses `scope`."""
    if version == 1:
        if resource is None:
            raise errors.MISSING_PARAMETER(name="resource")
        return from_resource_parameter(resource, scope, tenant_label=tenant_label)
    return parse_scope(scope, tenant_label=tenant_label, client_name=client_name)


def stored(
    items: list[str], resource: str | None, version: int, *, tenant_label: str
) -> RequestedScopes:
    """Re-read what a code, device code or refresh token recorded (`scopes` + `resource`)."""
    scope = " ".join(items) if items else None
    if resource is not None:
        return from_resource_parameter(resource, scope, tenant_label=tenant_label)
    return parse_scope(scope, tenant_label=tenant_label, version=version)


def _granted(
    session: Session, tenant: Tenant, app: Application, user: User, resource: Resource
) -> set[str]:
    sp = find_service_principal(session, tenant.id, app)
    if sp is None:
        return set()
    return delegated_scopes(session, tenant.id, sp, resource, user)


def missing_consent(
    session: Session, tenant: Tenant, app: Application, user: User, requested: RequestedScopes
) -> list[str]:
    """Scope values the user (or an admin) must still consent to before a token can be issued;
    empty when nothing is missing. For `.default` (and v1), nothing is missing once the client
    holds any grant of the resource covering this user; otherwise the app registration's static
    permissions of the resource are. OIDC scopes never need consent here."""
    if requested.resource is None:
        return []
    granted = _granted(session, tenant, app, user, requested.resource)
    if requested.default:
        return [] if granted else requested.static_permissions(app)
    return [value for value in requested.values if value not in granted]


def granted_scp(
    session: Session, tenant: Tenant, app: Application, user: User, requested: RequestedScopes
) -> list[str]:
    """The scope values a delegated token carries (`scp`), in catalogue order: every scope of
    the resource granted to the client in this tenant for this user (their own grant and the
    tenant-wide one), for `.default` and v1 as for explicit scopes once each asked one is
    granted. Raises `invalid_grant` AADSTS65001 (`consent_required`) when consent is
    missing."""
    if requested.resource is None:
        return []
    granted = _granted(session, tenant, app, user, requested.resource)
    values = [s.value for s in requested.resource.scopes if s.value in granted]
    if not requested.default and any(value not in granted for value in requested.values):
        values = []
    if not values:
        raise errors.CONSENT_REQUIRED(
            f"no consent for {requested.resource.display_name}",
            client_id=app.app_id,
            name=app.display_name,
        )
    return values


def scope_echo(requested: RequestedScopes, scp: list[str]) -> str:
    """The v2 response's `scope`: granted values in the request's spelling, `.default` when
    asked, then the OIDC scopes asked."""
    parts = [f"{requested.prefix}{value}" for value in scp]
    if requested.default and requested.version == 2 and requested.resource is not None:
        parts.append(f"{requested.prefix}{DEFAULT}")
    parts.extend(requested.oidc)
    return " ".join(parts)


def _looks_like_guid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4
