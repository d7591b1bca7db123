"""The Azure cloud metadata document: `GET /metadata/endpoints?api-version=...`.

Clients that learn the login host from Azure Resource Manager's metadata are pointed at xdrlab
by that one URL: msticpy reads `authentication.loginEndpoint` (and `microsoftGraphResourceId`)
from `{Azure.resource_manager_url}metadata/endpoints?api-version=latest`; azure-cli's
`az cloud register --endpoint-resource-manager` and the Go SDK read the same document.

The two addresses xdrlab serves, the login endpoint and the resource manager (where this document
lives), are xdrlab's. Resource identifiers (audiences, Microsoft Graph's resource id) stay
production's, because tokens are issued for them. With production issuers (the host-name mode,
where xdrlab answers as the production hosts) the document is production's own.

The shape follows `api-version` as production's does: `1.0` and dates before 2019-05-01 give the
original object (`galleryEndpoint`, `graphEndpoint`, `portalEndpoint`, `authentication`);
2019-05-01 up to 2022-09-01 a list of clouds; 2022-09-01 and later, and `latest`, one cloud.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab.identity.context import PRODUCTION_V2_ISSUER_BASE, IdentityContext

PRODUCTION_RESOURCE_MANAGER = "https://management.azure.com/"
LIST_FROM = dt.date(2019, 5, 1)
SINGLE_FROM = dt.date(2022, 9, 1)

# Production's public-cloud values for what xdrlab does not serve (names, not places to call).
_SUFFIXES = {
    "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
    "acrLoginServer": "azurecr.io",
    "sqlServerHostname": "database.windows.net",
    "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
    "keyVaultDns": "vault.azure.net",
    "storage": "core.windows.net",
    "azureFrontDoorEndpointSuffix": "azurefd.net",
    "storageSyncEndpointSuffix": "afs.azure.net",
    "mhsmDns": "managedhsm.azure.net",
    "mysqlServerEndpoint": "mysql.database.azure.com",
    "postgresqlServerEndpoint": "postgres.database.azure.com",
    "mariadbServerEndpoint": "mariadb.database.azure.com",
    "synapseAnalytics": "dev.azuresynapse.net",
    "attestationEndpoint": "attest.azure.net",
}
_AUDIENCES = ["https://management.core.windows.net/", "https://management.azure.com/"]


class MetadataError(Exception):
    """A refused request, with Azure Resource Manager's error code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _addresses(ctx: IdentityContext, base_url: str) -> tuple[str, str, str]:
    """(cloud name, login endpoint, resource manager) as clients of this server must see them."""
    if ctx.settings.production_issuers:
        return "AzureCloud", PRODUCTION_V2_ISSUER_BASE, PRODUCTION_RESOURCE_MANAGER
    # Not "AzureCloud": azure-cli replaces that cloud's login endpoint with production's.
    return "xdrlab", base_url, f"{base_url}/"


def cloud(ctx: IdentityContext, base_url: str) -> dict[str, Any]:
    """One cloud, as `api-version=2022-09-01` and later describe it."""
    name, login, resource_manager = _addresses(ctx, base_url)
    return {
        "portal": "https://portal.azure.com",
        "authentication": {
            "loginEndpoint": login,
            "audiences": list(_AUDIENCES),
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": "https://rest.media.azure.net",
        "graphAudience": "https://graph.windows.net/",
        "graph": "https://graph.windows.net/",
        "name": name,
        "suffixes": dict(_SUFFIXES),
        "batch": "https://batch.core.windows.net/",
        "resourceManager": resource_manager,
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/"
        "arm-compute/quickstart-templates/aliases.json",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "appInsightsTelemetryChannelResourceId": "https://dc.applicationinsights.azure.com/v2/track",
        "attestationResourceId": "https://attest.azure.net",
        "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "ossrDbmsResourceId": "https://ossrdbms-aad.database.windows.net",
    }


def legacy(ctx: IdentityContext, base_url: str) -> dict[str, Any]:
    """The original document (`api-version=1.0`), as Azure Stack scripts still read it."""
    _, login, _ = _addresses(ctx, base_url)
    return {
        "galleryEndpoint": "https://gallery.azure.com/",
        "graphEndpoint": "https://graph.windows.net/",
        "portalEndpoint": "https://portal.azure.com/",
        "authentication": {"loginEndpoint": f"{login}/", "audiences": _AUDIENCES[:1]},
    }


def document(ctx: IdentityContext, base_url: str, api_version: str | None) -> Any:
    if api_version is None or not api_version.strip():
        raise MetadataError(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    version = api_version.strip()
    if version.lower() == "latest":
        return cloud(ctx, base_url)
    if version == "1.0":
        return legacy(ctx, base_url)
    try:
        day = dt.date.fromisoformat(version)
    except ValueError:
        raise MetadataError(
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are "
            "'latest, 2022-09-01, 2019-05-01, 1.0'.",
        ) from None
    if day < LIST_FROM:
        return legacy(ctx, base_url)
    if day < SINGLE_FROM:
        return [cloud(ctx, base_url)]
    return cloud(ctx, base_url)


async def metadata_endpoint(request: Request) -> Response:
    ctx: IdentityContext = request.app.state.identity
    base_url = str(request.base_url).rstrip("/")
    try:
        body = document(ctx, base_url, request.query_params.get("api-version"))
    except MetadataError as error:
        return JSONResponse(
            {"error": {"code": error.code, "message": error.message}}, status_code=400
        )
    return JSONResponse(body, headers={"Cache-Control": "no-cache"})
