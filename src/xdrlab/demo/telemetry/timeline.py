"""When background activity happens: the 29 days before `now`, cut at midnight into one window
a day, with a working-hours rhythm (busier 08:00-18:00 on weekdays, quiet at night and on
weekends). Rows are shared out over the windows in proportion to their activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.demo.telemetry.rng import Stream

# One day short of the 30-day hunting window, so a freshly generated demo stays whole (every
# row visible to `T | count`) for a day instead of losing its oldest rows a minute later.
SPAN = timedelta(days=29)
_SLOT = timedelta(minutes=10)
_EPOCH = datetime(1970, 1, 1)


def naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _slot_weight(moment: datetime) -> int:
    weekend = moment.weekday() >= 5
    hour = moment.hour
    if 8 <= hour < 18:
        return 5 if weekend else 24
    if 7 <= hour < 8 or 18 <= hour < 22:
        return 4 if weekend else 9
    return 3


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime
    end: datetime
    slot_starts: tuple[int, ...]  # microseconds since the epoch
    slot_lengths: tuple[int, ...]
    slot_weights: tuple[int, ...]

    @property
    def weight(self) -> int:
        return sum(self.slot_weights)

    def times(self, stream: Stream, label: str = "time") -> pa.Array:
        """`stream.n` timestamps in this window, following its rhythm."""
        slot = stream.weighted(f"{label}/slot", list(self.slot_weights))
        start = pc.take(pa.array(self.slot_starts, pa.int64()), slot)
        length = pc.take(pa.array(self.slot_lengths, pa.float64()), slot)
        offset = pc.cast(pc.floor(pc.multiply(stream.unit(f"{label}/offset"), length)), pa.int64())
        return pc.cast(pc.add(start, offset), pa.timestamp("us"))


def windows(now: datetime) -> list[Window]:
    """One window per calendar day overlapping [now - SPAN, now)."""
    start = now - SPAN
    out = []
    day = start.date()
    while datetime.combine(day, datetime.min.time()) < now:
        midnight = datetime.combine(day, datetime.min.time())
        lo = max(start, midnight)
        hi = min(now, midnight + timedelta(days=1))
        starts: list[int] = []
        lengths: list[int] = []
        weights: list[int] = []
        cursor = midnight
        while cursor < hi:
            a = max(cursor, lo)
            b = min(cursor + _SLOT, hi)
            if b > a:
                length = micros(b) - micros(a)
                full = _SLOT // timedelta(microseconds=1)
                starts.append(micros(a))
                lengths.append(length)
                weights.append(max(1, round(_slot_weight(cursor) * length / full)))
            cursor += _SLOT
        if starts:
            out.append(Window(day, lo, hi, tuple(starts), tuple(lengths), tuple(weights)))
        day += timedelta(days=1)
    return out


def allocate(total: int, parts: list[Window]) -> list[int]:
    """Split `total` rows over windows by weight (largest remainder: the counts sum to total)."""
    weights = [w.weight for w in parts]
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(parts)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts
