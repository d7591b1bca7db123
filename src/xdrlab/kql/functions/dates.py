"""Date and time functions: ago, now, bin/floor, bin_at, startofday, ..."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import case, dynamic_scalar_text
from xdrlab.kql.binder.types import (
    INTEGER,
    NUMERIC,
    T,
    Typed,
    cast,
    constant,
    fn,
    interval_literal,
    interval_micros,
    micros_interval,
    number,
    string,
    timestamp_literal,
    try_cast,
)
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n
from xdrlab.lake.schema import KustoType

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

_EPOCH = datetime(1, 1, 1)  # Kusto bins datetimes by ticks since 0001-01-01
_WEEK_US = 7 * 86_400_000_000
_US = timedelta(microseconds=1)


def _span(b: Binder, call: n.Call, v: Typed, index: int) -> int:
    if v.type is not T.TIMESPAN:
        raise diag.argument_type(
            b.op, call.name, index + 1, "timespan", v.type.value, call.args[index].pos
        )
    if not (v.is_constant and isinstance(v.value, int)):
        raise diag.expected_constant(b.op, f"The bin size of '{call.name}'", call.args[index].pos)
    return v.value


def _shift(dt: datetime, micros: int) -> datetime | None:
    try:
        return dt + _US * micros
    except OverflowError:
        return None


@register(
    "now",
    sig="[offset: const timespan]",
    returns="datetime",
    doc="The query's current time (fixed for the whole query), plus an offset.",
)
def now(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    offset = _span(b, call, args[0], 0) if args else 0
    return constant(T.DATETIME, _shift(b.env.now, offset))


@register(
    "ago",
    sig="timespan: timespan",
    returns="datetime",
    doc="The query's current time minus the timespan.",
)
def ago(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is not T.TIMESPAN:
        raise diag.argument_type(b.op, "ago", 1, "timespan", v.type.value, call.args[0].pos)
    if v.is_constant and isinstance(v.value, int):
        return constant(T.DATETIME, _shift(b.env.now, -v.value))
    return Typed(exp.Sub(this=timestamp_literal(b.env.now), expression=v.sql), T.DATETIME)


def bin_datetime(value: Typed, span: int, origin: datetime) -> Typed:
    if span <= 0:
        return constant(T.DATETIME, None)
    if isinstance(value.value, datetime):
        ticks = (value.value - origin) // _US
        return constant(T.DATETIME, _shift(origin, ticks // span * span))
    width = interval_literal(span)
    if origin == _EPOCH and _WEEK_US % span == 0:
        # DuckDB's default origin (2000-01-03) is a whole number of weeks after 0001-01-01
        return Typed(fn("time_bucket", width, value.sql), T.DATETIME)
    # an origin congruent to `origin` modulo the span, near the data, keeps the arithmetic small
    near = datetime(2000, 1, 1)
    steps = ((near - origin) // _US) // span
    anchor = _shift(origin, steps * span) or origin
    return Typed(fn("time_bucket", width, value.sql, timestamp_literal(anchor)), T.DATETIME)


def _bin_number(value: Typed, size: Typed, origin: Typed | None) -> Typed:
    result = (
        T.REAL
        if T.REAL in (value.type, size.type) or T.DECIMAL in (value.type, size.type)
        else value.type
    )
    if value.type is T.DYNAMIC:
        result = T.REAL
    shifted = value.sql if origin is None else exp.Sub(this=value.sql, expression=origin.sql)
    floored: exp.Expr = exp.Mul(
        this=fn("floor", exp.Div(this=cast(shifted, T.REAL), expression=size.sql)),
        expression=size.sql.copy(),
    )
    if origin is not None:
        floored = exp.Add(this=floored, expression=origin.sql.copy())
    return Typed(cast(floored, result), result)


def _bin_timespan(value: Typed, span: int) -> Typed:
    micros = interval_micros(value.sql)
    floored = exp.Mul(
        this=cast(fn("floor", exp.Div(this=cast(micros, T.REAL), expression=number(span))), T.LONG),
        expression=number(span),
    )
    return Typed(micros_interval(floored), T.TIMESPAN)


@register(
    "bin",
    "floor",
    sig="value: real|datetime|timespan, roundTo: real|timespan",
    returns="the type of value",
    doc="The value rounded down to a multiple of roundTo (datetimes: from 0001-01-01).",
    name_kind="first",
)
def bin_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value, size = args
    if value.type is T.DATETIME:
        return bin_datetime(value, _span(b, call, size, 1), _EPOCH)
    if value.type is T.TIMESPAN:
        return _bin_timespan(value, _span(b, call, size, 1))
    if value.type in NUMERIC or value.type is T.DYNAMIC:
        if size.type not in NUMERIC:
            raise diag.argument_type(b.op, call.name, 2, "real", size.type.value, call.args[1].pos)
        if (
            size.is_constant
            and isinstance(value.value, int | float)
            and isinstance(size.value, int | float)
            and size.value > 0
        ):
            floored = (value.value // size.value) * size.value
            return constant(value.type, int(floored) if value.type in INTEGER else float(floored))
        return _bin_number(value, size, None)
    raise diag.argument_type(b.op, call.name, 1, "datetime", value.type.value, call.args[0].pos)


@register(
    "bin_at",
    sig="value: real|datetime|timespan, bin_size: real|timespan, fixed_point: real|datetime|timespan",
    returns="the type of value",
    doc="The value rounded down to a multiple of bin_size, aligned on fixed_point.",
    name_kind="first",
)
def bin_at(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value, size, fixed = args
    if value.type is T.DATETIME:
        if not (fixed.is_constant and isinstance(fixed.value, datetime)):
            raise diag.expected_constant(b.op, "The fixed point of 'bin_at'", call.args[2].pos)
        return bin_datetime(value, _span(b, call, size, 1), fixed.value)
    if value.type in NUMERIC:
        for index, other in ((1, size), (2, fixed)):  # a number bins by numbers only
            if other.type not in NUMERIC and other.value is not None:
                raise diag.argument_type(
                    b.op, call.name, index + 1, "real", other.type.value, call.args[index].pos
                )
        return _bin_number(value, size, fixed)
    raise diag.argument_type(b.op, call.name, 1, "datetime", value.type.value, call.args[0].pos)


def _datetime_arg(b: Binder, call: n.Call, v: Typed, index: int = 0) -> Typed:
    if v.type is T.DYNAMIC:
        return Typed(try_cast(dynamic_scalar_text(v.sql), T.DATETIME), T.DATETIME)
    if v.type is not T.DATETIME:
        raise diag.argument_type(
            b.op, call.name, index + 1, "datetime", v.type.value, call.args[index].pos
        )
    return v


def _truncate(unit: str, sql: exp.Expr) -> exp.Expr:
    if unit == "week":  # Kusto's weeks start on Sunday
        day = fn("date_trunc", string("day"), sql)
        back = exp.Interval(
            this=cast(fn("dayofweek", sql.copy()), T.STRING), unit=exp.Var(this="DAY")
        )
        return cast(exp.Sub(this=day, expression=back), T.DATETIME)
    return cast(fn("date_trunc", string(unit), sql), T.DATETIME)


def _offset_step(unit: str, offset: int) -> exp.Expr:
    if unit == "week":
        return exp.Interval(this=string(str(7 * offset)), unit=exp.Var(this="DAY"))
    return exp.Interval(this=string(str(offset)), unit=exp.Var(this=unit.upper()))


def _start(b: Binder, call: n.Call, args: list[Typed], unit: str) -> Typed:
    v = _datetime_arg(b, call, args[0])
    start = _truncate(unit, v.sql)
    if len(args) == 2:
        offset = args[1]
        if not (offset.is_constant and isinstance(offset.value, int)):
            raise diag.expected_constant(b.op, "The offset", call.args[1].pos)
        start = cast(exp.Add(this=start, expression=_offset_step(unit, offset.value)), T.DATETIME)
    elif isinstance(v.value, datetime) and unit != "week":
        dt = v.value
        if unit == "day":
            return constant(T.DATETIME, datetime(dt.year, dt.month, dt.day))
        if unit == "month":
            return constant(T.DATETIME, datetime(dt.year, dt.month, 1))
        return constant(T.DATETIME, datetime(dt.year, 1, 1))
    return Typed(start, T.DATETIME)


def _end(b: Binder, call: n.Call, args: list[Typed], unit: str) -> Typed:
    start = _start(b, call, args, unit)
    following = exp.Add(this=start.sql, expression=_offset_step(unit, 1))
    one_tick_short = exp.Sub(this=following, expression=interval_literal(1))
    return Typed(cast(one_tick_short, T.DATETIME), T.DATETIME)


def _register_period(unit: str) -> None:
    def start(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        return _start(b, call, args, unit)

    def end(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        return _end(b, call, args, unit)

    first = "Sunday of the week" if unit == "week" else f"first instant of the {unit}"
    register(
        f"startof{unit}",
        sig="date: datetime, [offset: const long]",
        returns="datetime",
        doc=f"The {first} holding the date, shifted by offset {unit}s.",
        name_kind="first",
    )(start)
    register(
        f"endof{unit}",
        sig="date: datetime, [offset: const long]",
        returns="datetime",
        doc=f"The last instant (one microsecond before the next) of the {unit} holding the date.",
        name_kind="first",
    )(end)


for _unit in ("day", "week", "month", "year"):
    _register_period(_unit)


def _part_function(name: str, sql_part: str, what: str, result: KustoType = T.INT) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        v = _datetime_arg(b, call, args[0])
        return Typed(cast(fn(sql_part, v.sql), result), result)

    register(name, sig="date: datetime", returns=result.value, doc=f"The {what} of the date.")(impl)


_part_function("hourofday", "hour", "hour (0-23)")
_part_function("dayofmonth", "day", "day of the month (1-31)")
_part_function("dayofyear", "dayofyear", "day of the year (1-366)")
_part_function("monthofyear", "month", "month (1-12)")
_part_function("getmonth", "month", "month (1-12)")
_part_function("getyear", "year", "year", T.LONG)
_part_function("week_of_year", "weekofyear", "ISO 8601 week number")


@register(
    "dayofweek",
    sig="date: datetime",
    returns="timespan",
    doc="The whole days since the preceding Sunday, as a timespan (Sunday = 0d).",
)
def dayofweek(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _datetime_arg(b, call, args[0])
    days = fn("dayofweek", v.sql)  # Sunday = 0, as Kusto counts
    return Typed(
        micros_interval(exp.Mul(this=cast(days, T.LONG), expression=number(86_400_000_000))),
        T.TIMESPAN,
    )


# Kusto's part names (lower case) → DuckDB's, and the multiplier to get Kusto's unit from it
_PARTS: dict[str, tuple[str, int]] = {
    "year": ("year", 1),
    "quarter": ("quarter", 1),
    "month": ("month", 1),
    "week": ("week", 1),
    "day": ("day", 1),
    "hour": ("hour", 1),
    "minute": ("minute", 1),
    "second": ("second", 1),
    "millisecond": ("millisecond", 1),
    "microsecond": ("microsecond", 1),
    "nanosecond": ("microsecond", 1000),
}
_PART_ALIASES = {"yy": "year", "mm": "month", "dd": "day", "hh": "hour", "ms": "millisecond"}


def _part(b: Binder, call: n.Call, v: Typed, index: int) -> tuple[str, int]:
    text = v.value.lower() if v.is_constant and isinstance(v.value, str) else None
    text = _PART_ALIASES.get(text or "", text)
    if text not in _PARTS:
        raise diag.expected_constant(
            b.op, f"The part of '{call.name}' (year, month, day, ...)", call.args[index].pos
        )
    return _PARTS[text]


@register(
    "datetime_add",
    sig="part: const string, amount: long, date: datetime",
    returns="datetime",
    doc="The date plus amount periods of the part (year, quarter, month, week, day, ...).",
)
def datetime_add(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    part, amount, value = args
    unit, scale = _part(b, call, part, 0)
    value = _datetime_arg(b, call, value, 2)
    count: exp.Expr = (
        amount.sql
        if amount.type is not T.DYNAMIC
        else try_cast(dynamic_scalar_text(amount.sql), T.LONG)
    )
    if unit == "quarter":
        unit, count = "month", exp.Mul(this=count, expression=number(3))
    elif unit == "week":
        unit, count = "day", exp.Mul(this=count, expression=number(7))
    if scale != 1:  # nanoseconds: whole microseconds only
        count = exp.IntDiv(this=count, expression=number(scale))
    step = exp.Interval(this=cast(count, T.STRING), unit=exp.Var(this=unit.upper()))
    return Typed(cast(exp.Add(this=value.sql, expression=step), T.DATETIME), T.DATETIME)


@register(
    "datetime_diff",
    sig="part: const string, datetime1: datetime, datetime2: datetime",
    returns="long",
    doc="How many part boundaries lie between datetime2 and datetime1 (datetime1 - datetime2).",
)
def datetime_diff(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    unit, scale = _part(b, call, args[0], 0)
    first = _datetime_arg(b, call, args[1], 1)
    second = _datetime_arg(b, call, args[2], 2)
    diff: exp.Expr = fn("date_diff", string(unit), second.sql, first.sql)
    if unit == "week":  # Kusto's weeks start on Sunday: count Sundays crossed
        diff = exp.IntDiv(
            this=fn(
                "date_diff",
                string("day"),
                _truncate("week", second.sql.copy()),
                _truncate("week", first.sql.copy()),
            ),
            expression=number(7),
        )
    if scale != 1:
        diff = exp.Mul(this=diff, expression=number(scale))
    return Typed(cast(diff, T.LONG), T.LONG)


@register(
    "datetime_part",
    sig="part: const string, date: datetime",
    returns="int",
    doc="One part of the date: year, quarter, month, week_of_year, day, dayofyear, hour, ...",
)
def datetime_part(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    text = args[0].value.lower() if args[0].is_constant and isinstance(args[0].value, str) else ""
    special = {"week_of_year": "weekofyear", "dayofyear": "dayofyear", "week": "weekofyear"}
    v = _datetime_arg(b, call, args[1], 1)
    if text in special:
        return Typed(cast(fn(special[text], v.sql), T.INT), T.INT)
    unit, scale = _part(b, call, args[0], 0)
    if unit in ("millisecond", "microsecond"):  # the part below the second only
        value: exp.Expr = exp.Mod(
            this=fn(unit, v.sql), expression=number(1000 if unit == "millisecond" else 1_000_000)
        )
    else:
        value = fn(unit, v.sql)
    if scale != 1:
        value = exp.Mul(this=value, expression=number(scale))
    return Typed(cast(value, T.INT), T.INT)


def _unixtime(name: str, per_second: int, what: str) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        v = args[0]
        value = v.sql if v.type is not T.DYNAMIC else try_cast(dynamic_scalar_text(v.sql), T.REAL)
        if per_second >= 1_000_000:
            micros: exp.Expr = exp.IntDiv(
                this=cast(value, T.LONG), expression=number(per_second // 1_000_000)
            )
        else:
            micros = exp.Mul(this=cast(value, T.REAL), expression=number(1_000_000 // per_second))
        return Typed(fn("make_timestamp", cast(micros, T.LONG)), T.DATETIME)

    register(
        name,
        sig=f"{what}: real",
        returns="datetime",
        doc=f"The datetime {what} after 1970-01-01 UTC.",
    )(impl)


_unixtime("unixtime_seconds_todatetime", 1, "seconds")
_unixtime("unixtime_milliseconds_todatetime", 1_000, "milliseconds")
_unixtime("unixtime_microseconds_todatetime", 1_000_000, "microseconds")
_unixtime("unixtime_nanoseconds_todatetime", 1_000_000_000, "nanoseconds")


# --- formatting -----------------------------------------------------------------------------

_FORMAT_TOKEN = re.compile(r"d+|f+|F+|h+|H+|m+|M+|s+|y+|t+")
_SEPARATORS = set(" /-:,._[]")


def _fraction(micros: exp.Expr, count: int, trim: bool) -> exp.Expr:
    """The first `count` digits of the seconds' fraction (seven digits = 100ns ticks)."""
    digits = exp.DPipe(
        this=fn("lpad", cast(micros, T.STRING), number(6), string("0")),
        expression=string("0"),
    )
    text: exp.Expr = exp.Substring(this=digits, start=number(1), length=number(min(count, 7)))
    if trim:
        text = fn("rtrim", text, string("0"))
    return text


def _padded(value: exp.Expr, width: int) -> exp.Expr:
    text = cast(value, T.STRING)
    return fn("lpad", text, number(width), string("0")) if width > 1 else text


def _format_pieces(
    b: Binder, call: n.Call, pattern: str, token: Callable[[str], exp.Expr | None]
) -> list[exp.Expr]:
    pieces: list[exp.Expr] = []
    i = 0
    while i < len(pattern):
        m = _FORMAT_TOKEN.match(pattern, i)
        if m:
            sql = token(m.group())
            if sql is None:
                raise diag.argument_type(
                    b.op, call.name, 2, "a supported format", repr(m.group()), call.args[1].pos
                )
            pieces.append(sql)
            i = m.end()
            continue
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            pieces.append(string(pattern[i + 1]))
            i += 2
            continue
        if ch in ("'", '"'):
            end = pattern.find(ch, i + 1)
            end = len(pattern) if end < 0 else end
            pieces.append(string(pattern[i + 1 : end]))
            i = end + 1
            continue
        pieces.append(string(ch))
        i += 1
    return pieces


@register(
    "format_datetime",
    sig="date: datetime, format: const string",
    returns="string",
    doc="The date formatted with .NET-style specifiers (yyyy, MM, dd, HH, mm, ss, fff, tt, ...).",
)
def format_datetime(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _datetime_arg(b, call, args[0])
    pattern = args[1].value
    assert isinstance(pattern, str)
    sql = v.sql

    def token(t: str) -> exp.Expr | None:
        kind, width = t[0], len(t)
        if kind == "y":
            if width == 1:
                return cast(exp.Mod(this=fn("year", sql.copy()), expression=number(100)), T.STRING)
            if width == 2:
                return fn("strftime", sql.copy(), string("%y"))
            return _padded(fn("year", sql.copy()), width)
        simple = {"M": "month", "d": "day", "H": "hour", "m": "minute", "s": "second"}
        if kind in simple and width <= 2:
            return _padded(fn(simple[kind], sql.copy()), width)
        if kind == "h" and width <= 2:
            twelve = exp.Add(
                this=exp.Mod(
                    this=exp.Add(this=fn("hour", sql.copy()), expression=number(11)),
                    expression=number(12),
                ),
                expression=number(1),
            )
            return _padded(twelve, width)
        if kind in "fF" and width <= 7:
            micros = exp.Mod(this=fn("microsecond", sql.copy()), expression=number(1_000_000))
            return _fraction(micros, width, kind == "F")
        if kind == "t" and width <= 2:
            ampm = fn("strftime", sql.copy(), string("%p"))
            return (
                ampm if width == 2 else exp.Substring(this=ampm, start=number(1), length=number(1))
            )
        return None

    pieces = _format_pieces(b, call, pattern, token)
    text = fn("concat", *pieces) if pieces else string("")
    return Typed(
        case([(exp.Is(this=sql.copy(), expression=exp.Null()), string(""))], text), T.STRING
    )


@register(
    "format_timespan",
    sig="timespan: timespan, format: const string",
    returns="string",
    doc="The timespan formatted with specifiers d, hh, mm, ss, fff (days, hours, ...).",
)
def format_timespan(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0]
    if v.type is T.DYNAMIC:
        v = Typed(try_cast(dynamic_scalar_text(v.sql), T.TIMESPAN), T.TIMESPAN)
    pattern = args[1].value
    assert isinstance(pattern, str)
    us = fn("abs", interval_micros(v.sql))

    def unit(div: int, mod: int | None) -> exp.Expr:
        value: exp.Expr = exp.IntDiv(this=us.copy(), expression=number(div))
        return value if mod is None else exp.Mod(this=value, expression=number(mod))

    def token(t: str) -> exp.Expr | None:
        kind, width = t[0], len(t)
        if kind == "d" and width <= 8:
            return _padded(unit(86_400_000_000, None), width)
        if kind in "hH" and width <= 2:
            return _padded(unit(3_600_000_000, 24), width)
        if kind == "m" and width <= 2:
            return _padded(unit(60_000_000, 60), width)
        if kind == "s" and width <= 2:
            return _padded(unit(1_000_000, 60), width)
        if kind in "fF" and width <= 7:
            return _fraction(
                exp.Mod(this=us.copy(), expression=number(1_000_000)), width, kind == "F"
            )
        return None

    pieces = _format_pieces(b, call, pattern, token)
    sign = case(
        [(exp.LT(this=interval_micros(v.sql), expression=number(0)), string("-"))], string("")
    )
    text = fn("concat", sign, *pieces)
    return Typed(
        case([(exp.Is(this=v.sql.copy(), expression=exp.Null()), string(""))], text), T.STRING
    )


@register(
    "make_datetime",
    sig="year: long, month: long, day: long, [hour: long], [minute: long], [second: real]",
    returns="datetime",
    doc="The datetime of the given parts (null when they make no valid date).",
)
def make_datetime(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    parts: list[exp.Expr] = [cast(a.sql, T.LONG) for a in args[:5]]
    parts += [number(0)] * (5 - len(parts))
    seconds = cast(args[5].sql, T.REAL) if len(args) == 6 else number(0.0)
    return Typed(fn("try", fn("make_timestamp", *parts, seconds)), T.DATETIME)


@register(
    "make_timespan",
    sig="a: long, b: long, [c: real], [d: real]",
    returns="timespan",
    doc="The timespan of (hours, minutes[, seconds]) or (days, hours, minutes, seconds).",
)
def make_timespan(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    units = [3_600_000_000, 60_000_000, 1_000_000]
    if len(args) == 4:
        units = [86_400_000_000, *units]
    total: exp.Expr = number(0)
    for value, unit in zip(args, units, strict=False):
        total = exp.Add(
            this=total, expression=exp.Mul(this=cast(value.sql, T.REAL), expression=number(unit))
        )
    return Typed(micros_interval(cast(fn("round", total), T.LONG)), T.TIMESPAN)
