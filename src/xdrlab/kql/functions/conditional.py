"""Conditional and null-handling functions: iff/iif, case, coalesce, isempty, isnull, not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import as_type, dynamic_scalar_text, to_bool_sql
from xdrlab.kql.binder.convert import case as sql_case
from xdrlab.kql.binder.types import STRINGLIKE, T, Typed, constant, string
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


def _condition(b: Binder, call: n.Call, v: Typed, index: int) -> Typed:
    if v.type is T.BOOL:
        return v
    if v.type is T.DYNAMIC:
        return Typed(to_bool_sql(v), T.BOOL)
    raise diag.argument_type(b.op, call.name, index + 1, "bool", v.type.value, call.args[index].pos)


def _branches(b: Binder, call: n.Call, values: list[Typed]) -> list[Typed]:
    from xdrlab.kql.binder.scalar import unify

    unified = unify(values)
    present = {v.type for v in values if not (v.is_constant and v.value is None)}
    if unified is None and T.DYNAMIC in present and present - {T.DYNAMIC} <= STRINGLIKE:
        # a string and a dynamic branch (`iff(c, Url, parse_url(Url).Host)`): read as strings
        unified = [as_type(v, T.STRING) for v in values]
    if unified is None:
        kinds = ", ".join(sorted({v.type.value for v in values}))
        raise diag.type_mismatch(
            b.op, f"The results of '{call.name}' have different types ({kinds})", call.pos
        )
    return unified


@register(
    "iff",
    "iif",
    sig="condition: bool, ifTrue: scalar, ifFalse: scalar",
    returns="the common type of ifTrue and ifFalse",
    doc="ifTrue when the condition is true, else ifFalse (null condition: ifFalse).",
)
def iff(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    cond = _condition(b, call, args[0], 0)
    then, otherwise = _branches(b, call, args[1:])
    if cond.is_constant:
        return then if cond.value is True else otherwise
    return Typed(exp.If(this=cond.sql, true=then.sql, false=otherwise.sql), then.type)


@register(
    "case",
    sig="value: scalar...",
    args=(3, None),
    shown="predicate: bool, then: scalar, ..., else: scalar",
    returns="the common type of the then and else values",
    doc="The value after the first true predicate, else the last argument.",
)
def case(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) % 2 == 0:
        raise diag.argument_count(b.op, "case", "an odd number of", call.pos)
    conditions = [_condition(b, call, args[i], i) for i in range(0, len(args) - 1, 2)]
    values = _branches(b, call, [args[i] for i in range(1, len(args), 2)] + [args[-1]])
    whens = list(zip((c.sql for c in conditions), (v.sql for v in values[:-1]), strict=True))
    return Typed(sql_case(whens, values[-1].sql), values[0].type)


def _is_empty(v: Typed) -> Typed:
    if v.is_constant:
        return constant(T.BOOL, v.value is None or v.value == "")
    if v.type in STRINGLIKE:
        sql: exp.Expr = exp.Or(
            this=exp.Is(this=v.sql, expression=exp.Null()),
            expression=exp.EQ(this=v.sql.copy(), expression=string("")),
        )
    elif v.type is T.DYNAMIC:
        text = dynamic_scalar_text(v.sql)
        sql = exp.Or(
            this=exp.Is(this=text, expression=exp.Null()),
            expression=exp.EQ(this=text.copy(), expression=string("")),
        )
    else:
        sql = exp.Is(this=v.sql, expression=exp.Null())
    return Typed(exp.Paren(this=sql), T.BOOL)


def _not(v: Typed) -> Typed:
    if v.is_constant and isinstance(v.value, bool):
        return constant(T.BOOL, not v.value)
    return Typed(exp.Not(this=v.sql), T.BOOL)


@register(
    "isempty",
    sig="value: scalar",
    returns="bool",
    doc="Whether the value is null or the empty string.",
)
def isempty(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _is_empty(args[0])


@register(
    "isnotempty",
    "notempty",
    sig="value: scalar",
    returns="bool",
    doc="Whether the value is neither null nor the empty string.",
)
def isnotempty(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _not(_is_empty(args[0]))


def _is_null(v: Typed) -> Typed:
    if v.type in STRINGLIKE:
        return constant(T.BOOL, False)  # Kusto strings are never null
    if v.is_constant:
        return constant(T.BOOL, v.value is None)
    if v.type is T.DYNAMIC:
        sql: exp.Expr = exp.Paren(
            this=exp.Or(
                this=exp.Is(this=v.sql, expression=exp.Null()),
                expression=exp.EQ(
                    this=exp.Anonymous(this="json_type", expressions=[v.sql.copy()]),
                    expression=string("NULL"),
                ),
            )
        )
        return Typed(sql, T.BOOL)
    return Typed(exp.Is(this=v.sql, expression=exp.Null()), T.BOOL)


@register(
    "isnull",
    sig="value: scalar",
    returns="bool",
    doc="Whether the value is null (strings are never null; JSON null is).",
)
def isnull(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _is_null(args[0])


@register(
    "isnotnull",
    "notnull",
    sig="value: scalar",
    returns="bool",
    doc="Whether the value is not null.",
)
def isnotnull(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _not(_is_null(args[0]))


@register("not", sig="value: bool", returns="bool", doc="The negation of the condition.")
def not_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    cond = _condition(b, call, args[0], 0)
    if cond.is_constant and isinstance(cond.value, bool):
        return constant(T.BOOL, not cond.value)
    return Typed(exp.Not(this=exp.Paren(this=cond.sql)), T.BOOL)


@register(
    "coalesce",
    sig="value: scalar...",
    args=(1, 64),
    returns="the common type of the values",
    doc="The first value that is not null (for strings: not empty).",
)
def coalesce(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    values = _branches(b, call, args)
    if values[0].type in STRINGLIKE:
        # the first value that is not empty
        parts = [exp.Nullif(this=v.sql, expression=string("")) for v in values]
        return Typed(exp.Coalesce(this=parts[0], expressions=[*parts[1:], string("")]), T.STRING)
    return Typed(
        exp.Coalesce(this=values[0].sql, expressions=[v.sql for v in values[1:]]), values[0].type
    )


def _extreme_of(b: Binder, call: n.Call, args: list[Typed], largest: bool) -> Typed:
    values = _branches(b, call, args)
    if values[0].type is T.DYNAMIC:
        raise diag.argument_type(b.op, call.name, 1, "scalar", "dynamic", call.args[0].pos)
    sql = exp.Anonymous(
        this="greatest" if largest else "least", expressions=[v.sql for v in values]
    )
    return Typed(sql, values[0].type)


@register(
    "max_of",
    sig="value: scalar...",
    args=(1, 64),
    returns="the common type of the values",
    doc="The largest of the values, nulls ignored.",
)
def max_of(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme_of(b, call, args, True)


@register(
    "min_of",
    sig="value: scalar...",
    args=(1, 64),
    returns="the common type of the values",
    doc="The smallest of the values, nulls ignored.",
)
def min_of(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme_of(b, call, args, False)
