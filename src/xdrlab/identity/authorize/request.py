"""An authorize request, checked in production's order.

Until the client and its redirect URI are known to be genuine, errors are shown on the error
page (`PageError`): redirecting them would make the endpoint an open redirector. After that,
errors travel to the redirect URI (`RedirectError`) with `state`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from xdrlab.identity import errors
from xdrlab.identity.apps import find_app
from xdrlab.identity.authorize.redirect_uris import find_match
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.scopes import RequestedScopes, parse_request
from xdrlab.identity.tenant_path import resolve_tenant_segment
from xdrlab.identity.tenants import TenantRef
from xdrlab.store.models import Application

RESPONSE_MODES = ("query", "fragment", "form_post")
PROMPTS = ("login", "none", "consent", "select_account", "admin_consent")
PKCE_METHODS = ("S256", "plain")
_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


class PageError(Exception):
    """An error shown on the error page (no trusted redirect URI)."""

    def __init__(self, error: IdentityError) -> None:
        super().__init__(str(error))
        self.error = error


class RedirectError(Exception):
    """An error sent to the client's redirect URI."""

    def __init__(self, error: IdentityError, target: Target) -> None:
        super().__init__(str(error))
        self.error = error
        self.target = target


@dataclass(frozen=True)
class Target:
    """Where and how the answer goes: the (matched) redirect URI, response mode and state."""

    redirect_uri: str
    response_mode: str
    state: str | None
    version: int


@dataclass
class AuthorizeRequest:
    version: int
    tenant: TenantRef
    app: Application
    target: Target
    params: dict[str, str]
    requested: RequestedScopes | None  # None: v1 without `resource` (the app's static consent)
    prompt: str | None
    login_hint: str | None
    domain_hint: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    extra: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return _get(self.params, name)


def _get(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    return value if value not in (None, "") else None


def tenant_label(ref: TenantRef) -> str:
    return ref.tenant.display_name if ref.tenant is not None else ref.segment


def find_client(session: Session, ref: TenantRef, params: dict[str, str]) -> Application:
    """The app named by `client_id`, usable through this `{tenant}`; else a PageError."""
    client_id = _get(params, "client_id")
    if client_id is None:
        raise PageError(errors.MISSING_PARAMETER(name="client_id"))
    app = find_app(session, client_id)
    if app is None:
        raise PageError(
            errors.APP_NOT_FOUND_IN_TENANT(client_id=client_id, tenant=tenant_label(ref))
        )
    if not app.enabled:
        raise PageError(errors.APP_DISABLED(client_id=app.app_id, name=app.display_name))
    if ref.tenant is None and not app.is_multi_tenant:
        raise PageError(errors.SINGLE_TENANT_ON_COMMON(client_id=app.app_id, name=app.display_name))
    if ref.tenant is not None and ref.tenant.id != app.home_tenant_id and not app.is_multi_tenant:
        raise PageError(
            errors.APP_NOT_FOUND_IN_TENANT(client_id=app.app_id, tenant=tenant_label(ref))
        )
    return app


def redirect_uri_for(app: Application, params: dict[str, str]) -> str:
    """The redirect URI as requested, once it matches a registered one; without one, the first
    registered URI (as production does). A mismatch is a PageError (AADSTS50011)."""
    requested = _get(params, "redirect_uri")
    if requested is None:
        if not app.redirect_uris:
            raise PageError(errors.NO_REPLY_ADDRESS())
        return app.redirect_uris[0]
    if find_match(list(app.redirect_uris), requested) is None:
        raise PageError(
            errors.REDIRECT_URI_MISMATCH(
                f"registered: {app.redirect_uris!r}", redirect_uri=requested, client_id=app.app_id
            )
        )
    return requested


def parse(session: Session, version: int, segment: str, params: dict[str, str]) -> AuthorizeRequest:
    """Check an authorize request. Raises PageError or RedirectError."""
    try:
        ref = resolve_tenant_segment(session, segment)
    except IdentityError as error:
        raise PageError(error) from error
    app = find_client(session, ref, params)
    redirect_uri = redirect_uri_for(app, params)
    mode = (_get(params, "response_mode") or "query").lower()
    target = Target(
        redirect_uri, mode if mode in RESPONSE_MODES else "query", _get(params, "state"), version
    )

    def fail(error: IdentityError) -> RedirectError:
        return RedirectError(error, target)

    if mode not in RESPONSE_MODES:
        raise fail(errors.MALFORMED_REQUEST(f"response_mode {mode!r}"))
    response_type = _get(params, "response_type")
    if response_type is None:
        raise fail(errors.MISSING_PARAMETER(name="response_type"))
    if response_type != "code":
        raise fail(errors.UNSUPPORTED_RESPONSE_TYPE(response_type=response_type))
    prompt = _get(params, "prompt")
    if prompt is not None and prompt not in PROMPTS:
        raise fail(errors.MALFORMED_REQUEST(f"prompt {prompt!r}"))

    challenge = _get(params, "code_challenge")
    method = _get(params, "code_challenge_method")
    if challenge is None:
        if method is not None:
            raise fail(errors.MISSING_PARAMETER(name="code_challenge"))
        if app.is_public_client:
            raise fail(errors.PKCE_REQUIRED("public client without code_challenge"))
    else:
        method = method or "plain"
        if method not in PKCE_METHODS:
            raise fail(errors.MALFORMED_REQUEST(f"code_challenge_method {method!r}"))
        if not _CHALLENGE.match(challenge):
            raise fail(errors.PKCE_CHALLENGE_SIZE())

    label = tenant_label(ref)
    requested: RequestedScopes | None = None
    try:
        if version == 2 or _get(params, "resource") is not None:
            requested = parse_request(
                version,
                _get(params, "scope"),
                _get(params, "resource"),
                tenant_label=label,
                client_name=app.display_name,
            )
    except IdentityError as error:
        raise fail(error) from error
    if (
        requested is not None
        and requested.resource is not None
        and requested.default
        and not requested.static_permissions(app)
    ):
        raise fail(
            errors.RESOURCE_NOT_REQUESTED(
                client_id=app.app_id,
                name=app.display_name,
                resource=requested.audience or "",
                resource_app_id=requested.resource.app_id,
            )
        )
    return AuthorizeRequest(
        version=version,
        tenant=ref,
        app=app,
        target=target,
        params=params,
        requested=requested,
        prompt=prompt,
        login_hint=_get(params, "login_hint"),
        domain_hint=_get(params, "domain_hint"),
        nonce=_get(params, "nonce"),
        code_challenge=challenge,
        code_challenge_method=method if challenge is not None else None,
    )
