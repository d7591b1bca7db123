"""A datetime text that is only a time of day is that time today (UTC)."""

from __future__ import annotations

from datetime import datetime

from tests.kql.conftest import Lake


def test_time_only_datetime_is_today(lake: Lake) -> None:
    lake.insert(
        "DeviceLogonEvents",
        [
            {"Timestamp": datetime(2024, 5, 1, 7, 0), "AccountName": "early"},
            {"Timestamp": datetime(2024, 5, 1, 9, 30), "AccountName": "office"},
            {"Timestamp": datetime(2024, 4, 30, 9, 30), "AccountName": "yesterday"},
        ],
    )
    r = lake.run(
        'let StartTime = datetime("8:00:00 AM"); let EndTime = todatetime("5:00:00 PM");'
        " DeviceLogonEvents | where Timestamp between (StartTime .. EndTime)"
        " | project AccountName, StartTime, EndTime"
    )
    assert r.rows == [("office", datetime(2024, 5, 1, 8, 0), datetime(2024, 5, 1, 17, 0))]
    r = lake.run("DeviceLogonEvents | take 1 | project t = datetime(17:30)")
    assert r.rows == [(datetime(2024, 5, 1, 17, 30),)]
