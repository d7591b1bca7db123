"""Client credentials with a client secret, from the directory cache, on the event loop.

The most frequent token request (a daemon's `client_secret_post` to a tenant) is served here
without a database session: the client's rows come from identity/directory_cache.py (checked
against the store's directory version at each request), the secret is checked and the token
minted by the same functions as the full path (`check_secret`, `issue_app_token`), and the audit
event is committed by group commit (audit.AuditWriter) before the response goes out.

Only successes are served here. A request this path does not take in full (another grant, Basic
credentials or an assertion, an alias or unknown tenant, an unknown, disabled or public client,
a wrong or expired secret, a bad resource, ...) gets None, and the caller runs the full path
from the start, which gives exactly the refusal and audit event it always gave.

Work here runs on the event loop: it is CPU only (the RSA signature, hashing, JSON) apart from
the cache's one-row version read. `cryptography` releases the GIL while it signs, so signing in
a worker thread lets one process use a little more than one core, but it costs hand-offs on
every request and does not lower the CPU per token; several cores are better used by
`serve --workers N`, which runs whole requests in parallel. Reading the store on a cache miss
or reloading the key ring goes to a worker thread.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from xdrlab.identity.context import IdentityContext
from xdrlab.identity.directory_cache import cache_key
from xdrlab.identity.errors import IdentityError
from xdrlab.identity.oauth2.client_auth import check_secret
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.grants.client_credentials import issue_app_token
from xdrlab.identity.oauth2.request import parse_form
from xdrlab.identity.tenants import TENANT_ALIASES

GRANT_TYPE = "client_credentials"
ACR_CLIENT_SECRET = "1"  # noqa: S105 - appidacr for a secret, not a secret


async def issue_from_cache(
    ctx: IdentityContext,
    *,
    version: int,
    segment: str,
    content_type: str | None,
    body: bytes,
    authorization: str | None,
    correlation_id: str,
) -> GrantResult | None:
    """The issued token (its audit event committed), or None: run the full path."""
    if authorization is not None or segment.lower() in TENANT_ALIASES:
        return None
    try:
        form = parse_form(content_type, body)
    except IdentityError:
        return None
    # What the full path reads, with its rule that an empty value is a missing one.
    client_id = form.get("client_id")
    secret = form.get("client_secret")
    if (
        form.get("grant_type") != GRANT_TYPE
        or not client_id
        or not secret
        or form.get("client_assertion")
        or (version == 2 and form.get("resource"))
    ):
        return None
    key = cache_key(segment, client_id)
    client = ctx.directory.lookup(key)
    if client is None:
        client = await run_in_threadpool(ctx.directory.load, key)
        if client is None:
            return None
    if not ctx.keys.is_fresh():
        await run_in_threadpool(ctx.keys.keys)
    try:
        secret_id = check_secret(ctx, client.app_id, client.secrets, [secret])
        result = issue_app_token(
            ctx,
            version=version,
            form=form,
            tenant_label=segment,
            tenant_id=client.tenant_id,
            app_id=client.app_id,
            acr=ACR_CLIENT_SECRET,
            service_principal_id=client.service_principal_id,
            credential_id=secret_id,
            role_assignments=client.role_assignments,
        )
    except IdentityError:
        return None
    await ctx.audit_log.record(
        **result.issued_event(grant_type=GRANT_TYPE, version=version, correlation_id=correlation_id)
    )
    return result
