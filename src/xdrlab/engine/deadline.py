"""A deadline that interrupts a DuckDB connection from a timer thread."""

from __future__ import annotations

import threading
from contextlib import suppress
from types import TracebackType

import duckdb


class Deadline:
    """Interrupts `connection` once `seconds` have passed, unless the query finished first.

    `expired` tells afterwards whether the interrupt came from here, so an error raised by the
    interrupted query (DuckDB's own, or Arrow's wrapping of it) is known to be a timeout. Once
    expired it keeps interrupting every few milliseconds until finished: an interrupt that lands
    between two statements is not remembered by DuckDB, so a single one could be lost.
    """

    REPEAT_SECONDS = 0.05

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._finished = False
        self.expired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finish()

    def watch(self, connection: duckdb.DuckDBPyConnection) -> None:
        """From now on the deadline interrupts `connection` (interrupts at once if past it)."""
        with self._lock:
            self._connection = connection
            if self.expired:
                connection.interrupt()

    def finish(self) -> None:
        with self._lock:
            self._finished = True
            self._connection = None
            self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            if self._connection is not None:
                with suppress(duckdb.ConnectionException):  # closed in the meantime: done
                    self._connection.interrupt()
            self._timer = threading.Timer(self.REPEAT_SECONDS, self._fire)
            self._timer.daemon = True
            self._timer.start()
