"""The slice of time a hunting query sees: the last 30 days, optionally narrowed by Graph's
`Timespan` (ISO 8601: a duration, ``start/end``, ``duration/end``, ``start/duration`` or a
single start).

Windows are half-open, ``start <= Timestamp < end``, in naive UTC like the lake. Whatever the
caller asks for is clamped to the retention the API serves (30 days back from now, nothing after
now); a request wholly outside it is an empty window, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from xdrlab.engine.errors import InvalidTimespan
from xdrlab.lake.store import naive_utc

RETENTION = timedelta(days=30)

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?",
    re.IGNORECASE,
)
# Calendar units have no fixed length; .NET's XmlConvert (which reads these strings on the
# service side) counts a year as 365 days and a month as 30.
_UNIT_SECONDS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


@dataclass(frozen=True)
class HuntingWindow:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", naive_utc(self.start))
        object.__setattr__(self, "end", naive_utc(self.end))
        if self.end < self.start:
            raise ValueError("a hunting window cannot end before it starts")

    @property
    def is_empty(self) -> bool:
        return self.start == self.end

    @classmethod
    def default(cls, now: datetime, lookback: timedelta = RETENTION) -> HuntingWindow:
        """What the API serves when the caller does not narrow it: the last 30 days."""
        end = naive_utc(now)
        return cls(end - lookback, end)

    @classmethod
    def parse(
        cls, text: str | None, *, now: datetime, lookback: timedelta = RETENTION
    ) -> HuntingWindow:
        """Graph's `Timespan` value (None: not given), clamped to `lookback` before `now`."""
        if text is None:
            return cls.default(now, lookback)
        try:
            start, end = _parse_timespan(text.strip(), naive_utc(now))
        except OverflowError:
            raise InvalidTimespan(text, "it reaches outside the calendar") from None
        except InvalidTimespan as error:  # quote what the caller sent, spaces and all
            raise InvalidTimespan(text, error.reason) from None
        if end < start:
            raise InvalidTimespan(text, "the end is before the start")
        return cls.default(now, lookback).clamp(start, end)

    def clamp(self, start: datetime, end: datetime) -> HuntingWindow:
        """The part of [start, end) inside this window (empty, at its edge, if none)."""
        start = min(max(naive_utc(start), self.start), self.end)
        end = max(min(naive_utc(end), self.end), start)
        return HuntingWindow(start, end)


def _parse_timespan(text: str, now: datetime) -> tuple[datetime, datetime]:
    if not text:
        raise InvalidTimespan(text, "it is empty")
    parts = text.split("/")
    if len(parts) > 2:
        raise InvalidTimespan(text, "expected at most one '/'")
    if len(parts) == 1:
        if text[:1] in "Pp":
            return now - _duration(text, text), now
        return _instant(text, text), now
    first, second = parts
    if first[:1] in "Pp":
        if second[:1] in "Pp":
            raise InvalidTimespan(text, "a duration needs a start or an end")
        end = _instant(second, text)
        return end - _duration(first, text), end
    start = _instant(first, text)
    if second[:1] in "Pp":
        return start, start + _duration(second, text)
    return start, _instant(second, text)


def _duration(part: str, text: str) -> timedelta:
    match = _DURATION.fullmatch(part)
    if match is None or not any(match.groups()) or part.upper().endswith("T"):
        raise InvalidTimespan(text, f"'{part}' is not an ISO 8601 duration")
    seconds = sum(
        float(value.replace(",", ".")) * unit
        for value, unit in zip(match.groups(), _UNIT_SECONDS, strict=True)
        if value is not None
    )
    return timedelta(seconds=seconds)


def _instant(part: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(part)
    except ValueError:
        raise InvalidTimespan(text, f"'{part}' is not an ISO 8601 date and time") from None
    return naive_utc(moment)
