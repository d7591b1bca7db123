"""The AADSTS catalogue: every token-service error the server can give, in one place.

Each entry carries the OAuth `error` value, the HTTP status and production's wording. Call
sites raise ``CATALOGUE_ENTRY.error(**placeholders)``; the specific internal reason, which the
client must not see, goes in ``detail`` and ends up in logs and audit events only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Aadsts:
    code: int
    error: str
    message: str
    status: int = 400
    suberror: str | None = None

    def __call__(self, detail: str = "", **values: str) -> IdentityError:
        """The exception to raise: production's message with `values` filled in."""
        return IdentityError(self, self.message.format(**values), detail)


class IdentityError(Exception):
    """A protocol error the token service answers with (rendered by `xdrlab.identity.render`)."""

    def __init__(self, entry: Aadsts, description: str, detail: str = "") -> None:
        super().__init__(f"AADSTS{entry.code}: {description}")
        self.entry = entry
        self.description = description
        self.detail = detail


def _(
    code: int, error: str, message: str, status: int = 400, suberror: str | None = None
) -> Aadsts:
    return Aadsts(code, error, message, status, suberror)


# -- tenant and request shape ------------------------------------------------------------------
TENANT_NOT_FOUND = _(
    90002,
    "invalid_request",
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
    "signing into the correct cloud. Check with your subscription administrator, this may "
    "happen if there are no active subscriptions for the tenant.",
)
INVALID_TENANT_IDENTIFIER = _(
    900023,
    "invalid_request",
    "Specified tenant identifier '{tenant}' is neither a valid DNS "
    "name, nor a valid external domain.",
)
TENANT_REQUIRED = _(
    50059,
    "invalid_request",
    "No tenant-identifying information found in either the request or implied by any provided "
    "credentials.",
)
MISSING_PARAMETER = _(
    900144, "invalid_request", "The request body must contain the following parameter: '{name}'."
)
MALFORMED_REQUEST = _(
    9002313, "invalid_request", "Invalid request. Request is malformed or invalid."
)
POST_REQUIRED = _(
    900561,
    "invalid_request",
    "The endpoint only accepts POST, OPTIONS requests. Received a {method} request.",
)
UNSUPPORTED_GRANT_TYPE = _(
    70003,
    "unsupported_grant_type",
    "The app requested an unsupported grant type '{grant_type}'.",
)
RESOURCE_NOT_SUPPORTED_V2 = _(
    901002, "invalid_request", "The 'resource' request parameter is not supported."
)

# -- client lookup and authentication ----------------------------------------------------------
APP_NOT_FOUND_IN_TENANT = _(
    700016,
    "unauthorized_client",
    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This "
    "can happen if the application has not been installed by the administrator of the tenant "
    "or consented to by any user in the tenant. You may have sent your authentication request "
    "to the wrong tenant.",
)
APP_DISABLED = _(7000112, "unauthorized_client", "Application '{client_id}'({name}) is disabled.")
SINGLE_TENANT_ON_COMMON = _(
    50194,
    "invalid_request",
    "Application '{client_id}'({name}) is not configured as a multi-tenant application. Usage "
    "of the /common endpoint is not supported for such applications created after '10/15/2018'. "
    "Use a tenant-specific endpoint or configure the application to be multi-tenant.",
)
INVALID_CLIENT_SECRET = _(
    7000215,
    "invalid_client",
    "Invalid client secret provided. Ensure the secret being sent in the request is the client "
    "secret value, not the client secret ID, for a secret added to app '{client_id}'.",
    status=401,
)
CLIENT_SECRET_EXPIRED = _(
    7000222,
    "invalid_client",
    "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal "
    "to create new keys for your app: https://aka.ms/NewClientSecret, or consider using "
    "certificate credentials for added security: https://aka.ms/certCreds.",
    status=401,
)
MISSING_CLIENT_CREDENTIAL = _(
    7000218,
    "invalid_client",
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    status=401,
)
PUBLIC_CLIENT_WITH_CREDENTIAL = _(
    700025,
    "invalid_client",
    "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    status=401,
)
ASSERTION_MALFORMED = _(50027, "invalid_request", "JWT token is invalid or malformed.")
ASSERTION_ALGORITHM = _(
    5002738,
    "invalid_request",
    "Invalid JWT token. '{alg}' is not a supported signature algorithm. Supported signing "
    "algorithms are: '{supported}'",
)
ASSERTION_BAD_SIGNATURE = _(
    700027,
    "invalid_client",
    "Client assertion contains an invalid signature. [Reason - The provided signature value did "
    "not match the expected signature value., Thumbprint of key used by client: '{thumbprint}', "
    "Found key 'Start={start}, End={end}']",
    status=401,
)
_KEY_NOT_FOUND_TAIL = (
    "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see "
    "configured keys for app Id '{client_id}'. Review the documentation at "
    "https://docs.microsoft.com/en-us/graph/deployments to determine the "
    "corresponding service endpoint and "
    "https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&t"
    "abs=http to build a query request URL, such as "
    "'https://graph.microsoft.com/beta/applications/{client_id}']."
)
ASSERTION_UNKNOWN_CERTIFICATE = _(
    700027,
    "invalid_client",
    "The certificate with identifier used to sign the client assertion is not registered on "
    "application. [Reason - The key was not found., Thumbprint of key used by client: "
    "'{thumbprint}', " + _KEY_NOT_FOUND_TAIL,
    status=401,
)
# An assertion whose header names no certificate (Authlib's PrivateKeyJWT signs without `x5t`
# unless told): production says so plainly instead of trying every registered key.
ASSERTION_NO_THUMBPRINT = _(
    50027,
    "invalid_client",
    "Invalid JWT token. No certificate thumbprint specified in token header.",
    status=401,
)
ASSERTION_CERTIFICATE_EXPIRED = _(
    700027,
    "invalid_client",
    "The certificate with identifier used to sign the client assertion is expired on "
    "application. [Reason - The key used is expired., Thumbprint of key used by client: "
    "'{thumbprint}', Found key 'Start={start}, End={end}']",
    status=401,
)
ASSERTION_EXPIRED = _(
    700024,
    "invalid_client",
    "Client assertion is not within its valid time range. Current time: {now}, assertion valid "
    "from {nbf}, expiry time of assertion {exp}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
    status=401,
)
ASSERTION_AUDIENCE_INVALID = _(
    700023,
    "invalid_client",
    "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
    status=401,
)
ASSERTION_SUBJECT_MISMATCH = _(
    700021,
    "invalid_client",
    "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
    status=401,
)
ASSERTION_REPLAYED = _(
    700027,
    "invalid_client",
    "Client assertion contains an invalid signature. [Reason - The assertion with identifier "
    "'{jti}' was already used; a client assertion can be redeemed only once.]",
    status=401,
)

# -- resource and scope ------------------------------------------------------------------------
SCOPE_NOT_DEFAULT = _(
    1002012,
    "invalid_scope",
    "The provided value for scope {scope} is not valid. Client credential flows must have a "
    "scope value with /.default suffixed to the resource identifier "
    "(application ID URI).",
)
INVALID_SCOPE = _(
    70011,
    "invalid_scope",
    "The provided request must include a 'scope' input parameter. The provided value for the "
    "input parameter 'scope' is not valid. The scope {scope} is not valid.",
)
# Client credentials answer a scope naming several resources with 70011, as captured.
MULTIPLE_RESOURCES = INVALID_SCOPE
RESOURCE_NOT_FOUND = _(
    500011,
    "invalid_resource",
    "The resource principal named {resource} was not found in the tenant named {tenant}. This "
    "can happen if the application has not been installed by the administrator of the tenant "
    "or consented to by any user in the tenant. You might have sent your authentication "
    "request to the wrong tenant.",
)

# -- discovery ---------------------------------------------------------------------------------
INVALID_INSTANCE = _(50049, "invalid_instance", "Unknown or invalid instance.")

# -- user context: scopes and consent ----------------------------------------------------------
INVALID_SCOPE_FORMAT = _(
    70011,
    "invalid_scope",
    "The provided request must include a 'scope' input parameter. The provided value for the "
    "input parameter 'scope' is not valid. The scope {scope} is not valid. The scope format is "
    "invalid. Scope must be in a valid URI form <https://example/scope> or a valid Guid "
    "<guid/scope>.",
)
SCOPE_SEVERAL_RESOURCES = _(
    28000,
    "invalid_scope",
    "Provided value for the input parameter scope is not valid because it contains more than "
    "one resource. Scope {scope} is not valid.",
)
SCOPE_NOT_ON_RESOURCE = _(
    650053,
    "invalid_client",
    "The application '{name}' asked for scope '{scope}' that doesn't exist on the resource "
    "'{resource}'. Contact the app vendor.",
)
CONSENT_REQUIRED = _(
    65001,
    "invalid_grant",
    "The user or administrator has not consented to use the application with ID '{client_id}' "
    "named '{name}'. Send an interactive authorization request for this user and resource.",
    suberror="consent_required",
)

# -- user context: credentials (password grant) ------------------------------------------------
GRANT_NOT_ON_COMMON = _(
    9001023,
    "invalid_request",
    "The grant type is not supported over the /common or /consumers endpoints. Please use the "
    "/organizations or tenant-specific endpoint.",
)
INVALID_USERNAME_OR_PASSWORD = _(
    50126, "invalid_grant", "Error validating credentials due to invalid username or password."
)
USER_NOT_FOUND = _(
    50034,
    "invalid_grant",
    "The user account {{EmailHidden}} does not exist in the {tenant} directory. To sign into "
    "this application, the account must be added to the directory.",
)
ACCOUNT_LOCKED = _(
    50053,
    "invalid_grant",
    "Your account is locked because you've tried to sign in too many times with an incorrect "
    "user ID or password.",
)
ACCOUNT_DISABLED = _(
    50057,
    "invalid_grant",
    "The user account is disabled.",
)

# -- user context: codes, refresh tokens, device codes -----------------------------------------
CODE_ALREADY_REDEEMED = _(
    54005,
    "invalid_grant",
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use "
    "an existing refresh token.",
)
GRANT_EXPIRED = _(
    70008,
    "invalid_grant",
    "The provided authorization code or refresh token has expired due to inactivity. Send a new "
    "interactive authorization request for this user and resource.",
)
REFRESH_TOKEN_EXPIRED = _(
    700082,
    "invalid_grant",
    "The refresh token has expired due to inactivity. The token was issued on {issued} and was "
    "inactive for {inactive}.",
)
GRANT_REVOKED = _(
    50173,
    "invalid_grant",
    "The provided grant has expired due to it being revoked, a fresh auth token is needed. The "
    "grant was issued on '{issued}' and was revoked on '{revoked}'.",
)
INVALID_GRANT = _(9002313, "invalid_grant", "Invalid request. Request is malformed or invalid.")
GRANT_MALFORMED = _(
    70000,
    "invalid_grant",
    "The provided value for the input parameter '{name}' is not valid.",
)
CODE_REDIRECT_MISMATCH = _(
    50011,
    "invalid_grant",
    "The reply address '{given}' does not match the reply address '{expected}' provided when "
    "requesting Authorization code.",
)
PKCE_MISMATCH = _(
    501481,
    "invalid_grant",
    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
)
PKCE_REQUIRED = _(
    9002325,
    "invalid_request",
    "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
)
DEVICE_AUTHORIZATION_PENDING = _(
    70016,
    "authorization_pending",
    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
)
DEVICE_SLOW_DOWN = _(
    70016,
    "slow_down",
    "OAuth 2.0 device flow error. Authorization is pending. Polling too frequently: wait "
    "{interval} seconds between requests.",
)
DEVICE_DECLINED = _(
    70000,
    "authorization_declined",
    "The end user declined the authorization request for this device.",
)
DEVICE_CODE_EXPIRED = _(
    70020,
    "expired_token",
    "The provided value for the input parameter 'device_code' is not valid. This device code "
    "has expired.",
)

# -- authorization endpoint, sign-in and consent pages -----------------------------------------
# Shown on the error page, never sent to the redirect URI:
REDIRECT_URI_MISMATCH = _(
    50011,
    "invalid_request",
    "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
    "configured for the application '{client_id}'. Make sure the redirect URI sent in the "
    "request matches one added to your application in the Azure portal. Navigate to "
    "https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
)
NO_REPLY_ADDRESS = _(
    500113, "invalid_request", "No reply address is registered for the application."
)
ADMIN_APPROVAL_REQUIRED = _(90094, "access_denied", "The grant requires admin permission.")
# Sent to the redirect URI:
UNSUPPORTED_RESPONSE_TYPE = _(
    700054,
    "unsupported_response_type",
    "response_type '{response_type}' is not enabled for the application.",
)
LOGIN_REQUIRED = _(
    50058, "login_required", "A silent sign-in request was sent but no user is signed in."
)
INTERACTION_REQUIRED = _(
    16000,
    "interaction_required",
    "Either multiple user identities are available for the current request or selected "
    "account is not supported for the scenario.",
)
PROMPT_NONE_CONSENT_REQUIRED = _(
    65001,
    "consent_required",
    "The user or administrator has not consented to use the application with ID '{client_id}' "
    "named '{name}'. Send an interactive authorization request for this user and resource.",
)
CONSENT_DECLINED = _(65004, "access_denied", "User declined to consent to access the app.")
RESOURCE_NOT_REQUESTED = _(
    650057,
    "invalid_client",
    "Invalid resource. The client has requested access to a resource which is not listed in "
    "the requested permissions in the client's application registration. Client app ID: "
    "{client_id}({name}). Resource value from request: {resource}. Resource app ID: "
    "{resource_app_id}.",
)
PKCE_CHALLENGE_SIZE = _(501491, "invalid_request", "Invalid size of Code_Challenge parameter.")
