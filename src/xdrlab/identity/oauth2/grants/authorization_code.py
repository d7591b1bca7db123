"""The authorization code grant: a code from the authorization endpoint, redeemed once.

Checks, in order: the code exists; it was not redeemed before (a replay fails with AADSTS54005
and revokes the refresh-token family the first redemption started); the client is the one the
code was issued to and authenticates (public clients send no credential); the code has not
expired; `redirect_uri` repeats the authorize request's; the PKCE `code_verifier` matches the
challenge (S256 or plain; public clients must have used PKCE). Then consent, and the tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from sqlalchemy.orm import Session

from xdrlab.identity import errors, scopes
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.oauth2.client_auth import authenticate_client
from xdrlab.identity.oauth2.codes import find_code
from xdrlab.identity.oauth2.grants.base import GrantResult
from xdrlab.identity.oauth2.request import TokenRequest
from xdrlab.identity.oauth2.user_tokens import mint, requested_from, revoke_family
from xdrlab.store.models import AuthorizationCode, Tenant, User, new_guid

_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def pkce_matches(code: AuthorizationCode, verifier: str | None) -> bool:
    """RFC 7636 section 4.6: S256 compares base64url(SHA-256(verifier)), plain the verifier."""
    if code.code_challenge is None:
        return True
    if verifier is None or not _VERIFIER.match(verifier):
        return False
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    return hmac.compare_digest(computed, code.code_challenge)


class AuthorizationCodeGrant:
    GRANT_TYPES: tuple[str, ...] = ("authorization_code",)

    def __call__(
        self, ctx: IdentityContext, session: Session, request: TokenRequest
    ) -> GrantResult:
        code = find_code(session, request.require("code"))
        if code is None:
            raise errors.INVALID_GRANT("unknown authorization code")
        if request.tenant.tenant is not None and request.tenant.tenant.id != code.tenant_id:
            raise errors.INVALID_GRANT("code issued for another tenant")
        now = ctx.clock.now()
        if code.redeemed_at is not None:
            if code.family_id is not None:
                revoke_family(session, ctx.clock, code.family_id)
            session.commit()  # the revocation stands although the request fails
            raise errors.CODE_ALREADY_REDEEMED(
                f"code redeemed at {code.redeemed_at.isoformat()}; family revoked"
            )
        tenant = session.get(Tenant, code.tenant_id)
        assert tenant is not None
        client = authenticate_client(ctx, session, request, tenant, allow_public=True)
        if client.app.app_id != code.client_id:
            raise errors.INVALID_GRANT(f"code issued to {code.client_id}")
        if code.expires_at <= now:
            raise errors.GRANT_EXPIRED(f"code expired at {code.expires_at.isoformat()}")
        redirect_uri = request.require("redirect_uri")
        if redirect_uri != code.redirect_uri:
            raise errors.CODE_REDIRECT_MISMATCH(given=redirect_uri, expected=code.redirect_uri)
        if code.code_challenge is None and client.app.is_public_client:
            raise errors.PKCE_REQUIRED("public client code issued without a code_challenge")
        if not pkce_matches(code, request.get("code_verifier")):
            raise errors.PKCE_MISMATCH(
                f"code_verifier does not match the {code.code_challenge_method} challenge"
            )
        user = session.get(User, code.user_id)
        if user is None or not user.account_enabled:
            raise errors.ACCOUNT_DISABLED("user disabled or removed since sign-in")

        label = request.tenant.segment
        recorded = scopes.stored(
            list(code.scopes), code.resource, code.endpoint_version, tenant_label=label
        )
        requested = requested_from(request, client_name=client.app.display_name, fallback=recorded)
        code.redeemed_at = now
        code.family_id = new_guid()
        session.flush()
        return mint(
            ctx,
            session,
            request,
            client=client,
            user=user,
            requested=requested,
            auth_time=code.auth_time,
            nonce=code.nonce,
            family_id=code.family_id,
            audit={"credential": client.credential_id},
        )
