"""Audit events: every sign-in and every change to the directory leaves one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.orm import Session

from xdrlab.clock import Clock
from xdrlab.store.models import AuditEvent

log = logging.getLogger("xdrlab.identity")


def event_row(
    clock: Clock,
    *,
    category: str,
    activity: str,
    tenant_id: str | None = None,
    actor: str = "",
    target: str = "",
    result: str = "success",
    message: str = "",
    correlation_id: str | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """The audit_events row for one event, stamped now."""
    return {
        "timestamp": clock.now(),
        "tenant_id": tenant_id,
        "category": category,
        "activity": activity,
        "actor": actor,
        "target": target,
        "result": result,
        "message": message,
        "correlation_id": correlation_id,
        "detail": detail,
    }


def record(session: Session, clock: Clock, **event: Any) -> None:
    """Add an audit event to the session's transaction (committed with the change it
    describes). A Core insert, not an ORM object. Arguments as `event_row`."""
    session.execute(insert(AuditEvent).values(**event_row(clock, **event)))


_Waiting = list[tuple[dict[str, Any], "asyncio.Future[None]"]]  # rows and who waits for them
_Handover = tuple[asyncio.AbstractEventLoop, _Waiting]


class AuditWriter:
    """Group commit for audit events written outside a transaction of their own (the cached
    token path, which has no session). `await record(...)` returns once the event is committed,
    so a response that follows it is never ahead of its audit event, as when the event shares
    the transaction of its change. The events recorded during one turn of an event loop are
    handed to the writer thread together at the start of the next, and events handed over
    while a commit is under way wait for the next one, which takes all of them (up to about
    `max_batch`): one hand-off, one commit and one wake-up of the loop for many requests,
    off the event loop, instead of one each.

    The writer thread starts with the first event and ends after `idle_seconds` without any,
    so an idle server holds no thread and nothing is pending at shutdown that a client was told
    about. An event whose commit fails makes its `record` raise."""

    def __init__(
        self, engine: Engine, clock: Clock, *, max_batch: int = 256, idle_seconds: float = 5.0
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._max_batch = max_batch
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[_Handover] = queue.SimpleQueue()
        # Events recorded on each loop since its last hand-over (touched only on that loop).
        self._gathering: dict[asyncio.AbstractEventLoop, _Waiting] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._statement = insert(AuditEvent)  # run on a Connection: Core, no ORM

    @property
    def running(self) -> bool:
        """Whether the writer thread is there (it ends after `idle_seconds` without events)."""
        with self._lock:
            return self._thread is not None

    async def record(self, **event: Any) -> None:
        """Write one event (arguments as `event_row`); return when it is committed."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        gathering = self._gathering.get(loop)
        if gathering is None:
            gathering = self._gathering[loop] = []
            loop.call_soon(self._hand_over, loop)
        gathering.append((event_row(self._clock, **event), done))
        await done

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue.put((loop, self._gathering.pop(loop)))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="xdrlab-audit-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        # One connection while the thread lives: a pool checkout per commit would cost about
        # as much as the insert, and commits are often of one event.
        connection: Connection | None = None
        try:
            while True:
                try:
                    first = self._queue.get(timeout=self._idle_seconds)
                except queue.Empty:
                    with self._lock:
                        # Checked under the lock `record` takes after its put: an event put
                        # before this check is seen here; one put after it finds no thread and
                        # starts one.
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                batch, events = [first], len(first[1])
                while events < self._max_batch:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                    events += len(batch[-1][1])
                if connection is None:
                    connection = self._engine.connect()
                if not self._commit(connection, batch):
                    connection.close()  # a new one for the next batch
                    connection = None
        finally:
            if connection is not None:
                connection.close()

    def _commit(self, connection: Connection, batch: list[_Handover]) -> bool:
        rows = [row for _, waiting in batch for row, _ in waiting]
        error: BaseException | None = None
        try:
            with connection.begin():
                connection.execute(self._statement, rows)
        except Exception as exc:  # every waiting request gets it
            log.exception("audit events could not be written (%d events)", len(rows))
            error = exc
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for loop, waiting in batch:
            by_loop.setdefault(loop, []).extend(done for _, done in waiting)
        for loop, futures in by_loop.items():
            # RuntimeError: that loop has closed, so nobody waits any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, futures, error)
        return error is None


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request was cancelled
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
