"""Discovery documents as the platform serves them.

Asked with a domain, tenant-specific documents name the tenant by GUID (clients take the tenant
id from the `token_endpoint` path). Asked with an alias (`common`, `organizations`), endpoints
keep the alias and the issuer is the `{tenantid}` template.
"""

from __future__ import annotations

from typing import Any

from xdrlab.identity.context import IdentityContext
from xdrlab.identity.tenants import TenantRef

TEMPLATE = "{tenantid}"


def _path(ref: TenantRef) -> str:
    return ref.tenant.id if ref.tenant is not None else ref.segment


def openid_configuration_v2(ctx: IdentityContext, base: str, ref: TenantRef) -> dict[str, Any]:
    tenant = _path(ref)
    root = f"{base}/{tenant}"
    issuer = ctx.v2_issuer(ref.tenant.id if ref.tenant else TEMPLATE)
    return {
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{root}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{base}/oidc/userinfo",
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "at_hash",
            "c_hash",
            "email",
        ],
        "kerberos_endpoint": f"{root}/kerberos",
        "tenant_region_scope": "WW" if ref.tenant else None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


def openid_configuration_v1(ctx: IdentityContext, base: str, ref: TenantRef) -> dict[str, Any]:
    tenant = _path(ref)
    root = f"{base}/{tenant}"
    issuer = ctx.v1_issuer(ref.tenant.id if ref.tenant else TEMPLATE)
    return {
        "token_endpoint": f"{root}/oauth2/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{root}/discovery/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": [
            "code",
            "id_token",
            "code id_token",
            "token id_token",
            "token",
        ],
        "scopes_supported": ["openid"],
        "issuer": issuer,
        "microsoft_multi_refresh_token": True,
        "authorization_endpoint": f"{root}/oauth2/authorize",
        "device_authorization_endpoint": f"{root}/oauth2/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2/logout",
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "amr",
            "nonce",
            "email",
            "given_name",
            "family_name",
            "nickname",
        ],
        "check_session_iframe": f"{root}/oauth2/checksession",
        "userinfo_endpoint": f"{root}/openid/userinfo",
        "kerberos_endpoint": f"{root}/kerberos",
        "tenant_region_scope": "WW" if ref.tenant else None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }


def instance_metadata(base: str, tenant_segment: str) -> dict[str, Any]:
    """The instance-discovery answer for this host (MSAL's `instance_discovery` endpoint)."""
    host = base.split("://", 1)[1]
    return {
        "tenant_discovery_endpoint": f"{base}/{tenant_segment}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }
