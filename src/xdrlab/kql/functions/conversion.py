"""Conversion functions: tostring, toint, tolong, todouble/toreal, todatetime, tobool, ..."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.binder.convert import dynamic_scalar_text, to_string_sql
from xdrlab.kql.binder.types import (
    NUMERIC,
    STRINGLIKE,
    T,
    Typed,
    cast,
    constant,
    fn,
    interval_micros,
    micros_interval,
    try_cast,
)
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.parser import (
    parse_datetime_text,
    parse_time_of_day,
    parse_timespan_text,
)
from xdrlab.lake.schema import KustoType

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


@register(
    "tostring",
    sig="value: scalar",
    returns="string",
    doc="The value as text ('' for null; JSON text for arrays and bags).",
    name_kind="first",
)
def tostring(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.is_constant and v.value is None:
        return constant(T.STRING, "")
    if v.is_constant and isinstance(v.value, str):
        return constant(T.STRING, v.value)
    if v.is_constant and isinstance(v.value, bool):
        return constant(T.STRING, "true" if v.value else "false")
    if v.is_constant and isinstance(v.value, int) and v.type in (T.LONG, T.INT):
        return constant(T.STRING, str(v.value))
    return Typed(to_string_sql(v), T.STRING)


def to_number_sql(v: Typed, target: KustoType) -> exp.Expr:
    if v.type is target:
        return v.sql
    if v.type in NUMERIC:
        if target in (T.INT, T.LONG) and v.type in (T.REAL, T.DECIMAL):
            return try_cast(fn("trunc", v.sql), target)
        return try_cast(v.sql, target)
    if v.type is T.BOOL:
        return cast(v.sql, target)
    if v.type in STRINGLIKE:
        text = exp.Trim(this=v.sql)
        if target in (T.INT, T.LONG):
            # "1.7" converts like the number it spells (truncated), "abc" to null
            # (DuckDB would round "1.7" when casting it to an integer: only digits cast directly)
            return exp.Case(
                ifs=[
                    exp.If(
                        this=fn("regexp_full_match", text, exp.Literal.string(r"[+-]?[0-9]+")),
                        true=try_cast(text.copy(), target),
                    )
                ],
                default=try_cast(fn("trunc", try_cast(text.copy(), T.REAL)), target),
            )
        return try_cast(text, target)
    if v.type is T.DYNAMIC:
        return to_number_sql(Typed(dynamic_scalar_text(v.sql), T.STRING), target)
    if v.type is T.DATETIME:
        # ticks since 0001-01-01, as Kusto counts them
        return try_cast(
            exp.Mul(
                this=exp.Paren(
                    this=exp.Add(
                        this=interval_micros(v.sql),
                        expression=exp.Literal.number(62135596800000000),
                    )
                ),
                expression=exp.Literal.number(10),
            ),
            target,
        )
    if v.type is T.TIMESPAN:
        return try_cast(
            exp.Mul(this=interval_micros(v.sql), expression=exp.Literal.number(10)), target
        )
    return try_cast(v.sql, target)


def _fold_number(v: Typed, target: KustoType) -> Typed | None:
    if not v.is_constant:
        return None
    value = v.value
    if value is None:
        return constant(target, None)
    try:
        if isinstance(value, bool):
            number: float = float(value)
        elif isinstance(value, int | float):
            number = float(value) if target in (T.REAL, T.DECIMAL) else value
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            return None
    except ValueError:
        return constant(target, None)
    if target in (T.INT, T.LONG):
        if number != number or number in (float("inf"), float("-inf")):
            return constant(target, None)
        whole = int(number)
        bits = 31 if target is T.INT else 63
        if not -(2**bits) <= whole < 2**bits:
            return constant(target, None)  # out of range, as the SQL path's TRY_CAST gives
        return constant(target, whole)
    return constant(target, float(number))


def _number_function(target: KustoType):  # type: ignore[no-untyped-def]
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        folded = _fold_number(args[0], target)
        if folded is not None:
            return folded
        return Typed(to_number_sql(args[0], target), target)

    return impl


register(
    "toint",
    sig="value: scalar",
    returns="int",
    doc="The value as an int (null when it does not convert; reals truncate).",
    name_kind="first",
)(_number_function(T.INT))
register(
    "tolong",
    sig="value: scalar",
    returns="long",
    doc="The value as a long (null when it does not convert; reals truncate).",
    name_kind="first",
)(_number_function(T.LONG))
register(
    "todouble",
    "toreal",
    sig="value: scalar",
    returns="real",
    doc="The value as a real (null when it does not convert).",
    name_kind="first",
)(_number_function(T.REAL))
register(
    "todecimal",
    sig="value: scalar",
    returns="decimal",
    doc="The value as a decimal (stored as a double; null when it does not convert).",
    name_kind="first",
)(_number_function(T.DECIMAL))


@register(
    "todatetime",
    sig="value: scalar",
    returns="datetime",
    doc="The value as a datetime (null when it does not convert).",
    name_kind="first",
)
def todatetime(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is T.DATETIME:
        return v
    if v.is_constant and isinstance(v.value, str):
        moment = parse_datetime_text(v.value)
        if moment is None and (time_of_day := parse_time_of_day(v.value)) is not None:
            moment = datetime.combine(b.env.now.date(), time_of_day)  # today at that time
        return constant(T.DATETIME, moment)
    if v.is_constant and v.value is None:
        return constant(T.DATETIME, None)
    if v.type in STRINGLIKE:
        return Typed(try_cast(v.sql, T.DATETIME), T.DATETIME)
    if v.type is T.DYNAMIC:
        return Typed(try_cast(dynamic_scalar_text(v.sql), T.DATETIME), T.DATETIME)
    return Typed(cast(exp.Null(), T.DATETIME), T.DATETIME)


@register(
    "totimespan",
    "totime",
    sig="value: scalar",
    returns="timespan",
    doc="The value as a timespan: text like '1.02:03:04', or a number of ticks.",
    name_kind="first",
)
def totimespan(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is T.TIMESPAN:
        return v
    if v.is_constant and isinstance(v.value, str):
        return constant(T.TIMESPAN, parse_timespan_text(v.value))
    if v.type in NUMERIC:
        # a number of ticks
        return Typed(
            micros_interval(
                try_cast(exp.Div(this=v.sql, expression=exp.Literal.number(10)), T.LONG)
            ),
            T.TIMESPAN,
        )
    text = v.sql if v.type in STRINGLIKE else dynamic_scalar_text(v.sql)
    return Typed(try_cast(text, T.TIMESPAN), T.TIMESPAN)


@register(
    "tobool",
    "toboolean",
    sig="value: scalar",
    returns="bool",
    doc="The value as a bool ('true'/'false', numbers: not zero; else null).",
    name_kind="first",
)
def tobool(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is T.BOOL:
        return v
    if v.is_constant and isinstance(v.value, str):
        word = v.value.strip().lower()
        return constant(T.BOOL, {"true": True, "false": False}.get(word))
    if v.type in NUMERIC:
        return Typed(exp.NEQ(this=v.sql, expression=exp.Literal.number(0)), T.BOOL)
    if v.type is T.DYNAMIC:
        kind = fn("json_type", v.sql)
        text: exp.Expr = dynamic_scalar_text(v.sql.copy())
        number = try_cast(text.copy(), T.REAL)
        return Typed(
            exp.Case(
                ifs=[
                    exp.If(
                        this=exp.In(
                            this=kind,
                            expressions=[
                                exp.Literal.string(k) for k in ("BIGINT", "UBIGINT", "DOUBLE")
                            ],
                        ),
                        true=exp.NEQ(this=number, expression=exp.Literal.number(0)),
                    )
                ],
                default=_bool_word(text),
            ),
            T.BOOL,
        )
    if v.type not in STRINGLIKE:  # a datetime or timespan is no bool
        return constant(T.BOOL, None)
    return Typed(_bool_word(v.sql), T.BOOL)


def _bool_word(text: exp.Expr) -> exp.Expr:
    """'true' / 'false' in any case, around spaces; anything else is null."""
    word = exp.Lower(this=exp.Trim(this=text))
    return exp.Case(
        ifs=[
            exp.If(this=exp.EQ(this=word, expression=exp.Literal.string("true")), true=exp.true()),
            exp.If(
                this=exp.EQ(this=word.copy(), expression=exp.Literal.string("false")),
                true=exp.false(),
            ),
        ],
        default=cast(exp.Null(), T.BOOL),
    )


@register(
    "toguid",
    sig="value: scalar",
    returns="guid",
    doc="The value's text as a guid (lower case).",
    name_kind="first",
)
def toguid(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    return Typed(exp.Lower(this=to_string_sql(v)), T.GUID)


@register(
    "tohex",
    sig="value: long, [minLength: long]",
    returns="string",
    doc="The number in lower-case hexadecimal (two's complement when negative), zero-padded.",
)
def tohex(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0]
    value = v.sql if v.type is not T.DYNAMIC else try_cast(dynamic_scalar_text(v.sql), T.LONG)
    text: exp.Expr = exp.Lower(this=fn("hex", cast(value, T.LONG)))
    if len(args) == 2:
        width = cast(fn("greatest", args[1].sql, exp.Length(this=text.copy())), T.INT)
        text = fn("lpad", text, width, exp.Literal.string("0"))
    return Typed(exp.Coalesce(this=text, expressions=[exp.Literal.string("")]), T.STRING)
