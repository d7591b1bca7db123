"""Date and time functions: ago, now, bin/floor, bin_at, startofday, ..."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
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
)
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

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


@register("now", args=(0, 1))
def now(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    offset = _span(b, call, args[0], 0) if args else 0
    return constant(T.DATETIME, _shift(b.env.now, offset))


@register("ago", args=1)
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


@register("bin", "floor", args=2, name_kind="first")
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


@register("bin_at", args=3, name_kind="first")
def bin_at(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value, size, fixed = args
    if value.type is T.DATETIME:
        if not (fixed.is_constant and isinstance(fixed.value, datetime)):
            raise diag.expected_constant(b.op, "The fixed point of 'bin_at'", call.args[2].pos)
        return bin_datetime(value, _span(b, call, size, 1), fixed.value)
    if value.type in NUMERIC:
        return _bin_number(value, size, fixed)
    raise diag.argument_type(b.op, call.name, 1, "datetime", value.type.value, call.args[0].pos)


def _datetime_arg(b: Binder, call: n.Call, v: Typed) -> Typed:
    if v.type is not T.DATETIME:
        raise diag.argument_type(b.op, call.name, 1, "datetime", v.type.value, call.args[0].pos)
    return v


def _start_of(unit: str):  # type: ignore[no-untyped-def]
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        v = _datetime_arg(b, call, args[0])
        if len(args) == 2:
            offset = args[1]
            if not (offset.is_constant and isinstance(offset.value, int)):
                raise diag.expected_constant(b.op, "The offset", call.args[1].pos)
            shifted = exp.Add(
                this=fn("date_trunc", string(unit), v.sql),
                expression=exp.Interval(
                    this=string(str(offset.value)), unit=exp.Var(this=unit.upper())
                ),
            )
            return Typed(cast(shifted, T.DATETIME), T.DATETIME)
        if isinstance(v.value, datetime):
            dt = v.value
            if unit == "day":
                return constant(T.DATETIME, datetime(dt.year, dt.month, dt.day))
            if unit == "month":
                return constant(T.DATETIME, datetime(dt.year, dt.month, 1))
            return constant(T.DATETIME, datetime(dt.year, 1, 1))
        return Typed(cast(fn("date_trunc", string(unit), v.sql), T.DATETIME), T.DATETIME)

    return impl


register("startofday", args=(1, 2), name_kind="first")(_start_of("day"))
register("startofmonth", args=(1, 2), name_kind="first")(_start_of("month"))
register("startofyear", args=(1, 2), name_kind="first")(_start_of("year"))


@register("endofday", args=(1, 2), name_kind="first")
def endofday(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    start = _start_of("day")(b, call, args)
    one_tick_short = exp.Sub(
        this=exp.Add(this=start.sql, expression=interval_literal(86_400_000_000)),
        expression=interval_literal(1),
    )
    return Typed(one_tick_short, T.DATETIME)


@register("dayofweek", args=1)
def dayofweek(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _datetime_arg(b, call, args[0])
    days = fn("dayofweek", v.sql)  # Sunday = 0, as Kusto counts
    return Typed(
        micros_interval(exp.Mul(this=cast(days, T.LONG), expression=number(86_400_000_000))),
        T.TIMESPAN,
    )


@register("hourofday", args=1)
def hourofday(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _datetime_arg(b, call, args[0])
    return Typed(cast(fn("hour", v.sql), T.INT), T.INT)


@register("dayofmonth", args=1)
def dayofmonth(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _datetime_arg(b, call, args[0])
    return Typed(cast(fn("day", v.sql), T.INT), T.INT)


_PARTS = {
    "year": "year",
    "quarter": "quarter",
    "month": "month",
    "week": "week",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
    "millisecond": "millisecond",
    "microsecond": "microsecond",
}


@register("datetime_add", args=3)
def datetime_add(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    part, amount, value = args
    if not (part.is_constant and isinstance(part.value, str) and part.value.lower() in _PARTS):
        raise diag.expected_constant(b.op, "The part of 'datetime_add'", call.args[0].pos)
    if value.type is not T.DATETIME or amount.type not in INTEGER:
        raise diag.argument_type(b.op, call.name, 3, "datetime", value.type.value, call.args[2].pos)
    unit = _PARTS[part.value.lower()]
    step = exp.Interval(this=cast(amount.sql, T.STRING), unit=exp.Var(this=unit.upper()))
    if unit == "quarter":
        step = exp.Interval(
            this=cast(exp.Mul(this=amount.sql, expression=number(3)), T.STRING),
            unit=exp.Var(this="MONTH"),
        )
    return Typed(cast(exp.Add(this=value.sql, expression=step), T.DATETIME), T.DATETIME)


@register("datetime_diff", args=3)
def datetime_diff(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    part, first, second = args
    if not (part.is_constant and isinstance(part.value, str) and part.value.lower() in _PARTS):
        raise diag.expected_constant(b.op, "The part of 'datetime_diff'", call.args[0].pos)
    unit = _PARTS[part.value.lower()]
    diff = fn("date_diff", string(unit), second.sql, first.sql)
    return Typed(cast(diff, T.LONG), T.LONG)


@register("unixtime_seconds_todatetime", args=1)
def unixtime_seconds_todatetime(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    micros = cast(exp.Mul(this=args[0].sql, expression=number(1_000_000)), T.LONG)
    return Typed(fn("make_timestamp", micros), T.DATETIME)


@register("unixtime_milliseconds_todatetime", args=1)
def unixtime_milliseconds_todatetime(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    micros = cast(exp.Mul(this=args[0].sql, expression=number(1_000)), T.LONG)
    return Typed(fn("make_timestamp", micros), T.DATETIME)
