"""From a profile to a signed-in SDK client: the credential its context calls for, its secret
from the secret store, and the user's cached refresh token so a signed-in person is not asked
to sign in again on every command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from xdrlab.cli.client.profiles import Context, Profile, ProfileError
from xdrlab.cli.client.secrets import SecretStore
from xdrlab.sdk import (
    CertificateCredential,
    Client,
    ClientSecretCredential,
    Credential,
    DeviceCode,
    DeviceCodeCredential,
    Endpoints,
    InteractiveBrowserCredential,
    UsernamePasswordCredential,
)

# Names of the secret-store entries (not secrets).
CLIENT_SECRET = "client-secret"  # noqa: S105
PASSWORD = "password"  # noqa: S105
REFRESH_TOKEN = "refresh-token"  # noqa: S105


def endpoints_for(profile: Profile) -> Endpoints:
    return Endpoints(
        authority=profile.authority,
        api_base=profile.api_base,
        graph_base=profile.graph_base,
        ca_file=profile.ca_file or None,
    )


def credential_for(
    profile: Profile,
    *,
    client_secret: str | None = None,
    password: str | None = None,
    refresh_token: str | None = None,
    device_prompt: Callable[[DeviceCode], None] | None = None,
    open_browser: Callable[[str], object] | None = None,
) -> Credential:
    """The credential for the profile's context, given the secrets it needs."""
    common: dict[str, Any] = {"authority": profile.authority, "verify": profile.ca_file or True}
    tenant = profile.token_tenant
    context = profile.context
    if context is Context.APP_SECRET:
        if client_secret is None:
            raise ProfileError(
                f"profile {profile.name!r} has no stored client secret; log in again"
            )
        return ClientSecretCredential(tenant, profile.client_id, client_secret, **common)
    if context is Context.APP_CERTIFICATE:
        return CertificateCredential(
            tenant,
            profile.client_id,
            profile.certificate_file,
            private_key_path=profile.private_key_file or None,
            **common,
        )
    credential: Credential
    if context is Context.PASSWORD:
        if password is None:
            raise ProfileError(f"profile {profile.name!r} has no stored password; log in again")
        credential = UsernamePasswordCredential(
            tenant, profile.client_id, profile.username, password, **common
        )
    elif context is Context.DEVICE_CODE:
        credential = DeviceCodeCredential(
            tenant, profile.client_id, prompt_callback=device_prompt, **common
        )
    else:
        if open_browser is not None:
            common["open_browser"] = open_browser
        credential = InteractiveBrowserCredential(
            tenant, profile.client_id, login_hint=profile.username or None, **common
        )
    if refresh_token is not None:
        credential.use_refresh_token(refresh_token)
    return credential


def stored_credential(
    profile: Profile,
    secrets: SecretStore,
    *,
    device_prompt: Callable[[DeviceCode], None] | None = None,
) -> Credential:
    """The profile's credential with what the secret store holds for it."""
    return credential_for(
        profile,
        client_secret=secrets.get(profile.name, CLIENT_SECRET),
        password=secrets.get(profile.name, PASSWORD),
        refresh_token=secrets.get(profile.name, REFRESH_TOKEN),
        device_prompt=device_prompt,
    )


def remember_refresh_token(profile: Profile, secrets: SecretStore, credential: Credential) -> None:
    """Keep the user's newest refresh token (they rotate on every use) for the next command."""
    if profile.context in (Context.APP_SECRET, Context.APP_CERTIFICATE):
        return
    token = credential.current_refresh_token()
    if token is not None:
        secrets.set(profile.name, REFRESH_TOKEN, token)


@contextmanager
def connected(
    profile: Profile,
    secrets: SecretStore,
    *,
    device_prompt: Callable[[DeviceCode], None] | None = None,
) -> Iterator[Client]:
    """A client for the profile, saving the user's refresh token when the command ends."""
    credential = stored_credential(profile, secrets, device_prompt=device_prompt)
    client = Client(credential, endpoints=endpoints_for(profile), surface=str(profile.surface))
    try:
        yield client
    finally:
        client.close()
        remember_refresh_token(profile, secrets, credential)
