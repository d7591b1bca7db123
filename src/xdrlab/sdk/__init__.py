"""The Python SDK: one client for xdrlab and for the production Defender XDR endpoints.

    from xdrlab.sdk import Client, ClientSecretCredential, Endpoints, IncidentFilter as F

    endpoints = Endpoints.from_demo_json(".xdrlab-state/demo.json")  # or Endpoints.production()
    credential = ClientSecretCredential(tenant_id, client_id, client_secret)
    with Client(credential, endpoints=endpoints) as client:
        result = client.hunt("DeviceProcessEvents | take 10", timespan="P7D")
        frame = result.to_pandas()
        for incident in client.incidents.list(F.status == "active"):
            print(incident.id, incident.display_name)

`AsyncClient` has the same operations, awaited. Nothing here depends on xdrlab's server code.
"""

from xdrlab.sdk._client import Alerts, AsyncAlerts, AsyncClient, AsyncIncidents, Client, Incidents
from xdrlab.sdk._config import Endpoints
from xdrlab.sdk._credentials._base import (
    AccessToken,
    AsyncTokenCredential,
    Credential,
    TokenCredential,
)
from xdrlab.sdk._credentials._browser import InteractiveBrowserCredential
from xdrlab.sdk._credentials._confidential import CertificateCredential, ClientSecretCredential
from xdrlab.sdk._credentials._partner import ConsentedTenant, PartnerApp, PartnerCredential
from xdrlab.sdk._credentials._user import (
    DeviceCode,
    DeviceCodeCredential,
    UsernamePasswordCredential,
)
from xdrlab.sdk._errors import (
    ApiError,
    AuthenticationError,
    Diagnostic,
    NotFoundError,
    PermissionDeniedError,
    QueryError,
    RateLimitError,
    TransportError,
)
from xdrlab.sdk._filters import AlertFilter, Condition, Field, IncidentFilter
from xdrlab.sdk._hunting import Column, HuntingResult, RenderHint
from xdrlab.sdk._models import (
    Alert,
    AlertStatus,
    Classification,
    Comment,
    Determination,
    Incident,
    IncidentStatus,
    Severity,
    Surface,
)
from xdrlab.sdk._ratelimit import PUBLISHED_QUOTAS, Quota, RateLimiter
from xdrlab.sdk._transport import RetryPolicy

__all__ = [
    "PUBLISHED_QUOTAS",
    "AccessToken",
    "Alert",
    "AlertFilter",
    "AlertStatus",
    "Alerts",
    "ApiError",
    "AsyncAlerts",
    "AsyncClient",
    "AsyncIncidents",
    "AsyncTokenCredential",
    "AuthenticationError",
    "CertificateCredential",
    "Classification",
    "Client",
    "ClientSecretCredential",
    "Column",
    "Comment",
    "Condition",
    "ConsentedTenant",
    "Credential",
    "Determination",
    "DeviceCode",
    "DeviceCodeCredential",
    "Diagnostic",
    "Endpoints",
    "Field",
    "HuntingResult",
    "Incident",
    "IncidentFilter",
    "IncidentStatus",
    "Incidents",
    "InteractiveBrowserCredential",
    "NotFoundError",
    "PartnerApp",
    "PartnerCredential",
    "PermissionDeniedError",
    "QueryError",
    "Quota",
    "RateLimitError",
    "RateLimiter",
    "RenderHint",
    "RetryPolicy",
    "Severity",
    "Surface",
    "TokenCredential",
    "TransportError",
    "UsernamePasswordCredential",
]
