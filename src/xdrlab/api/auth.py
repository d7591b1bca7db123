"""Bearer-token validation for every API route, in the order a resource server checks.

1. `Authorization: Bearer <jwt>` present and well formed;
2. signature: RS256 with a key the token service publishes, chosen by `kid`. The keys are the
   key ring's, read at each check (the ring reloads from the store every few seconds), so a key
   rotated in by another process is accepted and a withdrawn one refused without a restart; an
   unknown `kid` also makes the ring reload at once, at most once a second;
3. payload: `aud` is one of the resource's identifiers, `iss` is the token service's issuer for
   the token's own `tid` and version, the tenant exists, `nbf`/`exp` hold with a small skew;
4. permission: app-only tokens need one of the operation's app roles in `roles`; delegated
   tokens need one of its scopes in `scp` and a user whose directory roles allow it.

Each failure answers with the status, code and message the production surface gives.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from sqlalchemy import select

from xdrlab.api.errors import ApiError, Surface
from xdrlab.identity.catalogue import Resource
from xdrlab.identity.context import IdentityContext
from xdrlab.identity.keys import LoadedKey
from xdrlab.identity.tenants import is_guid
from xdrlab.store.models import Tenant, User


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the validated token says."""

    tenant_id: str
    client_id: str
    object_id: str
    app_only: bool
    roles: tuple[str, ...]  # as the token lists them (production's 403 repeats them in order)
    scopes: tuple[str, ...]
    user_principal_name: str | None

    @property
    def display(self) -> str:
        """How the caller appears in `createdBy` of comments it adds."""
        return self.user_principal_name or self.client_id


@dataclass(frozen=True)
class Requirement:
    """What an operation needs: any of `app_roles` (app-only) or any of `scopes` (delegated);
    delegated callers also need one of `user_roles` in the directory."""

    app_roles: tuple[str, ...]
    scopes: tuple[str, ...]
    user_roles: tuple[str, ...]


READ_ROLES = (
    "Global Administrator",
    "Security Administrator",
    "Security Operator",
    "Security Reader",
    "Global Reader",
)
WRITE_ROLES = ("Global Administrator", "Security Administrator", "Security Operator")


class BearerValidator:
    """Validates tokens for one resource (the Defender XDR API, Microsoft Graph or the
    Defender for Endpoint API).

    `also_authenticates` names resources whose tokens pass authentication here and are then
    judged on their roles alone: production's Defender for Endpoint API answers a Defender XDR
    token with 403 "Missing application roles. API required roles: AdvancedQuery.Read.All"
    rather than 401, and clients show that text to people who mixed the two up."""

    def __init__(
        self,
        identity: IdentityContext,
        resource: Resource,
        surface: Surface,
        *,
        also_authenticates: Sequence[Resource] = (),
    ) -> None:
        self._identity = identity
        self._resource = resource
        self._surface = surface
        self._audiences = {
            identifier
            for accepted in (resource, *also_authenticates)
            for identifier in (
                accepted.app_id.lower(),
                *(uri.lower().rstrip("/") for uri in accepted.identifier_uris),
            )
        }
        # The public keys of the ring's last load, with the load they come from.
        self._public_keys: tuple[tuple[LoadedKey, ...], dict[str, RSAPublicKey]] = ((), {})
        self._keys_reloaded_at = -1e9
        self._known_tenants: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- the checks ---------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Caller:
        token = self._bearer(authorization)
        claims = self._verified_claims(token)
        self._check_payload(claims)
        return _caller(claims)

    def authorize(self, caller: Caller, requirement: Requirement) -> None:
        # Production's text: both lists comma-separated without spaces, the token's in its order,
        # e.g. "... API required roles: A,B, application roles: ." for a token without roles.
        if caller.app_only:
            if not any(role in requirement.app_roles for role in caller.roles):
                raise ApiError(
                    403,
                    "Forbidden",
                    "Missing application roles. API required roles: "
                    f"{','.join(requirement.app_roles)}, application roles: "
                    f"{','.join(caller.roles)}.",
                )
            return
        if not any(scope in requirement.scopes for scope in caller.scopes):
            raise ApiError(
                403,
                "Forbidden",
                "Missing application scopes. API required scopes: "
                f"{','.join(requirement.scopes)}, application scopes: "
                f"{','.join(caller.scopes)}.",
            )
        if not self._user_has_role(caller, requirement.user_roles):
            raise ApiError(
                403,
                "Forbidden",
                f"The user {caller.user_principal_name or caller.object_id} does not have a "
                f"role that allows this operation. Required directory roles: "
                f"{', '.join(requirement.user_roles)}.",
            )

    # -- steps --------------------------------------------------------------------------

    def _bearer(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            if self._surface is Surface.GRAPH:
                raise self._unauthorized("Access token is empty.")
            raise self._unauthorized("Authorization header is missing or is not a Bearer token.")
        return token.strip()

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise self._malformed() from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise self._bad_signature()
        key = self._public_key(header["kid"])
        if key is None:
            raise self._bad_signature()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_iss": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise self._bad_signature() from None
        except jwt.PyJWTError:
            raise self._malformed() from None
        return claims

    def _check_payload(self, claims: dict[str, Any]) -> None:
        tid = claims.get("tid")
        aud = claims.get("aud")
        iss = claims.get("iss")
        now = self._identity.clock.now().timestamp()
        skew = self._identity.settings.clock_skew_seconds
        nbf, exp = claims.get("nbf"), claims.get("exp")
        lifetime_ok = (
            isinstance(nbf, int | float)
            and isinstance(exp, int | float)
            and nbf - skew <= now < exp + skew
        )
        audience_ok = isinstance(aud, str) and aud.lower().rstrip("/") in self._audiences
        issuer_ok = (
            isinstance(tid, str)
            and is_guid(tid)
            and iss in (self._identity.v1_issuer(tid), self._identity.v2_issuer(tid))
            and (iss == self._identity.v1_issuer(tid)) == (claims.get("ver") == "1.0")
        )
        if audience_ok and issuer_ok and lifetime_ok and self._tenant_exists(str(tid)):
            return
        if self._surface is Surface.GRAPH:
            reason = (
                "Invalid audience."
                if not audience_ok
                else "Lifetime validation failed, the token is expired."
                if not lifetime_ok
                else "Invalid issuer or tenant."
            )
            raise self._unauthorized(f"Access token validation failure. {reason}")
        raise self._unauthorized(
            f"Invalid Authorization payload. AppId: {claims.get('appid') or claims.get('azp')}, "
            f"Audience: {aud}, Issuer: {iss}, Validity: {_validity(nbf, exp, now)}"
        )

    # -- helpers ------------------------------------------------------------------------

    def _public_key(self, kid: str) -> RSAPublicKey | None:
        """The published key `kid`, as the key ring has it now: the ring reloads from the store
        every few seconds, so a key withdrawn by a rotation elsewhere stops validating here
        within that interval, whatever tokens arrive meanwhile."""
        ring = self._identity.keys
        key = self._published(ring.keys()).get(kid)
        if key is not None:
            return key
        with self._lock:
            # An unknown kid may be a key rotated in by another process: reload the ring now,
            # but at most once a second so junk tokens cannot turn into a database load.
            if time.monotonic() - self._keys_reloaded_at > 1.0:
                ring.invalidate()
                self._keys_reloaded_at = time.monotonic()
            return self._published(ring.keys()).get(kid)

    def _published(self, loaded: tuple[LoadedKey, ...]) -> dict[str, RSAPublicKey]:
        """The public keys of one load of the ring, derived once per load."""
        source, published = self._public_keys
        if source is not loaded:
            published = {k.kid: k.private_key.public_key() for k in loaded}
            self._public_keys = (loaded, published)
        return published

    def _tenant_exists(self, tenant_id: str) -> bool:
        seen = self._known_tenants.get(tenant_id)
        if seen is not None and time.monotonic() - seen < 30.0:
            return True
        with self._identity.sessions() as session:
            exists = session.get(Tenant, tenant_id) is not None
        if exists:
            self._known_tenants[tenant_id] = time.monotonic()
        return exists

    def _user_has_role(self, caller: Caller, allowed: Sequence[str]) -> bool:
        with self._identity.sessions() as session:
            user = session.scalar(
                select(User).where(User.id == caller.object_id, User.tenant_id == caller.tenant_id)
            )
            if user is None or not user.account_enabled:
                return False
            return any(role in allowed for role in user.roles)

    def _unauthorized(self, message: str) -> ApiError:
        code = "InvalidAuthenticationToken" if self._surface is Surface.GRAPH else "Unauthorized"
        return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})

    def _malformed(self) -> ApiError:
        if self._surface is Surface.GRAPH:
            return self._unauthorized("CompactToken parsing failed with error code: 80049217")
        return self._unauthorized("Invalid Authorization header: the token is not a valid JWT.")

    def _bad_signature(self) -> ApiError:
        if self._surface is Surface.GRAPH:
            return self._unauthorized("Signature is invalid.")
        return self._unauthorized("Invalid Authorization token: the signature is not valid.")


def _caller(claims: dict[str, Any]) -> Caller:
    scp = claims.get("scp")
    roles = claims.get("roles")
    scopes = tuple(dict.fromkeys(scp.split())) if isinstance(scp, str) else ()
    return Caller(
        tenant_id=str(claims["tid"]),
        client_id=str(claims.get("appid") or claims.get("azp") or ""),
        object_id=str(claims.get("oid") or ""),
        app_only=claims.get("idtyp") == "app" or not scopes,
        roles=tuple(dict.fromkeys(r for r in roles if isinstance(r, str)))
        if isinstance(roles, list)
        else (),
        scopes=scopes,
        user_principal_name=claims.get("upn") or claims.get("preferred_username"),
    )


def _validity(nbf: Any, exp: Any, now: float) -> str:
    if not isinstance(nbf, int | float) or not isinstance(exp, int | float):
        return "invalid"
    start = dt.datetime.fromtimestamp(nbf, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = dt.datetime.fromtimestamp(exp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = "valid" if nbf <= now < exp else "expired" if now >= exp else "not yet valid"
    return f"{state} from {start} to {end}"
