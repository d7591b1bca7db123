"""A second process standing in for the person at the browser during a device-code sign-in:
it opens the verification page, types the code, signs in and confirms the app.

    python -m tests.cli.device_approver BASE_URL CA_FILE VERIFICATION_URI USER_CODE UPN PASSWORD
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.identity.webclient import Page, WebClient, complete


def approve(
    base_url: str, ca_file: Path, verification_uri: str, code: str, upn: str, password: str
) -> bool:
    with WebClient(base_url, ca_file) as web:
        page = web.get(verification_uri)
        if not isinstance(page, Page) or page.status != 200:
            return False
        page = web.submit(page.form(step="code"), otc=code)
        done = complete(web, page, upn, password)
        return isinstance(done, Page) and "You have signed in to the " in done.text


if __name__ == "__main__":
    base, ca, uri, user_code, user, secret = sys.argv[1:7]
    sys.exit(0 if approve(base, Path(ca), uri, user_code, user, secret) else 1)
