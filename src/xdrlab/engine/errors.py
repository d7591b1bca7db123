"""Every way the hunting engine refuses or fails a query, each with a stable code.

Messages are the production service's texts where one is known (`Query exceeded the timeout
period.`, `An unexpected error occurred during query execution. ...`). None of them ever carries
SQL text, a file path or a traceback: they are safe to put in an API error body as they are.
KQL compile errors are not here; `xdrlab.kql.diagnostics.KqlError` passes through unchanged.
"""

from __future__ import annotations

TIMEOUT_MESSAGE = "Query exceeded the timeout period."
UNEXPECTED_MESSAGE = (
    "An unexpected error occurred during query execution. Please try again in a few minutes."
)
RESOURCES_MESSAGE = "Query stopped due to excessive resource consumption."


class HuntingError(Exception):
    """Base of the engine's errors: `code` is stable, `message` is for the caller."""

    code = "HuntingError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QueryTimeout(HuntingError):
    """The query ran past its deadline and was interrupted."""

    code = "QueryTimeout"

    def __init__(self) -> None:
        super().__init__(TIMEOUT_MESSAGE)


class ResourcesExceeded(HuntingError):
    """The query needed more memory than the engine may use."""

    code = "ResourcesExceeded"

    def __init__(self) -> None:
        super().__init__(RESOURCES_MESSAGE)


class InvalidTimespan(HuntingError):
    """A Graph `Timespan` value that is not one of the ISO 8601 forms the API accepts."""

    code = "InvalidTimespan"

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"Invalid Timespan '{text}': {reason}")
        self.reason = reason


class ExecutionFailed(HuntingError):
    """The query started but failed on the data (bad regex, failed conversion, overflow...)."""

    code = "ExecutionFailed"


class QueryRejected(HuntingError):
    """The engine will not run this tree at all (not a single read-only query)."""

    code = "QueryRejected"


class UnexpectedError(HuntingError):
    """Anything else: an engine fault the caller cannot fix by changing the query."""

    code = "UnexpectedError"

    def __init__(self) -> None:
        super().__init__(UNEXPECTED_MESSAGE)
