"""How the platform writes instants: ISO 8601 UTC with seven fractional digits and `Z`."""

from __future__ import annotations

from datetime import UTC, date, datetime


def iso7(value: datetime | date) -> str:
    """``2020-08-30T06:38:35.7664350Z``; naive values are UTC already. Times are kept at
    microsecond precision, so the seventh digit is always 0."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
