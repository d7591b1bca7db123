"""`$top`, `$skip`, `$count`, unknown system query options, and the next-page link.

Documented limits the callers pass in:

- Defender XDR ``GET /api/incidents``: ``$top`` at most 100 (and page size 100); no ``$skip``
  limit documented.
- Graph ``/security/incidents`` and ``/security/alerts_v2``: no ``$top`` or ``$skip`` limit
  documented on their pages; the Graph security error page gives ``$top`` <= 1000 and
  ``$skip`` <= 500 for the legacy ``/security/alerts`` list.

``$top`` must be at least 1 here: OData allows 0, but a page of nothing makes a next link that
points at the same page, so a client following links would never finish.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Final
from urllib.parse import quote

from xdrlab.api.odata.errors import ODataError, quoted

_DIGITS: Final = re.compile(r"[0-9]+")
_MAX_DIGITS: Final = 18
_URL_SAFE: Final = "$'():,@!*/"


def parse_top(raw: str | None, *, default: int, maximum: int) -> int:
    """`$top`: absent -> `default`; otherwise an integer from 1 to `maximum`."""
    if raw is None:
        return default
    value = _integer(raw, "$top", "a positive integer value")
    if value < 1:
        raise ODataError(
            f"Invalid value {quoted(raw)} for $top query option found. "
            "The $top query option requires a positive integer value."
        )
    if value > maximum:
        raise _limit_error("Top", maximum, raw)
    return value


def parse_skip(raw: str | None, *, maximum: int | None = None) -> int:
    """`$skip`: absent -> 0; otherwise a non-negative integer, at most `maximum` if given."""
    if raw is None:
        return 0
    value = _integer(raw, "$skip", "a non-negative integer value")
    if maximum is not None and value > maximum:
        raise _limit_error("Skip", maximum, raw)
    return value


def parse_count(raw: str | None) -> bool:
    """`$count`: absent -> False; ``true`` or ``false`` in any case."""
    if raw is None:
        return False
    word = raw.strip().lower()
    if word not in ("true", "false"):
        raise ODataError(f"{quoted(raw)} is not a valid count option.")
    return word == "true"


def check_options(params: Mapping[str, str], *, supported: Collection[str]) -> None:
    """Refuse system query options (names starting with ``$``) that `supported` does not list.

    Names compare case-insensitively (OData 4.01). Parameters without ``$`` are custom options and
    pass: clients add their own (cache busters, ``api-version``) and servers ignore them.
    """
    allowed = {name.lower() for name in supported}
    for name in params:
        if name.startswith("$") and name.lower() not in allowed:
            raise ODataError(f"The query parameter {quoted(name)} is not supported.")


def next_link(base_url: str, params: Mapping[str, str], skip: int) -> str:
    """The ``@odata.nextLink`` for the page at `skip`: `base_url` (no query) with `params`
    (decoded values, as the request had them) and ``$skip`` replaced or added."""
    pairs: list[tuple[str, str]] = []
    replaced = False
    for name, value in params.items():
        if name.lower() == "$skip":
            if not replaced:
                pairs.append(("$skip", str(skip)))
                replaced = True
            continue
        pairs.append((name, value))
    if not replaced:
        pairs.append(("$skip", str(skip)))
    query = "&".join(f"{quote(k, safe=_URL_SAFE)}={quote(v, safe=_URL_SAFE)}" for k, v in pairs)
    return f"{base_url}{'&' if '?' in base_url else '?'}{query}"


def _integer(raw: str, option: str, requirement: str) -> int:
    text = raw.strip()
    if not _DIGITS.fullmatch(text):
        raise ODataError(
            f"Invalid value {quoted(raw)} for {option} query option found. "
            f"The {option} query option requires {requirement}."
        )
    significant = text.lstrip("0") or "0"
    # Past 18 digits it is over any limit; int() of thousands of digits would raise.
    return int(significant) if len(significant) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _limit_error(option: str, maximum: int, raw: str) -> ODataError:
    return ODataError(
        f"The limit of '{maximum}' for {option} query has been exceeded. "
        f"The value from the incoming request is {quoted(raw)}."
    )
