"""Production's host names and which part of the platform each one serves."""

from __future__ import annotations

from enum import Enum

from xdrlab.identity.oauth2.assertion import PRODUCTION_LOGIN_HOSTS
from xdrlab.settings import Settings


class Surface(Enum):
    LOGIN = "token service"
    DEFENDER = "Defender API"
    GRAPH = "Microsoft Graph"
    MANAGEMENT = "Azure Resource Manager"


# login.microsoft.com is not in the list, but MSAL treats it as a production authority
# like the others, so it is mapped too.
HOSTS: dict[str, Surface] = {
    **{host: Surface.LOGIN for host in sorted(PRODUCTION_LOGIN_HOSTS)},
    # Microsoft now documents the Defender for Endpoint API on api.security.microsoft.com as
    # well, so both Defender hosts serve every /api path; the token's audience decides.
    "api.security.microsoft.com": Surface.DEFENDER,
    "api.securitycenter.microsoft.com": Surface.DEFENDER,
    "graph.microsoft.com": Surface.GRAPH,
    "management.azure.com": Surface.MANAGEMENT,
}

NAMES: tuple[str, ...] = tuple(HOSTS)


def _under(path: str, *prefixes: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def surface_of_path(path: str) -> Surface:
    """Which host production answers `path` on: API prefixes belong to their API host, and
    everything else (`/{tenant}/oauth2/...`, `/common/...`, sign-in pages) to the login hosts."""
    if _under(path, "/api"):
        return Surface.DEFENDER
    if _under(path, "/v1.0", "/beta"):
        return Surface.GRAPH
    if _under(path, "/metadata"):
        return Surface.MANAGEMENT
    return Surface.LOGIN


def host_of(scope_host: str) -> str:
    """The host name of a `Host` header value: lower case, without the port."""
    host = scope_host.strip().lower()
    if host.startswith("["):  # an IPv6 literal
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def serves(host: str, path: str) -> bool:
    """Whether production's `host` has `path` (xdrlab's own documents such as /openapi.json
    are not on any production host)."""
    surface = HOSTS.get(host)
    if surface is None or path == "/openapi.json":
        return False
    return surface_of_path(path) is surface


def certificate_names(settings: Settings) -> tuple[str, ...]:
    """Names the server certificate must cover beyond localhost: in the host-name mode the
    production names and the listening address."""
    if not settings.hostnames_address:
        return ()
    return (*NAMES, settings.hostnames_address)
