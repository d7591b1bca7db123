"""Redirect URIs: exact matching against the app's registered URIs, with the loopback rule.

A registered `http://` loopback URI (`http://localhost`, `http://127.0.0.1`, `http://[::1]`,
with or without a port) matches the same URI with any port, as production does (RFC 8252
section 7.3; MSAL's interactive flow listens on `http://localhost:{ephemeral port}`). Only the
port may differ: the host must be the registered one, so a `http://localhost` registration does
not accept `http://127.0.0.1:{port}` (register `http://127.0.0.1` for that), and `https://` is
never a loopback match. Everything else must match character for character: another path,
another port of a non-loopback URI, an added query or a fragment is a mismatch.
"""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _loopback_parts(uri: str) -> tuple[str, str, str] | None:
    """(host, path, query) of an `http://` loopback URI without userinfo or fragment, else
    None. The port is left out: it is the one part allowed to differ."""
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises on a garbled port
    except ValueError:
        return None
    if parts.scheme != "http" or parts.fragment or "#" in uri or "@" in parts.netloc:
        return None
    host = (parts.hostname or "").lower()
    if host not in LOOPBACK_HOSTS:
        return None
    return host, parts.path or "/", parts.query


def matches(registered: str, requested: str) -> bool:
    """Whether the requested redirect URI is the registered one."""
    if "#" in requested:
        return False
    if registered == requested:
        return True
    loopback_registered = _loopback_parts(registered)
    loopback_requested = _loopback_parts(requested)
    return (
        loopback_registered is not None
        and loopback_requested is not None
        and loopback_registered == loopback_requested
    )


def find_match(registered: list[str], requested: str) -> str | None:
    """The registered URI the requested one matches, or None."""
    return next((uri for uri in registered if matches(uri, requested)), None)


def origin(uri: str) -> str:
    """`scheme://host[:port]` of a URI (for the page's Content-Security-Policy form-action)."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"
