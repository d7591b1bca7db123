"""A stand-in for the person's web browser, started by Python's `webbrowser` module through the
`BROWSER` variable when `xdrlab login --context browser` opens the sign-in page: it signs in
and consents on xdrlab's pages, then delivers the form_post answer to the command's loopback
listener, as the page's script would in a real browser.

    BROWSER="python -m tests.cli.browser_signin %s"   (user and server from XDRLAB_TEST_* variables)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx

from tests.identity.webclient import Landing, WebClient, complete


def main(url: str) -> int:
    base = os.environ["XDRLAB_TEST_BASE"]
    with WebClient(base, Path(os.environ["XDRLAB_TEST_CA"])) as web:
        landing = complete(
            web, web.get(url), os.environ["XDRLAB_TEST_UPN"], os.environ["XDRLAB_TEST_PASSWORD"]
        )
    if not isinstance(landing, Landing) or landing.how != "form_post":
        return 1
    httpx.post(landing.url, data=landing.params).raise_for_status()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
