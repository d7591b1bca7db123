"""Aggregation functions for `summarize`: count, dcount, sum, avg, min, max, make_set, ...

Results are typed like Kusto's (count and dcount → long, avg → real, make_set → dynamic) and
named like Kusto's (`count_`, `dcount_DeviceName`, `set_FileName`). `arg_max`/`arg_min` and
`take_any` with several arguments produce several columns and are expanded here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import to_bool_sql
from xdrlab.kql.binder.types import (
    INTEGER,
    NUMERIC,
    T,
    Typed,
    cast,
    fn,
    interval_micros,
    micros_interval,
    string,
)
from xdrlab.kql.functions.registry import OutputColumn, register, register_tuple_aggregate
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

MAX_SET_SIZE = 1_048_576


def _filtered(agg: exp.Expr, predicate: Typed | None) -> exp.Expr:
    if predicate is None:
        return agg
    return exp.Filter(this=agg, expression=exp.Where(this=to_bool_sql(predicate)))


def _predicate(b: Binder, call: n.Call, v: Typed, index: int) -> Typed:
    if v.type not in (T.BOOL, T.DYNAMIC):
        raise diag.argument_type(
            b.op, call.name, index + 1, "bool", v.type.value, call.args[index].pos
        )
    return v


@register("count", args=(0, 1), aggregate=True, name_kind="prefix", prefix="count")
def count(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    agg: exp.Expr = exp.Count(this=exp.Star())
    if args and args[0].type is T.BOOL:  # the older count(predicate) spelling
        agg = _filtered(agg, args[0])
    elif args:  # count(x): the rows where x has a value
        agg = exp.Count(this=args[0].sql)
    return Typed(agg, T.LONG)


@register("countif", args=1, aggregate=True, name_kind="prefix", prefix="countif")
def countif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    agg = _filtered(exp.Count(this=exp.Star()), _predicate(b, call, args[0], 0))
    return Typed(agg, T.LONG)


def _dcount(b: Binder, call: n.Call, value: Typed, predicate: Typed | None) -> Typed:
    if value.type is T.DYNAMIC:
        raise diag.argument_type(b.op, call.name, 1, "scalar", "dynamic", call.args[0].pos)
    agg = exp.Count(this=exp.Distinct(expressions=[value.sql]))
    return Typed(_filtered(agg, predicate), T.LONG)


@register("dcount", args=(1, 2), aggregate=True, name_kind="prefix", prefix="dcount")
def dcount(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _dcount(b, call, args[0], None)


@register("dcountif", args=(2, 3), aggregate=True, name_kind="prefix", prefix="dcountif")
def dcountif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _dcount(b, call, args[0], _predicate(b, call, args[1], 1))


@register("count_distinct", args=1, aggregate=True, name_kind="prefix", prefix="count_distinct")
def count_distinct(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _dcount(b, call, args[0], None)


def _summable(b: Binder, call: n.Call, v: Typed) -> Typed:
    if v.type in NUMERIC or v.type is T.TIMESPAN:
        return v
    if v.type is T.DYNAMIC:
        return Typed(cast(fn("json_extract_string", v.sql, string("$")), T.REAL), T.REAL)
    raise diag.argument_type(b.op, call.name, 1, "a number", v.type.value, call.args[0].pos)


def _sum(b: Binder, call: n.Call, value: Typed, predicate: Typed | None) -> Typed:
    v = _summable(b, call, value)
    if v.type is T.TIMESPAN:
        total = _filtered(exp.Sum(this=interval_micros(v.sql)), predicate)
        return Typed(micros_interval(cast(total, T.LONG)), T.TIMESPAN)
    total = _filtered(exp.Sum(this=v.sql), predicate)
    result = T.LONG if v.type in INTEGER else T.REAL
    return Typed(cast(total, result), result)


@register("sum", args=1, aggregate=True, name_kind="prefix", prefix="sum")
def sum_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _sum(b, call, args[0], None)


@register("sumif", args=2, aggregate=True, name_kind="prefix", prefix="sumif")
def sumif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _sum(b, call, args[0], _predicate(b, call, args[1], 1))


def _avg(b: Binder, call: n.Call, value: Typed, predicate: Typed | None) -> Typed:
    v = _summable(b, call, value)
    if v.type is T.TIMESPAN:
        mean = _filtered(exp.Avg(this=interval_micros(v.sql)), predicate)
        return Typed(micros_interval(cast(fn("round", mean), T.LONG)), T.TIMESPAN)
    return Typed(_filtered(exp.Avg(this=v.sql), predicate), T.REAL)


@register("avg", args=1, aggregate=True, name_kind="prefix", prefix="avg")
def avg(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _avg(b, call, args[0], None)


@register("avgif", args=2, aggregate=True, name_kind="prefix", prefix="avgif")
def avgif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _avg(b, call, args[0], _predicate(b, call, args[1], 1))


def _extreme(cls: type[exp.Func], value: Typed, predicate: Typed | None) -> Typed:
    if value.type is T.DYNAMIC:
        text = fn("json_extract_string", value.sql, string("$"))
        return Typed(_filtered(cls(this=cast(text, T.REAL)), predicate), T.REAL)
    return Typed(_filtered(cls(this=value.sql), predicate), value.type)


@register("min", args=1, aggregate=True, name_kind="prefix", prefix="min")
def min_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Min, args[0], None)


@register("max", args=1, aggregate=True, name_kind="prefix", prefix="max")
def max_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Max, args[0], None)


@register("minif", args=2, aggregate=True, name_kind="prefix", prefix="minif")
def minif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Min, args[0], _predicate(b, call, args[1], 1))


@register("maxif", args=2, aggregate=True, name_kind="prefix", prefix="maxif")
def maxif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Max, args[0], _predicate(b, call, args[1], 1))


def _collect(
    b: Binder,
    call: n.Call,
    value: Typed,
    predicate: Typed | None,
    size: Typed | None,
    distinct: bool,
) -> Typed:
    item = value.sql
    target: exp.Expr = exp.Distinct(expressions=[item]) if distinct else item
    not_null = exp.Not(this=exp.Is(this=item.copy(), expression=exp.Null()))
    condition: exp.Expr = not_null
    if predicate is not None:
        condition = exp.And(this=exp.Paren(this=to_bool_sql(predicate)), expression=not_null)
    agg: exp.Expr = exp.Filter(this=exp.ArrayAgg(this=target), expression=exp.Where(this=condition))
    if size is not None:
        if not (size.is_constant and isinstance(size.value, int)):
            raise diag.expected_constant(b.op, f"The size limit of '{call.name}'", call.pos)
        limit = max(0, min(size.value, MAX_SET_SIZE))
        agg = fn("list_slice", agg, exp.Literal.number(1), exp.Literal.number(limit))
    empty = cast(string("[]"), T.DYNAMIC)
    return Typed(exp.Coalesce(this=fn("to_json", agg), expressions=[empty]), T.DYNAMIC)


@register("make_set", "makeset", args=(1, 2), aggregate=True, name_kind="prefix", prefix="set")
def make_set(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _collect(b, call, args[0], None, args[1] if len(args) > 1 else None, distinct=True)


@register("make_list", "makelist", args=(1, 2), aggregate=True, name_kind="prefix", prefix="list")
def make_list(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _collect(b, call, args[0], None, args[1] if len(args) > 1 else None, distinct=False)


@register("make_set_if", args=(2, 3), aggregate=True, name_kind="prefix", prefix="set")
def make_set_if(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return _collect(b, call, args[0], predicate, args[2] if len(args) > 2 else None, distinct=True)


@register("make_list_if", args=(2, 3), aggregate=True, name_kind="prefix", prefix="list")
def make_list_if(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return _collect(b, call, args[0], predicate, args[2] if len(args) > 2 else None, distinct=False)


@register("any", args=1, aggregate=True, name_kind="prefix", prefix="any")
def any_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(exp.AnyValue(this=args[0].sql), args[0].type)


@register("take_any", args=1, aggregate=True, name_kind="first")
def take_any(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(exp.AnyValue(this=args[0].sql), args[0].type)


@register("take_anyif", "anyif", args=2, aggregate=True, name_kind="first")
def take_anyif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return Typed(_filtered(exp.AnyValue(this=args[0].sql), predicate), args[0].type)


@register("stdev", args=1, aggregate=True, name_kind="prefix", prefix="stdev")
def stdev(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _summable(b, call, args[0])
    return Typed(fn("stddev_samp", v.sql), T.REAL)


@register("variance", args=1, aggregate=True, name_kind="prefix", prefix="variance")
def variance(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _summable(b, call, args[0])
    return Typed(fn("var_samp", v.sql), T.REAL)


# --- several result columns ----------------------------------------------------------------


def _argument_parts(a: n.Expr) -> tuple[str | None, n.Expr]:
    if isinstance(a, n.Call) and a.name == "__named__":
        label = a.args[0]
        assert isinstance(label, n.Literal) and isinstance(label.value, str)
        return label.value, a.args[1]
    return None, a


@register_tuple_aggregate("arg_max", "arg_min", "argmax", "argmin")
def arg_extreme(b: Binder, call: n.Call, by_names: Sequence[str]) -> list[OutputColumn]:
    """`arg_max(Key, Col1, Col2)` / `arg_max(Key, *)`: the row with the largest Key, per group."""
    from xdrlab.kql.binder.naming import result_name

    if not call.args or isinstance(call.args[0], n.Star):
        raise diag.argument_count(b.op, call.name, "at least 1", call.pos)
    prefix = "max" if call.name in ("arg_max", "argmax") else "min"
    deprecated = call.name in ("argmax", "argmin")
    b.agg_depth += 1
    try:
        key_label, key_expr = _argument_parts(call.args[0])
        key = b.bind(key_expr)
        primary = key_label or result_name(key_expr) or f"{prefix}_"
        chosen: list[tuple[str, Typed]] = [(primary, key)]
        seen = {primary} if isinstance(key_expr, n.Name) else set()
        any_star = any(isinstance(a, n.Star) for a in call.args[1:])
        for i, a in enumerate(call.args[1:], start=1):
            if isinstance(a, n.Star):
                for column, col in b.columns.items():
                    if column in seen or column in by_names or column == primary:
                        continue
                    seen.add(column)
                    label = f"{primary}_{column}" if deprecated else column
                    chosen.append((label, Typed(col.sql.copy(), col.type)))
                continue
            given, expr = _argument_parts(a)
            value = b.bind(expr)
            if isinstance(expr, n.Name) and any_star and expr.name in seen:
                continue
            name = given or result_name(expr)
            if name is None:
                name = f"arg{i}" if deprecated else f"{prefix}_{primary}_arg{i}"
            if isinstance(expr, n.Name):
                seen.add(expr.name)
            chosen.append((f"{primary}_{name}" if deprecated else name, value))
    finally:
        b.agg_depth -= 1
    fields = [
        exp.PropertyEQ(this=exp.to_identifier(f"c{i}"), expression=v.sql)
        for i, (_, v) in enumerate(chosen)
    ]
    extreme_cls = exp.ArgMax if prefix == "max" else exp.ArgMin
    picked = extreme_cls(this=exp.Struct(expressions=fields), expression=key.sql.copy())
    return _struct_columns(picked, chosen)


@register_tuple_aggregate("take_any", "any")
def take_any_columns(b: Binder, call: n.Call, by_names: Sequence[str]) -> list[OutputColumn]:
    """`take_any(*)` / `take_any(a, b)`: the values of one arbitrary row, per group."""
    from xdrlab.kql.binder.naming import result_name

    chosen: list[tuple[str, Typed]] = []
    seen: set[str] = set()
    b.agg_depth += 1
    try:
        for i, a in enumerate(call.args):
            if isinstance(a, n.Star):
                for name, col in b.columns.items():
                    if name in seen or name in by_names:
                        continue
                    seen.add(name)
                    chosen.append((name, Typed(col.sql.copy(), col.type)))
                continue
            label, expr = _argument_parts(a)
            value = b.bind(expr)
            name = (
                label
                or result_name(expr)
                or (f"any_arg{i}" if call.name == "take_any" else f"arg{i}")
            )
            if isinstance(expr, n.Name):
                seen.add(expr.name)
            chosen.append((name, value))
    finally:
        b.agg_depth -= 1
    if not chosen:
        raise diag.argument_count(b.op, call.name, "at least 1", call.pos)
    fields = [
        exp.PropertyEQ(this=exp.to_identifier(f"c{i}"), expression=v.sql)
        for i, (_, v) in enumerate(chosen)
    ]
    picked = exp.AnyValue(this=exp.Struct(expressions=fields))
    return _struct_columns(picked, chosen)


def _struct_columns(picked: exp.Expr, chosen: list[tuple[str, Typed]]) -> list[OutputColumn]:
    """Columns read from one struct-valued aggregate, computed once by `summarize`."""
    group = f"struct{id(picked)}"
    return [
        OutputColumn(name, Typed(picked, v.type, aggregate=True), group, f"c{i}")
        for i, (name, v) in enumerate(chosen)
    ]
