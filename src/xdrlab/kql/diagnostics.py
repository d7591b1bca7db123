"""KQL diagnostics: every way a query can be refused, with a stable code and a position.

This module is the catalogue: each code has exactly one factory below, and no other module
writes a message of its own. Messages follow the wording the production service uses where
it is known (`'<op>' operator: Failed to resolve ...`, `Query could not be parsed at ...`).
Messages quote only the user's own query text, never generated SQL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


class KqlError(Exception):
    """A query the compiler refuses; `diagnostic` says why and where."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the query text: 1-based line and column."""

    line: int
    column: int


SYNTAX_ERROR = "KQL_SYNTAX_ERROR"
UNKNOWN_TABLE = "KQL_UNKNOWN_TABLE"
UNKNOWN_COLUMN = "KQL_UNKNOWN_COLUMN"
UNKNOWN_FUNCTION = "KQL_UNKNOWN_FUNCTION"
UNSUPPORTED_OPERATOR = "KQL_UNSUPPORTED_OPERATOR"
UNSUPPORTED_FUNCTION = "KQL_UNSUPPORTED_FUNCTION"
UNSUPPORTED_FEATURE = "KQL_UNSUPPORTED_FEATURE"
TYPE_MISMATCH = "KQL_TYPE_MISMATCH"
ARGUMENT_COUNT = "KQL_ARGUMENT_COUNT"
ARGUMENT_TYPE = "KQL_ARGUMENT_TYPE"
EXPECTED_CONSTANT = "KQL_EXPECTED_CONSTANT"
INVALID_LITERAL = "KQL_INVALID_LITERAL"
AGGREGATE_CONTEXT = "KQL_AGGREGATE_CONTEXT"
NOT_AGGREGATE = "KQL_NOT_AGGREGATE"
DUPLICATE_COLUMN = "KQL_DUPLICATE_COLUMN"
NO_TABULAR_RESULT = "KQL_NO_TABULAR_RESULT"
TOO_COMPLEX = "KQL_QUERY_TOO_COMPLEX"
EXTERNAL_DATA = "KQL_EXTERNAL_DATA"
INTERNAL_ERROR = "KQL_INTERNAL_ERROR"

ALL_CODES = (
    SYNTAX_ERROR,
    UNKNOWN_TABLE,
    UNKNOWN_COLUMN,
    UNKNOWN_FUNCTION,
    UNSUPPORTED_OPERATOR,
    UNSUPPORTED_FUNCTION,
    UNSUPPORTED_FEATURE,
    TYPE_MISMATCH,
    ARGUMENT_COUNT,
    ARGUMENT_TYPE,
    EXPECTED_CONSTANT,
    INVALID_LITERAL,
    AGGREGATE_CONTEXT,
    NOT_AGGREGATE,
    DUPLICATE_COLUMN,
    NO_TABULAR_RESULT,
    TOO_COMPLEX,
    EXTERNAL_DATA,
    INTERNAL_ERROR,
)


def _error(code: str, message: str, at: Position) -> KqlError:
    return KqlError(Diagnostic(code, message, at.line, at.column))


def _in(op: str | None, message: str) -> str:
    return f"'{op}' operator: {message}" if op else message


def syntax_error(token: str, at: Position) -> KqlError:
    shown = token if token else "<end of query>"
    return _error(
        SYNTAX_ERROR,
        f"Query could not be parsed at '{shown}' on line [{at.line},{at.column}]",
        at,
    )


def unknown_table(op: str | None, name: str, at: Position) -> KqlError:
    return _error(
        UNKNOWN_TABLE,
        _in(op, f"Failed to resolve table or column expression named '{name}'"),
        at,
    )


def unknown_column(op: str | None, name: str, at: Position) -> KqlError:
    return _error(
        UNKNOWN_COLUMN, _in(op, f"Failed to resolve scalar expression named '{name}'"), at
    )


def unknown_function(op: str | None, name: str, at: Position) -> KqlError:
    return _error(UNKNOWN_FUNCTION, _in(op, f"Unknown function: '{name}'"), at)


def unsupported_operator(name: str, at: Position) -> KqlError:
    return _error(UNSUPPORTED_OPERATOR, f"The '{name}' operator is not supported yet", at)


def unsupported_function(name: str, at: Position) -> KqlError:
    return _error(UNSUPPORTED_FUNCTION, f"The function '{name}' is not supported yet", at)


def unsupported_feature(what: str, at: Position) -> KqlError:
    return _error(UNSUPPORTED_FEATURE, f"{what} is not supported yet", at)


def type_mismatch(op: str | None, detail: str, at: Position) -> KqlError:
    return _error(TYPE_MISMATCH, _in(op, detail), at)


def cannot_compare(op: str | None, left: str, right: str, at: Position) -> KqlError:
    return type_mismatch(
        op, f"Cannot compare values of types {left} and {right}. Try adding explicit casts", at
    )


def argument_count(op: str | None, function: str, expected: str, at: Position) -> KqlError:
    return _error(
        ARGUMENT_COUNT,
        _in(op, f"Function '{function}': expected {expected} argument(s)"),
        at,
    )


def argument_type(
    op: str | None, function: str, index: int, expected: str, got: str, at: Position
) -> KqlError:
    return _error(
        ARGUMENT_TYPE,
        _in(
            op,
            f"Function '{function}': argument {index} must be of type {expected}, not {got}",
        ),
        at,
    )


def expected_constant(op: str | None, what: str, at: Position) -> KqlError:
    return _error(EXPECTED_CONSTANT, _in(op, f"{what} must be a constant"), at)


def invalid_literal(kind: str, text: str, at: Position) -> KqlError:
    return _error(INVALID_LITERAL, f"Invalid {kind} literal: '{text}'", at)


def aggregate_context(op: str | None, function: str, at: Position) -> KqlError:
    return _error(
        AGGREGATE_CONTEXT,
        _in(op, f"The aggregate function '{function}' can only be used in summarize"),
        at,
    )


def not_aggregate(op: str | None, at: Position) -> KqlError:
    return _error(
        NOT_AGGREGATE,
        _in(op, "Summarize expression must be an aggregate (or use it in the by clause)"),
        at,
    )


def duplicate_column(op: str | None, name: str, at: Position) -> KqlError:
    return _error(DUPLICATE_COLUMN, _in(op, f"A column named '{name}' is declared twice"), at)


def no_tabular_result(at: Position) -> KqlError:
    return _error(NO_TABULAR_RESULT, "The query has no tabular expression to run", at)


def too_complex(at: Position) -> KqlError:
    return _error(TOO_COMPLEX, "The query is nested too deeply to be analyzed", at)


def external_data(what: str, at: Position) -> KqlError:
    return _error(
        EXTERNAL_DATA,
        f"{what} cannot be used here: queries read only the advanced hunting tables "
        "(no network or file access)",
        at,
    )


def internal_error(at: Position) -> KqlError:
    return _error(INTERNAL_ERROR, "An unexpected error occurred while compiling the query", at)
