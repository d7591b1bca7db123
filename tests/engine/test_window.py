"""Graph's `Timespan`: every ISO 8601 form it documents, clamped to the last 30 days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.engine.conftest import NOW
from xdrlab.engine import HuntingWindow, InvalidTimespan

MONTH_AGO = NOW - timedelta(days=30)


def window(text: str | None) -> tuple[datetime, datetime]:
    parsed = HuntingWindow.parse(text, now=NOW)
    return parsed.start, parsed.end


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        (None, MONTH_AGO, NOW),
        ("P30D", MONTH_AGO, NOW),
        ("P1D", NOW - timedelta(days=1), NOW),
        ("P1DT2H", NOW - timedelta(days=1, hours=2), NOW),
        ("PT12H30M15.5S", NOW - timedelta(hours=12, minutes=30, seconds=15.5), NOW),
        ("P2W", NOW - timedelta(days=14), NOW),
        ("p1d", NOW - timedelta(days=1), NOW),
        ("P90D", MONTH_AGO, NOW),  # clamped to 30 days
        ("P1Y", MONTH_AGO, NOW),
        # start/end
        (
            "2024-06-10T00:00:00Z/2024-06-11T06:00:00Z",
            datetime(2024, 6, 10),
            datetime(2024, 6, 11, 6),
        ),
        (
            "2024-06-10T02:00:00+02:00/2024-06-11",
            datetime(2024, 6, 10),
            datetime(2024, 6, 11),
        ),
        (
            "2024-06-10T00:00:00.1234567Z/2024-06-11",
            datetime(2024, 6, 10, 0, 0, 0, 123456),
            datetime(2024, 6, 11),
        ),
        # duration/end
        ("P2D/2024-06-12T00:00:00Z", datetime(2024, 6, 10), datetime(2024, 6, 12)),
        # start/duration
        ("2024-06-10T00:00:00Z/PT6H", datetime(2024, 6, 10), datetime(2024, 6, 10, 6)),
        # single start
        ("2024-06-14T00:00:00Z", datetime(2024, 6, 14), NOW),
        # clamping at both ends
        ("2024-01-01T00:00:00Z/2025-01-01T00:00:00Z", MONTH_AGO, NOW),
        ("2024-06-14T00:00:00Z/P10D", datetime(2024, 6, 14), NOW),
    ],
)
def test_timespan_forms(text: str | None, start: datetime, end: datetime) -> None:
    assert window(text) == (start, end)


def test_a_timespan_wholly_outside_retention_is_an_empty_window() -> None:
    parsed = HuntingWindow.parse("2023-01-01T00:00:00Z/2023-02-01T00:00:00Z", now=NOW)
    assert parsed.is_empty
    assert parsed.start == parsed.end == MONTH_AGO


def test_lookback_is_configurable() -> None:
    parsed = HuntingWindow.parse("P90D", now=NOW, lookback=timedelta(days=60))
    assert parsed.start == NOW - timedelta(days=60)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "30 days",
        "P",
        "PT",
        "P1DT",
        "P-1D",
        "-P1D",
        "PXD",
        "P1D/P2D",
        "2024-06-10/2024-06-11/2024-06-12",
        "2024-13-01T00:00:00Z",
        "yesterday/now",
        "2024-06-11T00:00:00Z/2024-06-10T00:00:00Z",
        "P99999999D",
        "P1D/0001-01-01T00:00:00Z",
    ],
)
def test_invalid_timespans(text: str) -> None:
    with pytest.raises(InvalidTimespan) as caught:
        HuntingWindow.parse(text, now=NOW)
    assert caught.value.code == "InvalidTimespan"
    assert caught.value.message.startswith(f"Invalid Timespan '{text}': ")
