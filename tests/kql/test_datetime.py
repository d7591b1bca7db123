"""Dates and times: literals, ago/now folding, bin, arithmetic, startofday."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.kql.conftest import NOW, Lake, ago


@pytest.fixture
def events(lake: Lake) -> Lake:
    lake.insert(
        "DeviceEvents",
        [
            {"Timestamp": datetime(2024, 4, 30, 23, 59, 59), "DeviceName": "a", "FileSize": 10},
            {"Timestamp": datetime(2024, 5, 1, 0, 0, 0), "DeviceName": "b", "FileSize": 20},
            {"Timestamp": datetime(2024, 5, 1, 0, 30, 0), "DeviceName": "c", "FileSize": 30},
            {"Timestamp": datetime(2024, 5, 1, 1, 15, 0), "DeviceName": "d", "FileSize": 40},
            {"Timestamp": ago(days=40), "DeviceName": "old", "FileSize": 50},
        ],
    )
    return lake


def test_ago_folds_to_a_timestamp_literal(events: Lake) -> None:
    r = events.run("DeviceEvents | where Timestamp > ago(30d) | project DeviceName")
    assert sorted(r.column("DeviceName")) == ["a", "b", "c", "d"]
    expected = (NOW - timedelta(days=30)).isoformat(sep=" ")
    assert f"\"Timestamp\" > CAST('{expected}' AS TIMESTAMP)" in r.sql


def test_now_and_arithmetic_are_folded(events: Lake) -> None:
    sql = events.compile("DeviceEvents | where Timestamp between (now(-2d) .. now())").tree.sql(
        dialect="duckdb"
    )
    assert (
        "BETWEEN CAST('2024-04-29 12:00:00' AS TIMESTAMP) AND CAST('2024-05-01 12:00:00' AS TIMESTAMP)"
        in sql
    )


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("datetime(2024-05-01)", datetime(2024, 5, 1)),
        ("datetime(2024-05-01 10:20)", datetime(2024, 5, 1, 10, 20)),
        ("datetime(2024-05-01T10:20:30Z)", datetime(2024, 5, 1, 10, 20, 30)),
        ("datetime(2024-05-01T10:20:30.1234567Z)", datetime(2024, 5, 1, 10, 20, 30, 123456)),
        ('datetime("2024-05-01 10:20:30")', datetime(2024, 5, 1, 10, 20, 30)),
        ("datetime(2024-05-01T12:00:00+02:00)", datetime(2024, 5, 1, 10, 0, 0)),
        ("todatetime('2024-05-01T10:20:30Z')", datetime(2024, 5, 1, 10, 20, 30)),
        ("datetime(2024-05-01) + 1d", datetime(2024, 5, 2)),
        ("datetime(2024-05-01) - 2h", datetime(2024, 4, 30, 22)),
        ("datetime(2024-05-01) + 30m + 10s + 100ms", datetime(2024, 5, 1, 0, 30, 10, 100000)),
        ("datetime(2024-05-01) + time(1.02:03:04)", datetime(2024, 5, 2, 2, 3, 4)),
        ("datetime(2024-05-01) + 1.5h", datetime(2024, 5, 1, 1, 30)),
        ("startofday(datetime(2024-05-01 17:45))", datetime(2024, 5, 1)),
        ("startofmonth(datetime(2024-05-17 17:45))", datetime(2024, 5, 1)),
        ("bin(datetime(2024-05-01 17:45), 1h)", datetime(2024, 5, 1, 17)),
        ("bin(datetime(2024-05-01 17:45), 1d)", datetime(2024, 5, 1)),
        ("ago(1d)", NOW - timedelta(days=1)),
        ("now()", NOW),
    ],
)
def test_datetime_values(lake: Lake, literal: str, expected: datetime) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": "x"}])
    r = lake.run(f"DeviceInfo | project v = {literal}")
    assert r.rows == [(expected,)]
    assert r.compiled.columns[0].type.value == "datetime"


def test_timespan_arithmetic(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": "x", "Timestamp": datetime(2024, 5, 1, 6)}])
    r = lake.run(
        "DeviceInfo | project d = Timestamp - datetime(2024-05-01), h = (Timestamp - datetime(2024-05-01)) / 1h,"
        " two = 2 * 1d, half = 1d / 2, late = Timestamp - datetime(2024-05-01) > 5h,"
        " s = tostring(Timestamp), ts = tostring(1d + 2h + 3s)"
    )
    row = r.dicts[0]
    assert row["d"] == timedelta(hours=6)
    assert row["h"] == 6.0
    assert row["two"] == timedelta(days=2)
    assert row["half"] == timedelta(hours=12)
    assert row["late"] is True
    assert row["s"] == "2024-05-01T06:00:00Z"
    assert row["ts"] == "1.02:00:03"
    types = [c.type.value for c in r.compiled.columns]
    assert types == ["timespan", "real", "timespan", "timespan", "bool", "string", "string"]


def test_bin_by_hour_and_day(events: Lake) -> None:
    r = events.run(
        "DeviceEvents | where Timestamp > ago(7d) | summarize n = count() by bin(Timestamp, 1h)"
        " | sort by Timestamp asc"
    )
    assert r.names == ["Timestamp", "n"]
    assert r.rows == [
        (datetime(2024, 4, 30, 23), 1),
        (datetime(2024, 5, 1, 0), 2),
        (datetime(2024, 5, 1, 1), 1),
    ]
    assert [c.type.value for c in r.compiled.columns] == ["datetime", "long"]
    r = events.run("DeviceEvents | summarize count() by Day = bin(Timestamp, 1d) | sort by Day asc")
    assert r.rows == [
        (datetime(2024, 3, 22), 1),
        (datetime(2024, 4, 30), 1),
        (datetime(2024, 5, 1), 3),
    ]


def test_bin_odd_sizes_count_from_year_one(lake: Lake) -> None:
    # Kusto floors ticks since 0001-01-01: 7-day bins start on Mondays, 7-hour bins on that grid
    lake.insert("DeviceInfo", [{"Timestamp": datetime(2024, 5, 1, 5, 0)}])
    r = lake.run(
        "DeviceInfo | project w = bin(Timestamp, 7d), h = bin(Timestamp, 7h), m = bin(Timestamp, 90m)"
    )
    epoch = datetime(1, 1, 1)
    ts = datetime(2024, 5, 1, 5, 0)

    def floor(span: timedelta) -> datetime:
        return epoch + (ts - epoch) // span * span

    assert r.rows == [
        (floor(timedelta(days=7)), floor(timedelta(hours=7)), floor(timedelta(minutes=90)))
    ]
    assert r.rows[0][0].weekday() == 0


def test_bin_numbers(lake: Lake) -> None:
    lake.insert("DeviceFileEvents", [{"FileSize": 1234}, {"FileSize": -7}])
    r = lake.run(
        "DeviceFileEvents | project b = bin(FileSize, 100), r = bin(todouble(FileSize), 2.5) | sort by b asc"
    )
    assert r.rows == [(-100, -7.5), (1200, 1232.5)]
    assert [c.type.value for c in r.compiled.columns] == ["long", "real"]


def test_bin_at(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"Timestamp": datetime(2024, 5, 1, 5, 0)}])
    r = lake.run("DeviceInfo | project b = bin_at(Timestamp, 1d, datetime(2024-04-01 06:00))")
    assert r.rows == [(datetime(2024, 4, 30, 6, 0),)]
