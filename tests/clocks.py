"""A clock tests move by hand, shared safely with a server's threads."""

from __future__ import annotations

import datetime as dt
import threading


class MovableClock:
    def __init__(self, moment: dt.datetime) -> None:
        self._moment = moment
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._moment

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self._moment = moment
