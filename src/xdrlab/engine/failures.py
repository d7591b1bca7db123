"""Turning what DuckDB (or Arrow, streaming DuckDB's result) raises into the engine's errors.

DuckDB names the kind of failure at the start of its message (``Conversion Error: ...``); Arrow
keeps that text when it re-raises an error met while streaming, so the prefix is read rather
than the exception class. Messages handed on keep only their first line, without DuckDB's
hints about SQL settings and without any SQL text, file path or position.
"""

from __future__ import annotations

import re

from xdrlab.engine.errors import (
    ExecutionFailed,
    HuntingError,
    QueryRejected,
    QueryTimeout,
    ResourcesExceeded,
    UnexpectedError,
)

OUTSIDE_MESSAGE = "The query may only read the tenant's advanced hunting tables."

_KIND = re.compile(r"^\s*(?P<kind>[A-Za-z ]+?) Error: ?(?P<text>.*)", re.DOTALL)
# Data-dependent failures the query author can fix; their text is worth showing.
_DATA_ERRORS = {"Conversion", "Invalid Input", "Out of Range", "Not implemented"}
_NOISE = (  # in this order: hints first, then the SQL expression they follow
    re.compile(r"\s*(Use TRY\(|Did you mean|HINT:|LINE \d+:).*", re.DOTALL),
    re.compile(r" in expression \(.*\)", re.DOTALL),
)


def classify(error: BaseException, *, timed_out: bool, private: str) -> HuntingError:
    """The engine error for `error`; text mentioning `private` (the lake's folder) is withheld."""
    if timed_out:
        return QueryTimeout()
    match = _KIND.match(str(error))
    kind = match.group("kind") if match else ""
    if kind.upper() == "INTERRUPT":
        return QueryTimeout()
    if kind == "Out of Memory":
        return ResourcesExceeded()
    if kind == "Permission":
        return QueryRejected(OUTSIDE_MESSAGE)
    if match and kind in _DATA_ERRORS:
        text = _clean(match.group("text"))
        if text and private not in text:
            return ExecutionFailed(f"Query execution failed: {text}")
    return UnexpectedError()


def _clean(text: str) -> str:
    text = text.strip().split("\n", 1)[0]
    for pattern in _NOISE:
        text = pattern.sub("", text)
    text = text.strip()
    if text and not text.endswith((".", "!", "?")):
        text += "."
    return text
