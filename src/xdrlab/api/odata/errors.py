"""The one exception every OData query-option failure becomes.

The Defender API answers a bad query option with HTTP 400 and
``{"error": {"code": "ODataError", "message": "Invalid OData URI query <specific error>"}}``;
`ODataError` carries exactly those three things, and `detail` (the specific error) for tests.
"""

from __future__ import annotations

from typing import Final

MESSAGE_PREFIX: Final = "Invalid OData URI query"
_MAX_QUOTED = 300


class ODataError(Exception):
    """A query option the API refuses: HTTP 400, code ``ODataError``, a production-style message."""

    code: Final = "ODataError"
    status_code: Final = 400

    def __init__(self, detail: str) -> None:
        self.detail = detail
        self.message = f"{MESSAGE_PREFIX} {detail}"
        super().__init__(self.message)


def quoted(text: str) -> str:
    """`text` in single quotes for a message, shortened if it is very long."""
    if len(text) > _MAX_QUOTED:
        text = text[:_MAX_QUOTED] + "..."
    return f"'{text}'"


def syntax_error(text: str, position: int, reason: str) -> ODataError:
    """``Syntax error at position <n> in '<filter>': <reason>`` (positions count from 0)."""
    return ODataError(f"Syntax error at position {position} in {quoted(text)}: {reason}")
