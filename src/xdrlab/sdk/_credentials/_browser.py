"""User context in a browser: authorization code with PKCE (S256), delivered to a loopback
listener on a free port (`http://localhost:{port}`; a registered `http://localhost` redirect
matches any port). Opening the browser is injectable, so a test or a UI can drive it."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from xdrlab.sdk._credentials._tokens import USER_SCOPES, TokenResponse, endpoint, request_token
from xdrlab.sdk._credentials._user import _UserCredential
from xdrlab.sdk._errors import AuthenticationError
from xdrlab.sdk._runner import Blocking, Flow
from xdrlab.sdk._transport import HttpSettings

_DONE_PAGE = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Signed in</title>"
    b"<p>Authentication complete. You can close this window.</p></html>"
)


class _Listener:
    """A one-shot HTTP server on 127.0.0.1 that keeps the first answer carrying `code` or
    `error`, by query (GET) or by form post (POST)."""

    def __init__(self, port: int) -> None:
        self.params: dict[str, str] | None = None
        self._arrived = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, params: dict[str, str]) -> None:
                if listener.params is None and ("code" in params or "error" in params):
                    listener.params = params
                    listener._arrived.set()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(_DONE_PAGE)))
                    self.end_headers()
                    self.wfile.write(_DONE_PAGE)
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def do_GET(self) -> None:
                self._answer(dict(parse_qsl(urlsplit(self.path).query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(dict(parse_qsl(self.rfile.read(length).decode("utf-8"))))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, timeout: float) -> dict[str, str]:
        try:
            if not self._arrived.wait(timeout) or self.params is None:
                raise AuthenticationError(
                    f"no answer reached the redirect URI within {timeout:.0f} seconds",
                    code="timeout",
                )
            return self.params
        finally:
            self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


class InteractiveBrowserCredential(_UserCredential):
    """Sign a person in with their browser.

    - `open_browser(url)`: shows the sign-in page (None: `webbrowser.open`).
    - `port`: loopback port (0 = any free one); `redirect_host` as registered (`localhost`).
    - `response_mode`: ``form_post`` (the code is posted to the listener, as MSAL asks) or
      ``query``.
    - `login_hint`, `prompt` (`select_account`, `login`, `consent`), `timeout` seconds.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        open_browser: Callable[[str], Any] | None = None,
        port: int = 0,
        redirect_host: str = "localhost",
        response_mode: Literal["form_post", "query"] = "form_post",
        login_hint: str | None = None,
        prompt: str | None = None,
        timeout: float = 300.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        self.open_browser = open_browser or webbrowser.open
        self.port = port
        self.redirect_host = redirect_host
        self.response_mode = response_mode
        self.login_hint = login_hint
        self.prompt = prompt
        self.timeout = timeout

    def authorize_url(
        self, authority: str, scope: str, redirect_uri: str, state: str, verifier: str
    ) -> str:
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "response_mode": self.response_mode,
            "scope": f"{scope} {USER_SCOPES}",
            "state": state,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
            "nonce": secrets.token_urlsafe(16),
        }
        if self.login_hint:
            query["login_hint"] = self.login_hint
        if self.prompt:
            query["prompt"] = self.prompt
        return f"{endpoint(authority, self.tenant_id, 'authorize')}?{urlencode(query)}"

    def _acquire(self, scope: str, authority: str, settings: HttpSettings) -> Flow[TokenResponse]:
        listener = _Listener(self.port)
        redirect_uri = f"http://{self.redirect_host}:{listener.port}"
        state = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(64)
        url = self.authorize_url(authority, scope, redirect_uri, state, verifier)
        try:
            yield Blocking(lambda: self.open_browser(url))
        except BaseException:
            listener.close()
            raise
        params: dict[str, str] = yield Blocking(lambda: listener.wait(self.timeout))
        if params.get("state") != state:
            raise AuthenticationError("the answer's state does not match the request's")
        if "error" in params:
            raise AuthenticationError(
                params.get("error_description") or params["error"], code=params["error"]
            )
        token_url = endpoint(authority, self.tenant_id, "token")
        form = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "code": params["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "scope": f"{scope} {USER_SCOPES}",
            **self._client_auth(token_url),
        }
        return (yield from request_token(settings, token_url, form, self.clock))
