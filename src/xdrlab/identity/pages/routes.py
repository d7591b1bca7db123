"""HTTP routes of the browser side: authorize, sign-in, consent, admin consent, device code and
sign-out. Each POST from a page carries the CSRF token, the flow it belongs to (`flow`) and the
original request's parameters (`ctx`), which are checked again from scratch on every step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from xdrlab.identity import admin_consent, audit, device, errors, sessions
from xdrlab.identity.apps import find_app
from xdrlab.identity.authorize import flow as steps
from xdrlab.identity.authorize.redirect_uris import find_match, origin
from xdrlab.identity.authorize.request import PageError, RedirectError, parse, tenant_label
from xdrlab.identity.authorize.signin import (
    can_consent,
    can_consent_for_tenant,
    check_password,
    check_user,
    page_message,
)
from xdrlab.identity.catalogue import Resource
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.pages.render import (
    HERE,
    STATIC_PATH,
    answer,
    error_page,
    error_params,
    page,
    redirect_to,
)
from xdrlab.identity.scopes import missing_consent, stored
from xdrlab.identity.tenant_path import resolve_tenant_segment
from xdrlab.store.models import Application, DeviceCode, Tenant

UNVERIFIED = "unverified"
_OIDC_WORDS = {
    "openid": ("Sign you in", "openid"),
    "profile": ("View your basic profile", "profile"),
    "email": ("View your email address", "email"),
    "offline_access": ("Maintain access to data you have given it access to", "offline_access"),
}


@dataclass
class Call:
    """One browser request being handled: the request, the database session, the browser's
    session and CSRF binding, and the cookies the response must set."""

    request: Request
    ctx: IdentityContext
    db: Session
    form: dict[str, str]
    signed_in: sessions.SignedIn | None = None
    csrf: sessions.Csrf | None = None
    new_session_cookie: str | None = None
    origins: list[str] = field(default_factory=list)

    @property
    def key(self) -> bytes:
        return self.ctx.secret_hash_key

    def now(self) -> dt.datetime:
        return self.ctx.clock.now()

    def render(self, name: str, context: dict[str, object], status: int = 200) -> Response:
        assert self.csrf is not None
        return page(
            self.request,
            name,
            {"csrf_token": self.csrf.token, **context},
            status=status,
            form_origins=self.origins,
        )

    def error(self, error: IdentityError, status: int = 400) -> Response:
        return error_page(self.request, self.now(), error, status)

    def finish(self, response: Response) -> Response:
        if self.csrf is not None:
            sessions.apply_csrf(self.request, response, self.csrf)
        if self.new_session_cookie is not None:
            sessions.set_cookie(
                self.request, response, sessions.SESSION_COOKIE, self.new_session_cookie
            )
        return response


def _open(request: Request, form: dict[str, str]) -> tuple[IdentityContext, Call]:
    ctx: IdentityContext = request.app.state.identity
    db = ctx.sessions()
    call = Call(request, ctx, db, form)
    call.signed_in = sessions.current(
        db, ctx.clock, ctx.secret_hash_key, request.cookies.get(sessions.SESSION_COOKIE)
    )
    call.csrf = sessions.csrf_for(ctx.secret_hash_key, request)
    return ctx, call


def _run(request: Request, form: dict[str, str], handler: Callable[[Call], Response]) -> Response:
    _, call = _open(request, form)
    try:
        response = handler(call)
        call.db.commit()
        return call.finish(response)
    except BaseException:
        call.db.rollback()
        raise
    finally:
        call.db.close()


async def _form(request: Request) -> dict[str, str]:
    if request.method != "POST":
        return dict(request.query_params)
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _ctx_params(call: Call) -> dict[str, str]:
    return dict(parse_qsl(call.form.get("ctx", ""), keep_blank_values=True))


def _permission_groups(
    plan: list[steps.Grant], oidc: tuple[str, ...] = ()
) -> list[dict[str, object]]:
    groups: list[dict[str, object]] = []
    for grant in plan:
        items = [_describe(grant.resource, v, "Scope") for v in grant.scopes]
        roles = [_describe(grant.resource, v, "Role") for v in grant.roles]
        if items:
            groups.append(
                {"title": f"{grant.resource.display_name} (delegated)", "permissions": items}
            )
        if roles:
            groups.append(
                {"title": f"{grant.resource.display_name} (application)", "permissions": roles}
            )
    if oidc:
        groups.append(
            {
                "title": "Your profile",
                "permissions": [
                    {"name": _OIDC_WORDS[s][0], "value": _OIDC_WORDS[s][1]} for s in oidc
                ],
            }
        )
    return groups


def _describe(resource: Resource, value: str, kind: str) -> dict[str, str]:
    permission = resource.permission(value, kind)
    name = permission.display_name if permission else value
    return {"name": name, "value": value}


# -- the sign-in steps shared by every flow -------------------------------------------------------


def _flow_fields(call: Call, flow: str, params: dict[str, str]) -> dict[str, object]:
    return {"flow": flow, "ctx": urlencode(params)}


def ask_username(
    call: Call,
    segment: str,
    flow: str,
    params: dict[str, str],
    app: Application | None,
    *,
    login: str | None = None,
    error: IdentityError | None = None,
) -> Response:
    return call.render(
        "username.html",
        {
            "title": "Sign in",
            "action": f"/{segment}/login",
            "app_name": app.display_name if app else None,
            "login": login,
            "error": page_message(error) if error else None,
            "error_code": error.entry.code if error else None,
            **_flow_fields(call, flow, params),
        },
        status=400 if error else 200,
    )


def ask_password(
    call: Call,
    segment: str,
    flow: str,
    params: dict[str, str],
    login: str,
    error: IdentityError | None = None,
) -> Response:
    return call.render(
        "password.html",
        {
            "title": "Enter password",
            "action": f"/{segment}/login",
            "login": login,
            "error": page_message(error) if error else None,
            "error_code": error.entry.code if error else None,
            **_flow_fields(call, flow, params),
        },
        status=400 if error else 200,
    )


# -- authorize -----------------------------------------------------------------------------------


def authorize_step(
    call: Call,
    version: int,
    segment: str,
    params: dict[str, str],
    *,
    fresh: bool = False,
    picked: bool = False,
    consented: bool = False,
) -> Response:
    flow = f"authorize{version}"
    try:
        req = parse(call.db, version, segment, params)
    except PageError as failure:
        return call.error(failure.error)
    except RedirectError as failure:
        call.origins.append(origin(failure.target.redirect_uri))
        return answer(
            call.request,
            failure.target,
            error_params(call.request, call.now(), failure.error, failure.target.state),
        )
    call.origins.append(origin(req.target.redirect_uri))
    step = steps.advance(
        call.db,
        call.ctx.clock,
        req,
        call.signed_in,
        fresh=fresh,
        picked=picked,
        consented=consented,
    )
    if isinstance(step, steps.AskUsername):
        return ask_username(call, segment, flow, params, req.app, login=step.login_hint)
    if isinstance(step, steps.PickAccount):
        return call.render(
            "pick_account.html",
            {
                "title": "Pick an account",
                "action": f"/{segment}/login",
                "app_name": req.app.display_name,
                "user_name": step.user.display_name,
                "user_upn": step.user.user_principal_name,
                **_flow_fields(call, flow, params),
            },
        )
    if isinstance(step, steps.AskConsent):
        oidc = req.requested.oidc if req.requested else ()
        return call.render(
            "consent.html",
            {
                "title": "Permissions requested",
                "action": f"/{segment}/consent",
                "app_name": req.app.display_name,
                "publisher": UNVERIFIED,
                "user_upn": step.user.user_principal_name,
                "groups": _permission_groups(step.plan, oidc),
                "for_organisation": step.for_organisation,
                "organisation_forced": req.prompt == "admin_consent",
                **_flow_fields(call, flow, params),
            },
        )
    if isinstance(step, steps.NeedsAdmin):
        return _needs_admin(call, segment, flow, params, req.app, step.user.user_principal_name)
    assert isinstance(step, steps.Answer)
    if step.error is not None:
        return answer(
            call.request,
            step.target,
            error_params(call.request, call.now(), step.error, step.target.state),
        )
    audit.record(
        call.db,
        call.ctx.clock,
        category="SignIn",
        activity="Authorization code issued",
        tenant_id=call.signed_in.user.tenant_id if call.signed_in else None,
        actor=call.signed_in.user.user_principal_name if call.signed_in else "",
        target=req.app.app_id,
        endpoint=f"v{version}",
    )
    return answer(call.request, step.target, step.params)


def _needs_admin(
    call: Call,
    segment: str,
    flow: str,
    params: dict[str, str],
    app: Application,
    upn: str,
    *,
    with_return: bool = True,
) -> Response:
    return call.render(
        "needs_admin.html",
        {
            "title": "Need admin approval",
            "app_name": app.display_name,
            "user_upn": upn,
            "action": f"/{segment}/login",
            "consent_action": f"/{segment}/consent" if with_return else None,
            **_flow_fields(call, flow, params),
        },
        status=403,
    )


def _authorize(version: int) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = await _form(request)
        segment = request.path_params["tenant"]
        return await run_in_threadpool(
            _run, request, params, lambda call: authorize_step(call, version, segment, params)
        )

    return endpoint


# -- admin consent -------------------------------------------------------------------------------


def admin_consent_step(call: Call, version: int, segment: str, params: dict[str, str]) -> Response:
    flow = f"adminconsent{version}"
    try:
        req = admin_consent.parse(call.db, version, segment, params)
        plan = admin_consent.plan(req)
    except PageError as failure:
        return call.error(failure.error)
    call.origins.append(origin(req.redirect_uri))
    user = call.signed_in.user if call.signed_in else None
    tenant = admin_consent.tenant_for(call.db, req, user) if user else None
    if user is None or tenant is None:
        return ask_username(call, segment, flow, params, req.app)
    if not can_consent_for_tenant(user):
        return _needs_admin(
            call, segment, flow, params, req.app, user.user_principal_name, with_return=False
        )
    return call.render(
        "admin_consent.html",
        {
            "title": "Permissions requested",
            "action": f"/{segment}/consent",
            "app_name": req.app.display_name,
            "publisher": UNVERIFIED,
            "user_upn": user.user_principal_name,
            "tenant_name": tenant.display_name,
            "groups": _permission_groups(plan),
            **_flow_fields(call, flow, params),
        },
    )


def admin_consent_decision(
    call: Call, version: int, segment: str, params: dict[str, str], accept: bool
) -> Response:
    try:
        req = admin_consent.parse(call.db, version, segment, params)
    except PageError as failure:
        return call.error(failure.error)
    user = call.signed_in.user if call.signed_in else None
    tenant = admin_consent.tenant_for(call.db, req, user) if user else None
    if user is None or tenant is None:
        return ask_username(call, segment, f"adminconsent{version}", params, req.app)
    if not accept:
        declined = error_params(call.request, call.now(), errors.CONSENT_DECLINED(), None)
        return redirect_to(req.redirect_uri, admin_consent.cancel_params(req, declined))
    if not can_consent_for_tenant(user):
        return call.error(errors.ADMIN_APPROVAL_REQUIRED(), status=403)
    try:
        admin_consent.grant(call.db, call.ctx.clock, req, tenant, user)
    except PageError as failure:
        return call.error(failure.error)
    audit.record(
        call.db,
        call.ctx.clock,
        category="ApplicationManagement",
        activity="Consent to application",
        tenant_id=tenant.id,
        actor=user.user_principal_name,
        target=req.app.app_id,
        consent_type="AllPrincipals",
    )
    return redirect_to(req.redirect_uri, admin_consent.success_params(req, tenant))


def _admin_consent(version: int) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = dict(request.query_params)
        segment = request.path_params["tenant"]
        return await run_in_threadpool(
            _run, request, params, lambda call: admin_consent_step(call, version, segment, params)
        )

    return endpoint


# -- device code ---------------------------------------------------------------------------------


def _device_row(call: Call, code: str) -> DeviceCode | None:
    return device.find_pending(call.db, code, clock=call.ctx.clock)


def _device_segment(row: DeviceCode) -> str:
    return row.tenant_id or "organizations"


def device_code_page(call: Call, code: str | None = None, error: str | None = None) -> Response:
    return call.render(
        "device_code.html",
        {"title": "Enter code", "action": device.VERIFICATION_PATH, "code": code, "error": error},
        status=400 if error else 200,
    )


def device_step(call: Call, code: str, *, confirmed: bool = False) -> Response:
    row = _device_row(call, code)
    if row is None:
        return device_code_page(call, code, _BAD_CODE)
    app = find_app(call.db, row.client_id)
    if app is None:
        return device_code_page(call, code, _BAD_CODE)
    segment = _device_segment(row)
    params = {"otc": row.user_code}
    user = call.signed_in.user if call.signed_in else None
    if user is None or (row.tenant_id is not None and user.tenant_id != row.tenant_id):
        return ask_username(call, segment, "device", params, app)
    if not confirmed:
        return call.render(
            "device_confirm.html",
            {
                "title": "Confirm sign-in",
                "action": device.VERIFICATION_PATH,
                "app_name": app.display_name,
                "user_upn": user.user_principal_name,
                "code": row.user_code,
            },
        )
    tenant = call.db.get(Tenant, user.tenant_id)
    assert tenant is not None
    requested = stored(
        list(row.scopes), row.resource, row.endpoint_version, tenant_label=tenant.display_name
    )
    missing = missing_consent(call.db, tenant, app, user, requested)
    if missing and requested.resource is not None:
        if not can_consent(tenant, user):
            return _needs_admin(
                call, segment, "device", params, app, user.user_principal_name, with_return=False
            )
        return call.render(
            "consent.html",
            {
                "title": "Permissions requested",
                "action": f"/{segment}/consent",
                "app_name": app.display_name,
                "publisher": UNVERIFIED,
                "user_upn": user.user_principal_name,
                "groups": _permission_groups([steps.Grant(requested.resource, missing)]),
                "for_organisation": can_consent_for_tenant(user),
                "organisation_forced": False,
                **_flow_fields(call, "device", params),
            },
        )
    return device_approve(call, row.user_code)


_BAD_CODE = "That code didn't work. Check the code and try again."


def device_approve(call: Call, code: str) -> Response:
    assert call.signed_in is not None
    try:
        row = device.approve(call.db, call.ctx.clock, code, call.signed_in.user)
    except device.DeviceFlowError as failure:
        return device_code_page(call, code, str(failure))
    app = find_app(call.db, row.client_id)
    name = app.display_name if app else row.client_id
    return call.render(
        "message.html",
        {
            "title": name,
            "lines": [
                f"You have signed in to the {name} application on your device.",
                "You may now close this window.",
            ],
        },
    )


def device_decline(call: Call, code: str) -> Response:
    try:
        device.decline(call.db, call.ctx.clock, code)
    except device.DeviceFlowError as failure:
        return device_code_page(call, code, str(failure))
    return call.render(
        "message.html",
        {"title": "Sign-in cancelled", "lines": ["The device was not signed in."]},
    )


def _device_post(call: Call) -> Response:
    if not sessions.csrf_valid(call.key, call.request, call.form.get(sessions.CSRF_FIELD)):
        return _csrf_refused(call)
    code = call.form.get("otc", "")
    if call.form.get("step") == "confirm":
        if call.signed_in is None:
            return device_step(call, code)
        if call.form.get("action") == "continue":
            return device_step(call, code, confirmed=True)
        return device_decline(call, code)
    return device_step(call, code)


async def devicelogin(request: Request) -> Response:
    form = await _form(request)
    if request.method == "POST":
        return await run_in_threadpool(_run, request, form, _device_post)
    return await run_in_threadpool(
        _run, request, form, lambda call: device_code_page(call, form.get("otc"))
    )


# -- the forms' POST targets ---------------------------------------------------------------------


def _csrf_refused(call: Call) -> Response:
    call.csrf = sessions.csrf_for(call.key, call.request, renew=True)
    return call.render(
        "message.html",
        {
            "title": "This page has expired",
            "lines": [
                "The form was not sent from this sign-in page, or the page is too old. "
                "Go back to the application and start the sign-in again."
            ],
        },
        status=403,
    )


def continue_flow(call: Call, segment: str, **flags: bool) -> Response:
    """Resume the flow a form belongs to, after its step was handled."""
    flow = call.form.get("flow", "")
    params = _ctx_params(call)
    if flow in ("authorize1", "authorize2"):
        return authorize_step(call, int(flow[-1]), segment, params, **flags)
    if flow in ("adminconsent1", "adminconsent2"):
        return admin_consent_step(call, int(flow[-1]), segment, params)
    if flow == "device":
        return device_step(call, params.get("otc", ""))
    return call.error(errors.MALFORMED_REQUEST(f"unknown flow {flow!r}"))


def _flow_app(call: Call, segment: str) -> Application | None:
    params = _ctx_params(call)
    if call.form.get("flow") == "device":
        row = _device_row(call, params.get("otc", ""))
        return find_app(call.db, row.client_id) if row else None
    return find_app(call.db, params.get("client_id", ""))


def _login_post(call: Call, segment: str) -> Response:
    if not sessions.csrf_valid(call.key, call.request, call.form.get(sessions.CSRF_FIELD)):
        return _csrf_refused(call)
    flow = call.form.get("flow", "")
    params = _ctx_params(call)
    step = call.form.get("step")
    login = call.form.get("login", "").strip()
    try:
        ref = resolve_tenant_segment(call.db, segment)
    except IdentityError as error:
        return call.error(error)
    if step == "other":
        forced = {**params, "prompt": "login"} if flow.startswith("authorize") else params
        forced.pop("login_hint", None)
        call.signed_in = None
        return ask_username(call, segment, flow, forced, _flow_app(call, segment))
    if step == "pick":
        return continue_flow(call, segment, picked=True)
    if step == "username":
        try:
            check_user(call.db, ref.tenant, login)
        except IdentityError as error:
            return ask_username(
                call, segment, flow, params, _flow_app(call, segment), login=login, error=error
            )
        return ask_password(call, segment, flow, params, login)
    if step == "password":
        try:
            user = check_password(
                call.db, call.ctx.clock, ref.tenant, login, call.form.get("passwd", "")
            )
        except IdentityError as error:
            audit.record(
                call.db,
                call.ctx.clock,
                category="SignIn",
                activity="Interactive sign-in refused",
                tenant_id=ref.tenant.id if ref.tenant else None,
                actor=login,
                result="failure",
                message=f"AADSTS{error.entry.code}",
                reason=error.detail,
            )
            call.db.commit()
            if error.entry is errors.USER_NOT_FOUND:
                return ask_username(
                    call, segment, flow, params, _flow_app(call, segment), login=login, error=error
                )
            return ask_password(call, segment, flow, params, login, error)
        cookie, signed_in = sessions.start(
            call.db,
            call.ctx.clock,
            call.key,
            user,
            call.request.cookies.get(sessions.SESSION_COOKIE),
        )
        call.signed_in = signed_in
        call.new_session_cookie = cookie
        call.csrf = sessions.csrf_for(call.key, call.request, renew=True)
        audit.record(
            call.db,
            call.ctx.clock,
            category="SignIn",
            activity="Interactive sign-in",
            tenant_id=user.tenant_id,
            actor=user.user_principal_name,
        )
        return continue_flow(call, segment, fresh=True)
    return call.error(errors.MALFORMED_REQUEST(f"unknown step {step!r}"))


def _consent_post(call: Call, segment: str) -> Response:
    if not sessions.csrf_valid(call.key, call.request, call.form.get(sessions.CSRF_FIELD)):
        return _csrf_refused(call)
    flow = call.form.get("flow", "")
    params = _ctx_params(call)
    accept = call.form.get("action") == "accept"
    if call.signed_in is None:
        return continue_flow(call, segment)
    user = call.signed_in.user
    if flow in ("adminconsent1", "adminconsent2"):
        return admin_consent_decision(call, int(flow[-1]), segment, params, accept)
    if flow == "device":
        code = params.get("otc", "")
        if not accept:
            return device_decline(call, code)
        row = _device_row(call, code)
        app = find_app(call.db, row.client_id) if row else None
        tenant = call.db.get(Tenant, user.tenant_id)
        if row is None or app is None or tenant is None:
            return device_code_page(call, code, _BAD_CODE)
        requested = stored(
            list(row.scopes), row.resource, row.endpoint_version, tenant_label=tenant.display_name
        )
        if requested.resource is not None:
            if not can_consent(tenant, user):
                return call.error(errors.ADMIN_APPROVAL_REQUIRED(), status=403)
            values = missing_consent(call.db, tenant, app, user, requested)
            steps.record_consent(
                call.db,
                call.ctx.clock,
                tenant,
                app,
                user,
                [steps.Grant(requested.resource, values)],
                for_organisation=bool(call.form.get("for_organisation"))
                and can_consent_for_tenant(user),
            )
        return device_approve(call, code)
    if flow not in ("authorize1", "authorize2"):
        return call.error(errors.MALFORMED_REQUEST(f"unknown flow {flow!r}"))
    version = int(flow[-1])
    try:
        req = parse(call.db, version, segment, params)
    except PageError as failure:
        return call.error(failure.error)
    except RedirectError as failure:
        return answer(
            call.request,
            failure.target,
            error_params(call.request, call.now(), failure.error, failure.target.state),
        )
    if not accept:
        return answer(
            call.request,
            req.target,
            error_params(call.request, call.now(), errors.CONSENT_DECLINED(), req.target.state),
        )
    tenant = steps.user_tenant(call.db, req, user)
    if tenant is None:
        return authorize_step(call, version, segment, params)
    admin = can_consent_for_tenant(user)
    for_organisation = admin and (
        bool(call.form.get("for_organisation")) or req.prompt == "admin_consent"
    )
    if not (for_organisation or can_consent(tenant, user)) or (
        req.prompt == "admin_consent" and not admin
    ):
        return _needs_admin(call, segment, flow, params, req.app, user.user_principal_name)
    plan = steps.consent_plan(req, for_organisation=for_organisation)
    steps.record_consent(
        call.db, call.ctx.clock, tenant, req.app, user, plan, for_organisation=for_organisation
    )
    audit.record(
        call.db,
        call.ctx.clock,
        category="ApplicationManagement",
        activity="Consent to application",
        tenant_id=tenant.id,
        actor=user.user_principal_name,
        target=req.app.app_id,
        consent_type="AllPrincipals" if for_organisation else "Principal",
    )
    return authorize_step(call, version, segment, params, consented=True)


async def login_endpoint(request: Request) -> Response:
    form = await _form(request)
    segment = request.path_params["tenant"]
    return await run_in_threadpool(_run, request, form, lambda call: _login_post(call, segment))


async def consent_endpoint(request: Request) -> Response:
    form = await _form(request)
    segment = request.path_params["tenant"]
    return await run_in_threadpool(_run, request, form, lambda call: _consent_post(call, segment))


# -- sign-out ------------------------------------------------------------------------------------


def _logout(call: Call, segment: str) -> Response:
    params = call.form
    target = params.get("post_logout_redirect_uri") or None
    client_id = params.get("client_id") or None
    location: str | None = None
    if target is not None and client_id is not None:
        app = find_app(call.db, client_id)
        if app is None:
            return call.error(errors.APP_NOT_FOUND_IN_TENANT(client_id=client_id, tenant=segment))
        if find_match(list(app.redirect_uris), target) is None:
            return call.error(
                errors.REDIRECT_URI_MISMATCH(redirect_uri=target, client_id=app.app_id)
            )
        location = target
    ended = sessions.end(
        call.db, call.ctx.clock, call.key, call.request.cookies.get(sessions.SESSION_COOKIE)
    )
    if ended and call.signed_in is not None:
        audit.record(
            call.db,
            call.ctx.clock,
            category="SignIn",
            activity="Sign-out",
            tenant_id=call.signed_in.user.tenant_id,
            actor=call.signed_in.user.user_principal_name,
        )
    call.signed_in = None
    if location is not None:
        state = params.get("state")
        response = redirect_to(location, {"state": state} if state else {})
    else:
        response = call.render(
            "message.html",
            {
                "title": "You signed out of your account",
                "lines": ["It's a good idea to close all browser windows."],
            },
        )
    sessions.clear_cookie(call.request, response, sessions.SESSION_COOKIE)
    return response


async def logout_endpoint(request: Request) -> Response:
    params = await _form(request)
    segment = request.path_params["tenant"]
    return await run_in_threadpool(_run, request, params, lambda call: _logout(call, segment))


ROUTES: list[BaseRoute] = [
    Mount(STATIC_PATH, app=StaticFiles(directory=str(HERE / "static")), name="identity-static"),
    Route("/{tenant}/oauth2/authorize", _authorize(1), methods=["GET", "POST"]),
    Route("/{tenant}/oauth2/v2.0/authorize", _authorize(2), methods=["GET", "POST"]),
    Route("/{tenant}/login", login_endpoint, methods=["POST"]),
    Route("/{tenant}/consent", consent_endpoint, methods=["POST"]),
    Route("/{tenant}/adminconsent", _admin_consent(1), methods=["GET"]),
    Route("/{tenant}/v2.0/adminconsent", _admin_consent(2), methods=["GET"]),
    Route("/{tenant}/oauth2/logout", logout_endpoint, methods=["GET", "POST"]),
    Route("/{tenant}/oauth2/v2.0/logout", logout_endpoint, methods=["GET", "POST"]),
    Route(device.VERIFICATION_PATH, devicelogin, methods=["GET", "POST"]),
]

__all__ = ["ROUTES", "tenant_label"]
