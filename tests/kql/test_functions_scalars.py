"""Date, math, conditional, conversion and IPv4 functions, with hand-written expected values.

Inputs sit in columns (`t` datetime, `n` long, `s` string) so the SQL path runs.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.kql.conftest import NOW, Lake

T0 = datetime(2024, 3, 5, 7, 8, 9, 123400)  # a Tuesday


def one(
    lake: Lake, expr: str, *, t: datetime | None = T0, n: int | None = 7, s: str = ""
) -> tuple[Any, str]:
    lake.insert("DeviceInfo", [{"Timestamp": t, "OSBuild": n, "DeviceName": s}])
    r = lake.run(
        f"DeviceInfo | extend t = Timestamp, n = OSBuild, s = DeviceName | project x = {expr}"
    )
    assert len(r.rows) == 1
    value = r.rows[0][0]
    kind = r.compiled.columns[0].type.value
    if kind == "dynamic" and value is not None:
        value = json.loads(value)
    return value, kind


DATES: list[tuple[str, Any, str]] = [
    ("startofday(t)", datetime(2024, 3, 5), "datetime"),
    ("startofday(t, -1)", datetime(2024, 3, 4), "datetime"),
    ("startofweek(t)", datetime(2024, 3, 3), "datetime"),  # the Sunday before
    ("startofweek(t, 1)", datetime(2024, 3, 10), "datetime"),
    ("startofmonth(t)", datetime(2024, 3, 1), "datetime"),
    ("startofmonth(t, 1)", datetime(2024, 4, 1), "datetime"),
    ("startofyear(t)", datetime(2024, 1, 1), "datetime"),
    ("endofday(t)", datetime(2024, 3, 5, 23, 59, 59, 999999), "datetime"),
    ("endofweek(t)", datetime(2024, 3, 9, 23, 59, 59, 999999), "datetime"),
    ("endofmonth(t)", datetime(2024, 3, 31, 23, 59, 59, 999999), "datetime"),
    ("endofmonth(datetime(2024-02-10))", datetime(2024, 2, 29, 23, 59, 59, 999999), "datetime"),
    ("endofyear(t)", datetime(2024, 12, 31, 23, 59, 59, 999999), "datetime"),
    ("dayofweek(t)", timedelta(days=2), "timespan"),
    ("dayofweek(startofweek(t))", timedelta(0), "timespan"),
    ("hourofday(t)", 7, "int"),
    ("dayofmonth(t)", 5, "int"),
    ("dayofyear(t)", 65, "int"),
    ("monthofyear(t)", 3, "int"),
    ("getmonth(t)", 3, "int"),
    ("getyear(t)", 2024, "long"),
    ("week_of_year(t)", 10, "int"),
    ("datetime_part('year', t)", 2024, "int"),
    ("datetime_part('Hour', t)", 7, "int"),
    ("datetime_part('millisecond', t)", 123, "int"),
    ("datetime_part('microsecond', t)", 123400, "int"),
    ("datetime_part('dayofyear', t)", 65, "int"),
    ("datetime_add('day', 1, t)", T0 + timedelta(days=1), "datetime"),
    ("datetime_add('month', -1, t)", datetime(2024, 2, 5, 7, 8, 9, 123400), "datetime"),
    ("datetime_add('quarter', 1, t)", datetime(2024, 6, 5, 7, 8, 9, 123400), "datetime"),
    ("datetime_add('week', 2, t)", T0 + timedelta(days=14), "datetime"),
    ("datetime_add('hour', n, t)", T0 + timedelta(hours=7), "datetime"),
    ("datetime_diff('day', t, datetime(2024-03-01 23:00))", 4, "long"),
    ("datetime_diff('year', datetime(2017-01-01), datetime(2000-12-31))", 17, "long"),
    ("datetime_diff('month', datetime(2017-07-31), datetime(2017-05-31))", 2, "long"),
    ("datetime_diff('hour', datetime(2017-10-31 01:00), datetime(2017-10-30 23:59))", 2, "long"),
    (
        "datetime_diff('minute', datetime(2017-10-30 23:05:01), datetime(2017-10-30 23:00:59))",
        5,
        "long",
    ),
    ("datetime_diff('week', datetime(2024-03-10), datetime(2024-03-09))", 1, "long"),
    ("datetime_diff('week', datetime(2024-03-09), datetime(2024-03-03))", 0, "long"),
    ("datetime_diff('millisecond', t, startofday(t))", 25689123, "long"),
    ("format_datetime(t, 'yyyy-MM-dd [HH:mm:ss]')", "2024-03-05 [07:08:09]", "string"),
    ("format_datetime(t, 'yy-M-d h:m:s tt')", "24-3-5 7:8:9 AM", "string"),
    ("format_datetime(t, 'y')", "24", "string"),
    ("format_datetime(t, 'HH:mm:ss.fffffff')", "07:08:09.1234000", "string"),
    ("format_datetime(t, 'ss.FFFFFFF')", "09.1234", "string"),
    ("format_datetime(t, 'MM/dd/yyyy HH:mm')", "03/05/2024 07:08", "string"),
    ("format_datetime(datetime(2024-03-05 15:00), 'hh tt')", "03 PM", "string"),
    ("format_timespan(1d + 2h + 3m + 4s + 5ms, 'd.hh:mm:ss.fff')", "1.02:03:04.005", "string"),
    ("format_timespan(t - startofday(t), 'hh:mm:ss')", "07:08:09", "string"),
    ("format_timespan(-90m, 'h:mm')", "-1:30", "string"),
    ("format_timespan(36h, 'dd.hh')", "01.12", "string"),
    ("unixtime_seconds_todatetime(1546300800)", datetime(2019, 1, 1), "datetime"),
    (
        "unixtime_seconds_todatetime(1546300800.5)",
        datetime(2019, 1, 1, 0, 0, 0, 500000),
        "datetime",
    ),
    (
        "unixtime_milliseconds_todatetime(1546300800123)",
        datetime(2019, 1, 1, 0, 0, 0, 123000),
        "datetime",
    ),
    (
        "unixtime_microseconds_todatetime(1546300800000001)",
        datetime(2019, 1, 1, 0, 0, 0, 1),
        "datetime",
    ),
    (
        "unixtime_nanoseconds_todatetime(1546300800000001000)",
        datetime(2019, 1, 1, 0, 0, 0, 1),
        "datetime",
    ),
    ("todatetime('2024-01-02 03:04:05')", datetime(2024, 1, 2, 3, 4, 5), "datetime"),
    ("make_datetime(2017, 10, 1)", datetime(2017, 10, 1), "datetime"),
    ("make_datetime(2017, 10, 1, 12, 10)", datetime(2017, 10, 1, 12, 10), "datetime"),
    (
        "make_datetime(2017, 10, 1, 12, 11, 0.5)",
        datetime(2017, 10, 1, 12, 11, 0, 500000),
        "datetime",
    ),
    ("make_datetime(2017, 13, 1)", None, "datetime"),
    ("make_timespan(8, 15)", timedelta(hours=8, minutes=15), "timespan"),
    (
        "make_timespan(1, 12, 30, 55.2)",
        timedelta(days=1, hours=12, minutes=30, seconds=55.2),
        "timespan",
    ),
    ("todatetime(s)", None, "datetime"),
    ("totimespan('1.02:03:04')", timedelta(days=1, hours=2, minutes=3, seconds=4), "timespan"),
    ("ago(1d) == now(-1d)", True, "bool"),
    ("now()", NOW, "datetime"),
    ("bin(t, 1h)", datetime(2024, 3, 5, 7), "datetime"),
    ("floor(t, 1d)", datetime(2024, 3, 5), "datetime"),
    ("bin(n, 5)", 5, "long"),
]


@pytest.mark.parametrize(("expr", "expected", "kind"), DATES, ids=[c[0] for c in DATES])
def test_date_function(lake: Lake, expr: str, expected: Any, kind: str) -> None:
    assert one(lake, expr) == (expected, kind)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("startofday(t)", (None, "datetime")),
        ("format_datetime(t, 'yyyy')", ("", "string")),
        ("datetime_diff('day', t, now())", (None, "long")),
        ("dayofweek(t)", (None, "timespan")),
        ("tostring(t)", ("", "string")),
    ],
)
def test_null_datetimes_give_null_or_empty(lake: Lake, expr: str, expected: Any) -> None:
    assert one(lake, expr, t=None) == expected


MATH: list[tuple[str, Any, str]] = [
    ("abs(-n)", 7, "long"),
    ("abs(-2.5)", 2.5, "real"),  # a float, not DuckDB's DECIMAL
    ("2.5 * 2", 5.0, "real"),
    ("abs(-1h)", timedelta(hours=1), "timespan"),
    ("round(2.5)", 3.0, "real"),
    ("round(-2.5)", -3.0, "real"),
    ("round(1.2345, 2)", 1.23, "real"),
    ("round(n / 2.0)", 4.0, "real"),
    ("ceiling(1.2)", 2.0, "real"),
    ("ceiling(n)", 7, "long"),
    ("sqrt(16)", 4.0, "real"),
    ("sqrt(-1)", None, "real"),
    ("log(1)", 0.0, "real"),
    ("log(-n)", None, "real"),
    ("log(0)", -math.inf, "real"),
    ("log10(1000)", 3.0, "real"),
    ("log2(8)", 3.0, "real"),
    ("exp(0)", 1.0, "real"),
    ("exp2(n)", 128.0, "real"),
    ("exp10(2)", 100.0, "real"),
    ("pow(2, 10)", 1024.0, "real"),
    ("sign(-n)", -1, "long"),
    ("sign(0.0)", 0.0, "real"),
    ("pi() > 3.14 and pi() < 3.15", True, "bool"),
    ("isnan(todouble('NaN'))", True, "bool"),
    ("isnan(1.0)", False, "bool"),
    ("isinf(log(0))", True, "bool"),
    ("isfinite(2.0)", True, "bool"),
    ("binary_and(n, 3)", 3, "long"),
    ("binary_or(n, 8)", 15, "long"),
    ("binary_xor(n, 5)", 2, "long"),
    ("binary_not(n)", -8, "long"),
    ("binary_shift_left(n, 2)", 28, "long"),
    ("binary_shift_right(n, 1)", 3, "long"),
    ("n / 2", 3, "long"),  # integer division
    ("-n / 2", -3, "long"),
    ("n % 4", 3, "long"),
    ("rand() < 1.0", True, "bool"),
    ("rand(10) between (0 .. 9)", True, "bool"),
    ("strlen(tostring(new_guid()))", 36, "long"),
    ("degrees(pi())", 180.0, "real"),
    ("cos(0)", 1.0, "real"),
]


@pytest.mark.parametrize(("expr", "expected", "kind"), MATH, ids=[c[0] for c in MATH])
def test_math_function(lake: Lake, expr: str, expected: Any, kind: str) -> None:
    assert one(lake, expr) == (expected, kind)


CONDITIONAL: list[tuple[str, Any, str]] = [
    ("iff(n > 5, 'big', 'small')", "big", "string"),
    ("iif(n > 50, 'big', 'small')", "small", "string"),
    ("iff(n > 5, 1, 2.5)", 1.0, "real"),
    ("iff(isnull(tobool(s)), 'null', 'set')", "null", "string"),
    ("iff(tobool(s), 1, 2)", 2, "long"),  # a null condition takes the else branch
    ('iff(n > 5, s, parse_json(\'{"a":"x"}\').a)', "", "string"),
    ("case(n < 5, 'low', n < 10, 'mid', 'high')", "mid", "string"),
    ("case(n > 50, 1, 0)", 0, "long"),
    ("coalesce(s, 'fallback')", "fallback", "string"),
    ("coalesce(toint(s), n, 1)", 7, "long"),
    ("coalesce(todouble(s), 2)", 2.0, "real"),
    ("isnull(toint(s))", True, "bool"),
    ("isnull(s)", False, "bool"),  # strings are never null
    ("isnotnull(n)", True, "bool"),
    ("isempty(s)", True, "bool"),
    ("isnotempty(s)", False, "bool"),
    ("isempty(toint(s))", True, "bool"),
    ("isempty(n)", False, "bool"),
    ("not(n > 5)", False, "bool"),
    ("max_of(n, 9, 3)", 9, "long"),
    ("min_of(n, 9, 3)", 3, "long"),
    ("max_of(2.5, n)", 7.0, "real"),
    ("max_of(toint(s), 3)", 3, "long"),  # nulls ignored
    ("max_of(t, datetime(2030-01-01))", datetime(2030, 1, 1), "datetime"),
]


@pytest.mark.parametrize(("expr", "expected", "kind"), CONDITIONAL, ids=[c[0] for c in CONDITIONAL])
def test_conditional_function(lake: Lake, expr: str, expected: Any, kind: str) -> None:
    assert one(lake, expr) == (expected, kind)


CONVERSION: list[tuple[str, str, Any, str]] = [
    ("tostring(n)", "", "7", "string"),
    ("tostring(toint(s))", "", "", "string"),
    ("tostring(t)", "", "2024-03-05T07:08:09.1234000Z", "string"),
    ("tostring(1h)", "", "01:00:00", "string"),
    ("tostring(2.5)", "", "2.5", "string"),
    ("tostring(true)", "", "true", "string"),
    ("toint(s)", "x", None, "int"),
    ("toint(s)", "12", 12, "int"),
    ("toint(s)", "3000000000", None, "int"),  # out of range
    ("toint('3000000000')", "", None, "int"),  # the same when folded
    ("tolong('1e30')", "", None, "long"),
    ("toint(s)", " 1.7 ", 1, "int"),
    ("tolong(s)", "9007199254740993", 9007199254740993, "long"),
    ("todouble(s)", "1e3", 1000.0, "real"),
    ("toreal(s)", "abc", None, "real"),
    ("tobool(s)", "true", True, "bool"),
    ("tobool(s)", "FALSE", False, "bool"),
    ("tobool(s)", "yes", None, "bool"),
    ("tobool(n)", "", True, "bool"),
    ("tobool(parse_json(s))", "0", False, "bool"),
    ("tobool(parse_json(s))", "true", True, "bool"),
    ("tobool(parse_json(s))", '"x"', None, "bool"),
    ("tohex(n * 40)", "", "118", "string"),
    ("tohex(-546)", "", "fffffffffffffdde", "string"),
    ("tohex(n, 4)", "", "0007", "string"),
    ("toguid(s)", "AB-CD", "ab-cd", "guid"),
]


@pytest.mark.parametrize(
    ("expr", "s", "expected", "kind"), CONVERSION, ids=[f"{c[0]}:{c[1]}" for c in CONVERSION]
)
def test_conversion_function(lake: Lake, expr: str, s: str, expected: Any, kind: str) -> None:
    assert one(lake, expr, s=s) == (expected, kind)


IPV4: list[tuple[str, str, Any, str]] = [
    ("parse_ipv4(s)", "127.0.0.1", 2130706433, "long"),
    ("parse_ipv4(s)", "192.1.168.1/24", 3221334016, "long"),
    ("parse_ipv4(s)", "192.1.168.300", None, "long"),
    ("parse_ipv4(s)", "", None, "long"),
    ("ipv4_is_private(s)", "10.1.2.3", True, "bool"),
    ("ipv4_is_private(s)", "172.16.0.1", True, "bool"),
    ("ipv4_is_private(s)", "172.32.0.1", False, "bool"),
    ("ipv4_is_private(s)", "192.168.10.1/24", True, "bool"),
    ("ipv4_is_private(s)", "8.8.8.8", False, "bool"),
    ("ipv4_is_private(s)", "not an ip", None, "bool"),
    ("ipv4_is_in_range(s, '10.0.0.0/8')", "10.1.2.3", True, "bool"),
    ("ipv4_is_in_range(s, '10.0.0.0/8')", "11.1.2.3", False, "bool"),
    ("ipv4_is_in_range(s, '192.168.1.1')", "192.168.1.1", True, "bool"),
    ("ipv4_is_in_range(s, '192.168.1.0/31')", "192.168.1.1", True, "bool"),
    ("ipv4_is_in_range(s, '10.0.0.0/8')", "", None, "bool"),
    ("ipv4_is_in_any_range(s, '1.0.0.0/8', dynamic(['10.0.0.0/8']))", "10.9.9.9", True, "bool"),
    ("ipv4_is_in_any_range(s, dynamic(['1.0.0.0/8', '2.0.0.0/8']))", "10.9.9.9", False, "bool"),
    ("ipv4_is_match(s, '192.168.1.255/24')", "192.168.1.1", True, "bool"),
    ("ipv4_is_match(s, '192.168.1.255', 24)", "192.168.1.1", True, "bool"),
    ("ipv4_is_match(s, '192.168.1.255')", "192.168.1.1", False, "bool"),
    ("ipv4_compare(s, '127.0.0.2')", "127.0.0.1", -1, "int"),
    ("ipv4_compare(s, '127.0.0.1')", "127.0.0.1", 0, "int"),
    ("ipv4_compare(s, '127.0.0.0', 24)", "127.0.0.1", 0, "int"),
    ("ipv4_compare(s, '127.0.0.1')", "127.0.0.2", 1, "int"),
    ("ipv4_netmask_suffix(s)", "10.0.0.0/12", 12, "int"),
    ("format_ipv4(parse_ipv4(s))", "10.1.2.3", "10.1.2.3", "string"),
    ("format_ipv4(s, 24)", "192.168.1.255", "192.168.1.0", "string"),
    ("format_ipv4(s)", "bad", "", "string"),
]


@pytest.mark.parametrize(
    ("expr", "s", "expected", "kind"), IPV4, ids=[f"{c[0]}:{c[1]}" for c in IPV4]
)
def test_ipv4_function(lake: Lake, expr: str, s: str, expected: Any, kind: str) -> None:
    assert one(lake, expr, s=s) == (expected, kind)
