"""Math functions: abs, round, ceiling, sqrt, log, pow, exp, trigonometry, bitwise, random."""

from __future__ import annotations

import math as pymath
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import case
from xdrlab.kql.binder.types import (
    INTEGER,
    NUMERIC,
    T,
    Typed,
    cast,
    constant,
    fn,
    number,
)
from xdrlab.kql.functions.common import long_arg
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


def _numeric(b: Binder, call: n.Call, v: Typed, index: int) -> Typed:
    if v.type in NUMERIC:
        return v
    if v.type is T.DYNAMIC:
        return Typed(
            exp.TryCast(
                this=fn("json_extract_string", v.sql, exp.Literal.string("$")),
                to=exp.DataType.build("DOUBLE"),
            ),
            T.REAL,
        )
    raise diag.argument_type(b.op, call.name, index + 1, "real", v.type.value, call.args[index].pos)


def _real(v: Typed) -> exp.Expr:
    return cast(v.sql, T.REAL)


@register(
    "abs",
    sig="value: real|timespan",
    returns="the type of value",
    doc="The absolute value.",
)
def abs_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0]
    if v.type is T.TIMESPAN:
        return Typed(fn("to_microseconds", fn("abs", fn("epoch_us", v.sql))), T.TIMESPAN)
    v = _numeric(b, call, v, 0)
    if v.is_constant and isinstance(v.value, float):
        return constant(v.type, abs(v.value))
    return Typed(cast(fn("abs", v.sql), v.type), v.type)


@register(
    "round",
    sig="number: real, [precision: long]",
    returns="real",
    doc="The number rounded to precision decimal digits (halves away from zero).",
)
def round_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _numeric(b, call, args[0], 0)
    digits = cast(long_arg(args[1]), T.INT) if len(args) == 2 else number(0)
    return Typed(cast(exp.Round(this=_real(v), decimals=digits), T.REAL), T.REAL)


def _unary(name: str, sql_name: str, doc: str, positive: bool = False) -> None:
    """A real → real function; `positive`: null for negative numbers."""

    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        v = _numeric(b, call, args[0], 0)
        x = _real(v)
        sql = fn(sql_name, x)
        if positive:
            low = exp.LT(this=x.copy(), expression=number(0))
            sql = case([(low, cast(exp.Null(), T.REAL))], sql)
        return Typed(sql, T.REAL)

    register(name, sig="number: real", returns="real", doc=doc)(impl)


_unary("sqrt", "sqrt", "The square root (null for negative numbers).", positive=True)
_unary("log", "ln", "The natural logarithm (null for negative numbers).", positive=True)
_unary("log10", "log10", "The base-10 logarithm (null for negative numbers).", positive=True)
_unary("log2", "log2", "The base-2 logarithm (null for negative numbers).", positive=True)
_unary("exp", "exp", "e raised to the number.")
_unary("sin", "sin", "The sine of an angle in radians.")
_unary("cos", "cos", "The cosine of an angle in radians.")
_unary("tan", "tan", "The tangent of an angle in radians.")
_unary("cot", "cot", "The cotangent of an angle in radians.")
_unary("asin", "asin", "The angle in radians whose sine is the number.")
_unary("acos", "acos", "The angle in radians whose cosine is the number.")
_unary("atan", "atan", "The angle in radians whose tangent is the number.")
_unary("degrees", "degrees", "The angle in radians converted to degrees.")
_unary("radians", "radians", "The angle in degrees converted to radians.")


@register("exp2", sig="number: real", returns="real", doc="2 raised to the number.")
def exp2(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("pow", number(2.0), _real(_numeric(b, call, args[0], 0))), T.REAL)


@register("exp10", sig="number: real", returns="real", doc="10 raised to the number.")
def exp10(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("pow", number(10.0), _real(_numeric(b, call, args[0], 0))), T.REAL)


@register(
    "atan2",
    sig="y: real, x: real",
    returns="real",
    doc="The angle in radians between the x axis and the point (x, y).",
)
def atan2(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    y = _numeric(b, call, args[0], 0)
    x = _numeric(b, call, args[1], 1)
    return Typed(fn("atan2", _real(y), _real(x)), T.REAL)


@register(
    "ceiling",
    sig="number: real",
    returns="the type of number",
    doc="The smallest integer not less than the number.",
)
def ceiling(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _numeric(b, call, args[0], 0)
    return Typed(cast(fn("ceil", v.sql), v.type), v.type)


@register("pow", sig="base: real, exponent: real", returns="real", doc="base ** exponent.")
def pow_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    x = _numeric(b, call, args[0], 0)
    y = _numeric(b, call, args[1], 1)
    return Typed(fn("pow", _real(x), _real(y)), T.REAL)


@register("pi", sig="", args=0, returns="real", doc="The constant π.")
def pi(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return constant(T.REAL, pymath.pi)


@register(
    "sign",
    sig="number: real",
    returns="the type of number",
    doc="-1, 0 or 1 as the number is negative, zero or positive.",
)
def sign(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _numeric(b, call, args[0], 0)
    return Typed(cast(fn("sign", v.sql), v.type), v.type)


def _real_test(name: str, sql_name: str, doc: str) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        v = _numeric(b, call, args[0], 0)
        return Typed(fn(sql_name, _real(v)), T.BOOL)

    register(name, sig="number: real", returns="bool", doc=doc)(impl)


_real_test("isnan", "isnan", "Whether the number is NaN.")
_real_test("isinf", "isinf", "Whether the number is infinite.")
_real_test("isfinite", "isfinite", "Whether the number is neither infinite nor NaN.")


def _integer(b: Binder, call: n.Call, v: Typed, index: int) -> exp.Expr:
    if v.type in INTEGER:
        return cast(v.sql, T.LONG)
    if v.type is T.DYNAMIC:
        return long_arg(v)
    raise diag.argument_type(b.op, call.name, index + 1, "long", v.type.value, call.args[index].pos)


def _bitwise(name: str, build: type[exp.Binary] | str, doc: str) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        left = _integer(b, call, args[0], 0)
        right = _integer(b, call, args[1], 1)
        if isinstance(build, str):
            return Typed(cast(fn(build, left, right), T.LONG), T.LONG)
        return Typed(cast(build(this=left, expression=right), T.LONG), T.LONG)

    register(name, sig="value1: long, value2: long", returns="long", doc=doc)(impl)


_bitwise("binary_and", exp.BitwiseAnd, "The bitwise AND of two numbers.")
_bitwise("binary_or", exp.BitwiseOr, "The bitwise OR of two numbers.")
_bitwise("binary_xor", "xor", "The bitwise XOR of two numbers.")
_bitwise("binary_shift_left", exp.BitwiseLeftShift, "The number shifted left by n bits.")
_bitwise("binary_shift_right", exp.BitwiseRightShift, "The number shifted right by n bits.")


@register("binary_not", sig="value: long", returns="long", doc="The bitwise NOT of the number.")
def binary_not(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(exp.BitwiseNot(this=_integer(b, call, args[0], 0)), T.LONG)


@register(
    "rand",
    sig="[range: long]",
    returns="real, or long with a range",
    doc="A random number in [0, 1), or a random integer in [0, range).",
)
def rand(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = fn("random")
    if not args:
        return Typed(value, T.REAL)
    scaled = fn("floor", exp.Mul(this=value, expression=cast(long_arg(args[0]), T.REAL)))
    return Typed(cast(scaled, T.LONG), T.LONG)


@register("new_guid", sig="", args=0, returns="guid", doc="A random guid.")
def new_guid(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(cast(fn("gen_random_uuid"), T.STRING), T.GUID)
