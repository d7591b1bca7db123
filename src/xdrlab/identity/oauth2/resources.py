"""Which resource a token request is for: v1 `resource=`, v2 `scope=<resource>/.default`."""

from __future__ import annotations

from dataclasses import dataclass

from xdrlab.identity import errors
from xdrlab.identity.catalogue import Resource, find_resource

DEFAULT_SUFFIX = "/.default"


@dataclass(frozen=True)
class RequestedResource:
    resource: Resource
    audience: str  # the identifier the client used; v1 tokens echo it as `aud`


def _lookup(identifier: str, tenant_label: str) -> RequestedResource:
    resource = find_resource(identifier)
    if resource is None:
        raise errors.RESOURCE_NOT_FOUND(resource=identifier, tenant=tenant_label)
    return RequestedResource(resource, identifier)


def from_resource_parameter(value: str, tenant_label: str) -> RequestedResource:
    return _lookup(value.strip(), tenant_label)


def from_default_scope(scope: str, tenant_label: str) -> RequestedResource:
    """Client credentials take exactly one `<resource>/.default` (a trailing-slash resource is
    written `<resource>//.default`)."""
    items = list(dict.fromkeys(scope.split()))
    if not items:
        raise errors.MISSING_PARAMETER(name="scope")
    if any(not item.endswith(DEFAULT_SUFFIX) for item in items):
        raise errors.SCOPE_NOT_DEFAULT(scope=scope)
    if len(items) > 1:
        raise errors.MULTIPLE_RESOURCES(scope=scope)
    return _lookup(items[0][: -len(DEFAULT_SUFFIX)], tenant_label)
