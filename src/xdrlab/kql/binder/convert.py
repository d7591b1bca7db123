"""Conversions between Kusto types as SQL, with Kusto's rules (strings are never null)."""

from __future__ import annotations

from sqlglot import exp

from xdrlab.kql.binder.types import (
    NO_VALUE,
    NUMERIC,
    STRINGLIKE,
    T,
    Typed,
    cast,
    fn,
    interval_micros,
    number,
    string,
    try_cast,
)
from xdrlab.lake.schema import KustoType


def coalesce(*args: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=args[0], expressions=list(args[1:]))


def case(whens: list[tuple[exp.Expr, exp.Expr]], default: exp.Expr) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in whens], default=default)


def dynamic_scalar_text(sql: exp.Expr) -> exp.Expr:
    """A dynamic value as text: strings unquoted, other values as JSON; NULL when null."""
    return fn("json_extract_string", sql, string("$"))


def to_string_sql(v: Typed) -> exp.Expr:
    """`tostring(v)`: Kusto's text for a value; '' for null."""
    sql = v.sql
    t = v.type
    if t in STRINGLIKE:
        return sql
    if t is T.DYNAMIC:
        return coalesce(dynamic_scalar_text(sql), string(""))
    if t is T.DATETIME:
        return case(
            [
                (exp.Is(this=sql.copy(), expression=exp.Null()), string("")),
                (
                    exp.EQ(
                        this=exp.Mod(
                            this=interval_micros(sql.copy()), expression=number(1_000_000)
                        ),
                        expression=number(0),
                    ),
                    fn("strftime", sql.copy(), string("%Y-%m-%dT%H:%M:%SZ")),
                ),
            ],
            exp.DPipe(
                this=fn("strftime", sql.copy(), string("%Y-%m-%dT%H:%M:%S.%f")),
                expression=string("0Z"),
            ),
        )
    if t in (T.REAL, T.DECIMAL):
        return case(
            [
                (exp.Is(this=sql.copy(), expression=exp.Null()), string("")),
                (
                    exp.And(
                        this=exp.EQ(this=sql.copy(), expression=fn("trunc", sql.copy())),
                        expression=exp.LT(this=fn("abs", sql.copy()), expression=number(1e15)),
                    ),
                    cast(cast(sql.copy(), T.LONG), T.STRING),
                ),
            ],
            cast(sql.copy(), T.STRING),
        )
    if t is T.TIMESPAN:
        return timespan_text(sql)
    return coalesce(cast(sql, T.STRING), string(""))


def timespan_text(sql: exp.Expr) -> exp.Expr:
    """Kusto's `[-][d.]hh:mm:ss[.fffffff]` rendering of an INTERVAL."""
    us = interval_micros(sql.copy())
    a = fn("abs", us.copy())

    def part(div: int, mod: int) -> exp.Expr:
        return exp.Mod(
            this=exp.IntDiv(this=a.copy(), expression=number(div)), expression=number(mod)
        )

    sign = case([(exp.LT(this=us.copy(), expression=number(0)), string("-"))], string(""))
    days = case(
        [
            (
                exp.GTE(this=a.copy(), expression=number(86_400_000_000)),
                exp.DPipe(
                    this=cast(
                        exp.IntDiv(this=a.copy(), expression=number(86_400_000_000)), T.STRING
                    ),
                    expression=string("."),
                ),
            )
        ],
        string(""),
    )
    clock = fn(
        "printf",
        string("%02d:%02d:%02d"),
        part(3_600_000_000, 24),
        part(60_000_000, 60),
        part(1_000_000, 60),
    )
    frac = case(
        [
            (
                exp.NEQ(
                    this=exp.Mod(this=a.copy(), expression=number(1_000_000)), expression=number(0)
                ),
                fn(
                    "printf", string(".%06d0"), exp.Mod(this=a.copy(), expression=number(1_000_000))
                ),
            )
        ],
        string(""),
    )
    text = exp.DPipe(
        this=exp.DPipe(this=exp.DPipe(this=sign, expression=days), expression=clock),
        expression=frac,
    )
    return case([(exp.Is(this=sql.copy(), expression=exp.Null()), string(""))], text)


def dynamic_to(v: Typed, target: KustoType) -> exp.Expr:
    """A dynamic value read as `target` (null when it does not convert)."""
    if target in STRINGLIKE:
        return to_string_sql(v)
    if target is T.DYNAMIC:
        return v.sql
    return try_cast(dynamic_scalar_text(v.sql), target)


def to_bool_sql(v: Typed) -> exp.Expr:
    if v.type is T.BOOL:
        return v.sql
    if v.type is T.DYNAMIC:
        return try_cast(dynamic_scalar_text(v.sql), T.BOOL)
    if v.type in NUMERIC:
        return exp.NEQ(this=v.sql, expression=number(0))
    return try_cast(v.sql, T.BOOL)


def as_type(v: Typed, target: KustoType) -> Typed:
    """Implicit widening used by arithmetic, iff/case and comparisons."""
    if v.type is target:
        return v
    if v.value is None and v.is_constant:
        return Typed(cast(exp.Null(), target), target, None)
    if v.type is T.DYNAMIC:
        return Typed(dynamic_to(v, target), target)
    if target in STRINGLIKE and v.type in STRINGLIKE:
        return Typed(v.sql, target, v.value)
    value = v.value
    if v.is_constant and target in (T.REAL, T.DECIMAL) and isinstance(value, int | float):
        value = float(value)
    elif v.is_constant:
        value = NO_VALUE
    return Typed(cast(v.sql, target), target, value)
