"""A browser without a browser: an HTTP client that walks xdrlab's sign-in, consent, account
picker and device code pages the way a person with a browser does. It reads each page's forms
with the standard library's HTML parser, submits them with their hidden fields (CSRF token
included) and the button pressed, keeps the cookies the server sets, follows redirects inside
xdrlab and stops where the browser would leave it: at a redirect to (or a form_post page for)
the client's redirect URI."""

from __future__ import annotations

import html.parser
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx


@dataclass
class Form:
    action: str  # absolute URL
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of submits
    name: str = ""

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)

    @property
    def step(self) -> str | None:
        return self.get("step")


class _FormParser(html.parser.HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                urljoin(self.base, a.get("action") or self.base),
                (a.get("method") or "get").lower(),
                name=a.get("name", ""),
            )
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if not name:
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "submit":
                self._form.buttons.append((name, a.get("value", "")))
                return
            self._form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.buttons.append((a.get("name", ""), a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def parse_forms(page: str, base: str) -> list[Form]:
    parser = _FormParser(base)
    parser.feed(page)
    parser.close()
    return parser.forms


@dataclass
class Landing:
    """Where the browser left xdrlab for the client's redirect URI: the URL, how (a `redirect`
    or a `form_post` page) and the parameters delivered (query, fragment or posted fields)."""

    url: str
    how: str
    params: dict[str, str]


@dataclass
class Page:
    """An xdrlab page the browser shows."""

    response: httpx.Response
    forms: list[Form]

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def status(self) -> int:
        return self.response.status_code

    def form(self, *, step: str | None = None, action_has: str | None = None) -> Form:
        found = [
            f
            for f in self.forms
            if (step is None or f.step == step) and (action_has is None or action_has in f.action)
        ]
        assert len(found) == 1, f"expected one form (step={step}, action={action_has}): {found}"
        return found[0]

    def has_form(self, step: str) -> bool:
        return any(f.step == step for f in self.forms)


class WebClient:
    """Cookies, CSRF tokens and redirects handled as a browser handles them."""

    def __init__(self, base_url: str, ca_file: Path) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = _origin(self.base_url)
        context = ssl.create_default_context(cafile=str(ca_file))
        self.http = httpx.Client(verify=context, timeout=30, follow_redirects=False)

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def close(self) -> None:
        self.http.close()

    def get(self, url: str) -> Page | Landing:
        return self._arrive(self.http.get(urljoin(self.base_url + "/", url)))

    def submit(self, form: Form, button: str | None = None, **values: str) -> Page | Landing:
        """Submit `form` as pressing the submit button whose value is `button` (or the first
        one), with `values` typed into its fields."""
        data = [(k, values.pop(k) if k in values else v) for k, v in form.fields]
        data += list(values.items())
        if form.buttons:
            name, value = (
                next(b for b in form.buttons if b[1] == button)
                if button is not None
                else form.buttons[0]
            )
            if name:
                data.append((name, value))
        elif button is not None:
            raise AssertionError(f"the form has no button {button!r}")
        if _origin(form.action) != self.origin:
            return Landing(form.action, "form_post", dict(data))
        if form.method == "post":
            response = self.http.post(form.action, data=dict(_last_wins(data)))
        else:
            response = self.http.get(form.action, params=data)
        return self._arrive(response)

    def _arrive(self, response: httpx.Response) -> Page | Landing:
        for _ in range(10):
            if response.status_code not in (301, 302, 303, 307, 308):
                break
            location = urljoin(str(response.url), response.headers["location"])
            if _origin(location) != self.origin:
                parts = urlsplit(location)
                params = dict(parse_qsl(parts.query or parts.fragment, keep_blank_values=True))
                return Landing(location, "redirect", params)
            response = self.http.get(location)
        forms = parse_forms(response.text, str(response.url))
        auto = [f for f in forms if f.name == "hiddenform"]
        if auto and _origin(auto[0].action) != self.origin:
            # The form_post page submits itself with a script; the browser runs it.
            return Landing(auto[0].action, "form_post", dict(auto[0].fields))
        return Page(response, forms)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _last_wins(data: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict(data).items())


def sign_in(web: WebClient, page: Page | Landing, upn: str, password: str) -> Page | Landing:
    """Type the user name and the password on the sign-in pages shown."""
    assert isinstance(page, Page), page
    username = page.form(step="username")
    page = web.submit(username, login=upn)
    assert isinstance(page, Page) and page.has_form("password"), getattr(page, "text", page)
    return web.submit(page.form(step="password"), passwd=password)


def complete(
    web: WebClient,
    page: Page | Landing,
    upn: str,
    password: str,
    *,
    consent: str = "accept",
    seen: list[str] | None = None,
) -> Landing | Page:
    """Walk the pages as the user would until the browser leaves xdrlab (a `Landing`) or a page
    without a way forward is shown (returned as is). `seen` collects the steps passed."""
    seen = seen if seen is not None else []
    for _ in range(12):
        if isinstance(page, Landing):
            return page
        if page.has_form("username"):
            seen.append("username")
            page = sign_in(web, page, upn, password)
        elif page.has_form("pick"):
            seen.append("pick")
            page = web.submit(page.form(step="pick"))
        elif page.has_form("confirm"):
            seen.append("confirm")
            page = web.submit(page.form(step="confirm"), "continue")
        elif any("/consent" in f.action and len(f.buttons) > 1 for f in page.forms):
            seen.append("consent")
            form = next(f for f in page.forms if "/consent" in f.action and len(f.buttons) > 1)
            page = web.submit(form, consent)
        else:
            return page
    raise AssertionError(f"no end to the sign-in pages after {seen}")
