"""Tokens of the KQL lexer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from xdrlab.kql.diagnostics import Position


class Kind(Enum):
    IDENT = "identifier"  # names and keywords (KQL keywords are contextual)
    STRING = "string"
    LONG = "long"
    REAL = "real"
    TIMESPAN = "timespan"
    TYPED = "typed literal"  # datetime(...), time(...), timespan(...), guid(...): raw text
    PUNCT = "punctuation"
    BANG_WORD = "negated operator"  # !has, !contains, !in~, ...
    END = "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the source text of the token
    pos: Position
    value: object = None  # decoded value: str for strings, int/float, microseconds, (name, raw)

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.IDENT and self.text in words

    def is_punct(self, *puncts: str) -> bool:
        return self.kind is Kind.PUNCT and self.text in puncts


# Operator keywords spelled with a hyphen; the lexer reads them as one identifier token.
HYPHENATED = frozenset(
    {
        "project-away",
        "project-keep",
        "project-rename",
        "project-reorder",
        "project-smart",
        "mv-expand",
        "mv-apply",
        "make-series",
        "top-nested",
        "top-hitters",
        "parse-where",
        "parse-kv",
        "sample-distinct",
        "make-graph",
        "graph-match",
        "graph-merge",
        "graph-to-table",
        "graph-shortest-paths",
        "graph-mark-components",
    }
)

# Negated string operators written `!word`.
BANG_WORDS = frozenset(
    {
        "has",
        "has_cs",
        "hasprefix",
        "hasprefix_cs",
        "hassuffix",
        "hassuffix_cs",
        "contains",
        "contains_cs",
        "startswith",
        "startswith_cs",
        "endswith",
        "endswith_cs",
        "in",
        "in~",
        "between",
        "matches",
    }
)

PUNCTUATION = (
    "==",
    "!=",
    "<>",
    "<=",
    ">=",
    "=~",
    "!~",
    "..",
    "=>",
    "|",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ".",
    "=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    ":",
    "!",
    "?",
)

# Timespan literal suffixes and their length in microseconds (a tick is 100 ns: rounded).
TIMESPAN_UNITS: dict[str, float] = {
    "d": 86_400_000_000,
    "day": 86_400_000_000,
    "days": 86_400_000_000,
    "h": 3_600_000_000,
    "hr": 3_600_000_000,
    "hrs": 3_600_000_000,
    "hour": 3_600_000_000,
    "hours": 3_600_000_000,
    "m": 60_000_000,
    "min": 60_000_000,
    "minute": 60_000_000,
    "minutes": 60_000_000,
    "s": 1_000_000,
    "sec": 1_000_000,
    "second": 1_000_000,
    "seconds": 1_000_000,
    "ms": 1_000,
    "milli": 1_000,
    "millis": 1_000,
    "millisecond": 1_000,
    "milliseconds": 1_000,
    "microsecond": 1,
    "microseconds": 1,
    "tick": 0.1,
    "ticks": 0.1,
}
