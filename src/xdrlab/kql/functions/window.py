"""Window functions over serialized input: `row_number()`, `prev()`, `next()`.

They lower to SQL window functions ordered like the input (`OVER (ORDER BY <sort keys>)`, or
`OVER ()` after `serialize`); the input must be serialized (sorted or `serialize`d)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import as_type
from xdrlab.kql.binder.types import NUMERIC, T, Typed, number, timestamp_literal
from xdrlab.kql.functions.common import long_arg
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


def _over(b: Binder, call: n.Call, sql: exp.Expr) -> exp.Expr:
    order = b.window_order
    if order is None:
        raise diag.type_mismatch(
            b.op, f"The function '{call.name}' needs serialized input (sort or serialize)", call.pos
        )
    window = exp.Window(this=sql)
    if order:
        window.set("order", exp.Order(expressions=[o.copy() for o in order]))
    return window


@register(
    "row_number",
    sig="[start: long], [restart: bool]",
    returns="long",
    doc="The row's position in the serialized input, counting from start (1 by default).",
)
def row_number(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) > 1:
        raise diag.unsupported_feature("row_number() with a restart condition", call.pos)
    sql: exp.Expr = _over(b, call, exp.RowNumber())
    if args:
        start = exp.Sub(this=long_arg(args[0]), expression=number(1))
        sql = exp.Add(this=sql, expression=exp.Paren(this=start))
    return Typed(sql, T.LONG)


def _default(value: Typed, target: T) -> Typed:
    if (
        target is T.DATETIME
        and value.type in NUMERIC
        and value.is_constant
        and isinstance(value.value, int)
    ):
        # a number stands for ticks (100 ns) since 0001-01-01
        moment = datetime(1, 1, 1) + timedelta(microseconds=value.value // 10)
        return Typed(timestamp_literal(moment), T.DATETIME, moment)
    return as_type(value, target)


def _shift(b: Binder, call: n.Call, args: list[Typed], kind: type[exp.Lag | exp.Lead]) -> Typed:
    column = args[0]
    shift = kind(this=column.sql)
    if len(args) > 1:
        shift.set("offset", long_arg(args[1]))
    if len(args) > 2:
        shift.set("default", _default(args[2], column.type).sql)
    return Typed(_over(b, call, shift), column.type)


@register(
    "prev",
    sig="column: scalar, [offset: const long], [default_value: scalar]",
    returns="the column's type",
    doc="The column's value `offset` rows before this one in the serialized input.",
)
def prev(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _shift(b, call, args, exp.Lag)


@register(
    "next",
    sig="column: scalar, [offset: const long], [default_value: scalar]",
    returns="the column's type",
    doc="The column's value `offset` rows after this one in the serialized input.",
)
def next_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _shift(b, call, args, exp.Lead)
