"""One code path for the sync and the async client: every operation is a generator that yields
what it needs done and receives the outcome ("sans I/O"). Two small drivers do the I/O — one
with `httpx.Client` and `time.sleep`, one with `httpx.AsyncClient` and `asyncio.sleep` — so
retries, token handling, rate limiting and error mapping are written once.

Effects a flow may yield:
- an `httpx.Request`: send it, send back the `httpx.Response` (or throw the transport error in);
- `Sleep(seconds)`: wait, send back None;
- `Blocking(fn)`: call a blocking function (a loopback listener, a prompt), send back its result;
  the async driver runs it in a worker thread;
- `Await(fn)`: await `fn()` (async driver only: an async credential cannot serve a sync client).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import httpx

T = TypeVar("T")


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Blocking:
    fn: Callable[[], Any]


@dataclass(frozen=True)
class Await:
    """Await what `fn` returns (an async credential's `get_token`); async driver only."""

    fn: Callable[[], Awaitable[Any]]


Effect: TypeAlias = httpx.Request | Sleep | Blocking | Await
Flow: TypeAlias = Generator[Effect, Any, T]

SleepFn: TypeAlias = Callable[[float], None]
AsyncSleepFn: TypeAlias = Callable[[float], Awaitable[None]]


def run_sync(flow: Flow[T], http: httpx.Client, sleep: SleepFn = time.sleep) -> T:
    outcome: Any = None
    failure: BaseException | None = None
    while True:
        try:
            effect = flow.throw(failure) if failure is not None else flow.send(outcome)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        outcome, failure = None, None
        if isinstance(effect, httpx.Request):
            try:
                outcome = http.send(effect)
            except httpx.TransportError as error:
                failure = error
        elif isinstance(effect, Sleep):
            if effect.seconds > 0:
                sleep(effect.seconds)
        elif isinstance(effect, Await):
            failure = TypeError("an async credential needs the AsyncClient")
        else:
            try:
                outcome = effect.fn()
            except Exception as error:
                failure = error


async def run_async(
    flow: Flow[T], http: httpx.AsyncClient, sleep: AsyncSleepFn = asyncio.sleep
) -> T:
    outcome: Any = None
    failure: BaseException | None = None
    while True:
        try:
            effect = flow.throw(failure) if failure is not None else flow.send(outcome)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        outcome, failure = None, None
        if isinstance(effect, httpx.Request):
            try:
                outcome = await http.send(effect)
            except httpx.TransportError as error:
                failure = error
        elif isinstance(effect, Sleep):
            if effect.seconds > 0:
                await sleep(effect.seconds)
        elif isinstance(effect, Await):
            try:
                outcome = await effect.fn()
            except Exception as error:
                failure = error
        else:
            try:
                outcome = await asyncio.to_thread(effect.fn)
            except Exception as error:
                failure = error
