"""Math functions: abs, round, ceiling, sqrt, log, pow, exp, ..."""

from __future__ import annotations

import math as pymath
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import NUMERIC, T, Typed, cast, constant, fn, number
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


def _numeric(b: Binder, call: n.Call, v: Typed, index: int) -> Typed:
    if v.type in NUMERIC:
        return v
    if v.type is T.DYNAMIC:
        return Typed(
            cast(
                exp.Anonymous(
                    this="json_extract_string", expressions=[v.sql, exp.Literal.string("$")]
                ),
                T.REAL,
            ),
            T.REAL,
        )
    raise diag.argument_type(b.op, call.name, index + 1, "real", v.type.value, call.args[index].pos)


@register("abs", args=1)
def abs_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0]
    if v.type is T.TIMESPAN:
        return Typed(fn("to_microseconds", fn("abs", fn("epoch_us", v.sql))), T.TIMESPAN)
    v = _numeric(b, call, v, 0)
    if v.is_constant and isinstance(v.value, int | float):
        return constant(v.type, abs(v.value))
    return Typed(fn("abs", v.sql), v.type)


@register("round", args=(1, 2))
def round_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _numeric(b, call, args[0], 0)
    digits = args[1].sql if len(args) == 2 else number(0)
    return Typed(exp.Round(this=cast(v.sql, T.REAL), decimals=digits), T.REAL)


def _unary(name: str, sql_name: str):  # type: ignore[no-untyped-def]
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        v = _numeric(b, call, args[0], 0)
        return Typed(fn(sql_name, cast(v.sql, T.REAL)), T.REAL)

    register(name, args=1)(impl)


_unary("sqrt", "sqrt")
_unary("log", "ln")
_unary("log10", "log10")
_unary("log2", "log2")
_unary("exp", "exp")


@register("ceiling", args=1)
def ceiling(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _numeric(b, call, args[0], 0)
    return Typed(cast(fn("ceil", v.sql), v.type), v.type)


@register("pow", args=2)
def pow_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    x = _numeric(b, call, args[0], 0)
    y = _numeric(b, call, args[1], 1)
    return Typed(fn("pow", cast(x.sql, T.REAL), cast(y.sql, T.REAL)), T.REAL)


@register("pi", args=0)
def pi(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return constant(T.REAL, pymath.pi)


@register("sign", args=1)
def sign(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _numeric(b, call, args[0], 0)
    return Typed(cast(fn("sign", v.sql), v.type), v.type)
