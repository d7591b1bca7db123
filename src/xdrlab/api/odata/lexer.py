"""Split `$filter` text into tokens, converting literals to Python values on the way.

Accepted literal forms (what real Defender and Graph clients send):

- ``'text'`` strings, ``''`` inside for a quote;
- unquoted date-times ``2024-05-01T12:34:56.1234567Z``: seconds and fraction optional, any
  number of fraction digits, offset ``Z``, ``+hh:mm`` or ``-hh:mm``, or none (taken as UTC);
  a ``+`` offset whose ``+`` the query-string decoder turned into a space
  (``2024-05-01T12:00:00 02:00``) is read as ``+02:00``; a date alone is midnight UTC;
- ``datetime'...'`` / ``datetimeoffset'...'`` (the OData v3 spelling) as the same date-times;
- ``Namespace.typeName'member'`` qualified enum members (Graph);
- integers, optionally negative.

Keywords (``eq``, ``and``, ``null``, ...) are plain identifiers here; the parser reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from xdrlab.api.odata.errors import ODataError, quoted, syntax_error

TokenKind: TypeAlias = Literal[
    "ident", "string", "int", "datetime", "enum", "lparen", "rparen", "comma", "end"
]

_WHITESPACE = " \t\r\n"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_INT = re.compile(r"-?[0-9]+")
_DATETIME_START = re.compile(r"[0-9]{4}-")
_DATETIME_CHARS = re.compile(r"[0-9A-Za-z:.+\-]*")
_SPACED_OFFSET = re.compile(r" ([0-9]{2}:[0-9]{2})(?![0-9A-Za-z_:.'])")
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[Tt](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,12}))?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
)
_DATETIME_TYPES = frozenset({"datetime", "datetimeoffset"})
# Words that are never a type prefix, so that ``status eq'Active'`` still reads as ``eq``.
_OPERATORS = frozenset({"eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "in"})
_MAX_INT_DIGITS = 19


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    position: int
    value: object = None


def tokenize(text: str) -> list[Token]:
    """All tokens of `text`, ending with an ``end`` token; `ODataError` on anything unreadable."""
    nul = text.find("\x00")
    if nul >= 0:
        # Databases end strings at NUL (SQLite's LIKE would then match everything): refuse it.
        raise syntax_error(text, nul, "the NUL character is not allowed")
    tokens: list[Token] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos == len(text):
            tokens.append(Token("end", "", pos))
            return tokens
        token = _next_token(text, pos)
        tokens.append(token)
        pos = token.position + len(token.text)


def _next_token(text: str, pos: int) -> Token:
    char = text[pos]
    if char in "(),":
        kind: TokenKind = "lparen" if char == "(" else "rparen" if char == ")" else "comma"
        return Token(kind, char, pos)
    if char == "'":
        value, end = _read_string(text, pos)
        return Token("string", text[pos:end], pos, value)
    if _DATETIME_START.match(text, pos):
        return _read_datetime(text, pos)
    if number := _INT.match(text, pos):
        return _read_int(text, pos, number.group())
    if ident := _IDENT.match(text, pos):
        end = ident.end()
        if end < len(text) and text[end] == "'" and ident.group().lower() not in _OPERATORS:
            return _read_typed_literal(text, pos, ident.group())
        return Token("ident", ident.group(), pos)
    if char in "=<>!&|":
        raise syntax_error(
            text,
            pos,
            f"unexpected character {char!r}; OData operators are words: "
            "eq, ne, gt, ge, lt, le, and, or, not",
        )
    if char == '"':
        raise syntax_error(text, pos, "string literals take single quotes, not double quotes")
    raise syntax_error(text, pos, f"unexpected character {char!r}")


def _read_string(text: str, start: int) -> tuple[str, int]:
    """The unescaped content of the string literal opening at `start`, and the offset after it."""
    parts: list[str] = []
    pos = start + 1
    while True:
        close = text.find("'", pos)
        if close < 0:
            raise syntax_error(text, start, "unterminated string literal")
        parts.append(text[pos:close])
        if close + 1 < len(text) and text[close + 1] == "'":
            parts.append("'")
            pos = close + 2
            continue
        return "".join(parts), close + 1


def _read_datetime(text: str, pos: int) -> Token:
    chars = _DATETIME_CHARS.match(text, pos)
    end = chars.end() if chars else pos
    raw = text[pos:end]
    spaced = _SPACED_OFFSET.match(text, end)
    if spaced and "T" in raw.upper() and not re.search(r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$", raw):
        end = spaced.end()
        raw_value = f"{raw}+{spaced.group(1)}"
    else:
        raw_value = raw
    value, excess = parse_datetime(raw_value)
    return Token("datetime", text[pos:end], pos, (value, excess))


def parse_datetime(raw: str) -> tuple[dt.datetime, bool]:
    """An aware datetime for `raw`, and whether `raw` was more precise than a microsecond."""
    match = _DATETIME.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        date = dt.date.fromisoformat(match["date"])
        if match["hour"] is None:
            return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC), False
        fraction = match["fraction"] or ""
        micro = int(fraction[:6].ljust(6, "0"))
        excess = fraction[6:].strip("0") != ""
        offset = match["offset"] or "Z"
        tz = dt.UTC if offset in "Zz" else _offset(offset)
        naive = dt.datetime(
            date.year,
            date.month,
            date.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            micro,
        )
        aware = naive.replace(tzinfo=tz)
        aware.astimezone(dt.UTC)  # out of range once moved to UTC (0001-01-01T00:00+01:00)?
    except (ValueError, OverflowError):
        raise ODataError(f"The value {quoted(raw)} is not a valid DateTimeOffset") from None
    return aware, excess


def _offset(offset: str) -> dt.timezone:
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 14 or minutes > 59 or (hours == 14 and minutes):
        raise ValueError(offset)
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-delta if offset[0] == "-" else delta)


def _read_int(text: str, pos: int, digits: str) -> Token:
    end = pos + len(digits)
    if end < len(text) and (text[end].isalnum() or text[end] in "_."):
        raise syntax_error(text, pos, f"{quoted(_word_at(text, pos))} is not a valid literal")
    significant = digits.lstrip("-").lstrip("0") or "0"
    if len(significant) > _MAX_INT_DIGITS:  # before int(): very long digit strings raise
        raise ODataError(f"The value {quoted(digits)} is not a valid Int64")
    value = -int(significant) if digits.startswith("-") else int(significant)
    if not -(2**63) <= value < 2**63:
        raise ODataError(f"The value {quoted(digits)} is not a valid Int64")
    return Token("int", digits, pos, value)


def _word_at(text: str, pos: int) -> str:
    end = pos
    while end < len(text) and text[end] not in _WHITESPACE + "(),'":
        end += 1
    return text[pos:end]


def _read_typed_literal(text: str, pos: int, type_name: str) -> Token:
    value, end = _read_string(text, pos + len(type_name))
    if type_name.lower() in _DATETIME_TYPES:
        return Token("datetime", text[pos:end], pos, parse_datetime(value))
    return Token("enum", text[pos:end], pos, (type_name, value))
