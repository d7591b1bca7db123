"""The resource catalogue: the first-party APIs tokens can be issued for.

Each resource is one entry: its app id, identifier URIs, application permissions (app roles,
which appear in `roles`) and delegated permissions (scopes, which appear in `scp`). Later APIs
are added as further entries; nothing else needs to change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    id: str
    value: str
    kind: str  # "Role" (application) or "Scope" (delegated), as in requiredResourceAccess
    display_name: str


@dataclass(frozen=True)
class Resource:
    app_id: str
    display_name: str
    identifier_uris: tuple[str, ...]
    permissions: tuple[Permission, ...]
    token_version: int = 1  # accessTokenAcceptedVersion: first-party APIs take v1 tokens

    @property
    def app_roles(self) -> tuple[Permission, ...]:
        return tuple(p for p in self.permissions if p.kind == "Role")

    @property
    def scopes(self) -> tuple[Permission, ...]:
        return tuple(p for p in self.permissions if p.kind == "Scope")

    def permission(self, name_or_id: str, kind: str) -> Permission | None:
        wanted = name_or_id.lower()
        for permission in self.permissions:
            if permission.kind == kind and wanted in (permission.value.lower(), permission.id):
                return permission
        return None


def _role(id_: str, value: str, name: str) -> Permission:
    return Permission(id_, value, "Role", name)


def _scope(id_: str, value: str, name: str) -> Permission:
    return Permission(id_, value, "Scope", name)


DEFENDER_XDR = Resource(
    app_id="8ee8fdad-f234-4243-8f3b-15c294843740",
    display_name="Microsoft Threat Protection",
    identifier_uris=(
        "https://api.security.microsoft.com",
        "https://security.microsoft.com/mtp/",
        "https://securitycenter.microsoft.com/mtp",
    ),
    permissions=(
        _role(
            "7734e8e5-8dde-42fc-b5ae-6eafea078693",
            "AdvancedHunting.Read.All",
            "Run advanced queries",
        ),
        _role("a9790345-4595-42e4-971a-ccdc79f19b7c", "Incident.Read.All", "Read all incidents"),
        _role(
            "8d90f441-09cf-4fdc-ab45-e874fa3a28e8",
            "Incident.ReadWrite.All",
            "Read and write all incidents",
        ),
        _role(
            "a7deff90-e2f5-4e4e-83a3-2c74e7002e28",
            "CustomDetections.ReadWrite.All",
            "Read and write custom detection rules",
        ),
        _scope(
            "15f11de4-5113-4268-a2d1-0bad43d781f9", "AdvancedHunting.Read", "Run advanced queries"
        ),
        _scope("12c153a4-4204-4224-aa3c-4626e2f47c2b", "Incident.Read", "Read incidents"),
        _scope(
            "2af415cc-88cf-4146-a0c8-444c3a80d5db", "Incident.ReadWrite", "Read and write incidents"
        ),
        _scope(
            "ddbb8d0c-c86b-4ece-bcb7-0f031a9cf103",
            "CustomDetections.ReadWrite",
            "Read and write custom detection rules",
        ),
    ),
)

MICROSOFT_GRAPH = Resource(
    app_id="00000003-0000-0000-c000-000000000000",
    display_name="Microsoft Graph",
    identifier_uris=("https://graph.microsoft.com", "https://canary.graph.microsoft.com"),
    permissions=(
        _role(
            "dd98c7f5-2d42-42d3-a0e4-633161547251", "ThreatHunting.Read.All", "Run hunting queries"
        ),
        _role(
            "45cc0394-e837-488b-a098-1918f48d186c",
            "SecurityIncident.Read.All",
            "Read all security incidents",
        ),
        _role(
            "34bf0e97-1971-4929-b999-9e2442d941d7",
            "SecurityIncident.ReadWrite.All",
            "Read and write to all security incidents",
        ),
        _role(
            "472e4a4d-bb4a-4026-98d1-0b0d74cb74a5",
            "SecurityAlert.Read.All",
            "Read all security alerts",
        ),
        _role(
            "ed4fca05-be46-441f-9803-1873825f8fdb",
            "SecurityAlert.ReadWrite.All",
            "Read and write to all security alerts",
        ),
        _scope(
            "b152eca8-ea73-4a48-8c98-1a6742673d99", "ThreatHunting.Read.All", "Run hunting queries"
        ),
        _scope(
            "b9abcc4f-94fc-4457-9141-d20ce80ec952", "SecurityIncident.Read.All", "Read incidents"
        ),
        _scope(
            "128ca929-1a19-45e6-a3b8-435ec44a36ba",
            "SecurityIncident.ReadWrite.All",
            "Read and write to incidents",
        ),
        _scope(
            "bc257fb8-46b4-4b15-8713-01e91bfbe4ea", "SecurityAlert.Read.All", "Read security alerts"
        ),
        _scope(
            "471f2a7f-2a42-4d45-a2bf-594d0838070d",
            "SecurityAlert.ReadWrite.All",
            "Read and write to all security alerts",
        ),
    ),
)

# Microsoft Defender for Endpoint's API, a resource of its own: the advanced hunting path its
# clients (msticpy's MDE and M365D providers, the MDE samples) call is `/api/advancedqueries/run`.
# Its tokens are not accepted by the Defender XDR API, nor XDR tokens by it, as in production.
WINDOWS_DEFENDER_ATP = Resource(
    app_id="fc780465-2017-40d4-a0c5-307022471b92",
    display_name="WindowsDefenderATP",
    identifier_uris=(
        "https://api.securitycenter.microsoft.com",
        "https://securitycenter.onmicrosoft.com/windowsatpservice",
    ),
    permissions=(
        _role(
            "93489bf5-0fbc-4f2d-b901-33f2fe08ff05",
            "AdvancedQuery.Read.All",
            "Run advanced queries",
        ),
        _scope(
            "1fb6e712-1bd9-4184-b1c0-5e71e759196b", "AdvancedQuery.Read", "Run advanced queries"
        ),
    ),
)

RESOURCES: tuple[Resource, ...] = (DEFENDER_XDR, MICROSOFT_GRAPH, WINDOWS_DEFENDER_ATP)


def _normalise(uri: str) -> str:
    return uri.strip().rstrip("/").lower()


def find_resource(identifier: str) -> Resource | None:
    """The resource named by an app id or identifier URI (case-insensitive; a trailing slash on
    either side is ignored, as URIs like `https://security.microsoft.com/mtp/` are written both
    ways in the wild)."""
    wanted = _normalise(identifier)
    for resource in RESOURCES:
        if wanted == resource.app_id or any(
            _normalise(u) == wanted for u in resource.identifier_uris
        ):
            return resource
    return None
