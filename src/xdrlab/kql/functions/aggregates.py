"""Aggregation functions for `summarize`: count, dcount, sum, avg, min, max, make_set, ...

Results are typed like Kusto's (count and dcount → long, avg → real, make_set → dynamic) and
named like Kusto's (`count_`, `dcount_DeviceName`, `set_FileName`). `arg_max`/`arg_min` and
`take_any` with several arguments produce several columns and are expanded here too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import to_bool_sql, to_string_sql
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


@register(
    "count",
    sig="[predicate: scalar]",
    returns="long",
    doc="The number of rows (with an argument: where it has a value, or is true).",
    aggregate=True,
    name_kind="prefix",
    prefix="count",
)
def count(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    agg: exp.Expr = exp.Count(this=exp.Star())
    if args and args[0].type is T.BOOL:  # the older count(predicate) spelling
        agg = _filtered(agg, args[0])
    elif args:  # count(x): the rows where x has a value
        agg = exp.Count(this=args[0].sql)
    return Typed(agg, T.LONG)


@register(
    "countif",
    sig="predicate: bool",
    returns="long",
    doc="The number of rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="countif",
)
def countif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    agg = _filtered(exp.Count(this=exp.Star()), _predicate(b, call, args[0], 0))
    return Typed(agg, T.LONG)


def _dcount(b: Binder, call: n.Call, value: Typed, predicate: Typed | None) -> Typed:
    if value.type is T.DYNAMIC:
        raise diag.argument_type(b.op, call.name, 1, "scalar", "dynamic", call.args[0].pos)
    agg = exp.Count(this=exp.Distinct(expressions=[value.sql]))
    return Typed(_filtered(agg, predicate), T.LONG)


@register(
    "dcount",
    sig="expr: scalar, [accuracy: const long]",
    returns="long",
    doc="The number of distinct values (exact; accuracy is ignored).",
    aggregate=True,
    name_kind="prefix",
    prefix="dcount",
)
def dcount(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _dcount(b, call, args[0], None)


@register(
    "dcountif",
    sig="expr: scalar, predicate: bool, [accuracy: const long]",
    returns="long",
    doc="The number of distinct values on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="dcountif",
)
def dcountif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _dcount(b, call, args[0], _predicate(b, call, args[1], 1))


@register(
    "count_distinct",
    sig="expr: scalar",
    returns="long",
    doc="The exact number of distinct values.",
    aggregate=True,
    name_kind="prefix",
    prefix="count_distinct",
)
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


@register(
    "sum",
    sig="expr: real|timespan",
    returns="long for integers, else real (timespan for timespans)",
    doc="The sum of the values.",
    aggregate=True,
    name_kind="prefix",
    prefix="sum",
)
def sum_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _sum(b, call, args[0], None)


@register(
    "sumif",
    sig="expr: real|timespan, predicate: bool",
    returns="like sum",
    doc="The sum of the values on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="sumif",
)
def sumif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _sum(b, call, args[0], _predicate(b, call, args[1], 1))


def _avg(b: Binder, call: n.Call, value: Typed, predicate: Typed | None) -> Typed:
    v = _summable(b, call, value)
    if v.type is T.TIMESPAN:
        mean = _filtered(exp.Avg(this=interval_micros(v.sql)), predicate)
        return Typed(micros_interval(cast(fn("round", mean), T.LONG)), T.TIMESPAN)
    return Typed(_filtered(exp.Avg(this=v.sql), predicate), T.REAL)


@register(
    "avg",
    sig="expr: real|timespan",
    returns="real (timespan for timespans)",
    doc="The mean of the values.",
    aggregate=True,
    name_kind="prefix",
    prefix="avg",
)
def avg(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _avg(b, call, args[0], None)


@register(
    "avgif",
    sig="expr: real|timespan, predicate: bool",
    returns="like avg",
    doc="The mean of the values on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="avgif",
)
def avgif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _avg(b, call, args[0], _predicate(b, call, args[1], 1))


def _extreme(cls: type[exp.Func], value: Typed, predicate: Typed | None) -> Typed:
    if value.type is T.DYNAMIC:
        text = fn("json_extract_string", value.sql, string("$"))
        return Typed(_filtered(cls(this=cast(text, T.REAL)), predicate), T.REAL)
    return Typed(_filtered(cls(this=value.sql), predicate), value.type)


@register(
    "min",
    sig="expr: scalar",
    returns="the type of expr",
    doc="The smallest value.",
    aggregate=True,
    name_kind="prefix",
    prefix="min",
)
def min_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Min, args[0], None)


@register(
    "max",
    sig="expr: scalar",
    returns="the type of expr",
    doc="The largest value.",
    aggregate=True,
    name_kind="prefix",
    prefix="max",
)
def max_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Max, args[0], None)


@register(
    "minif",
    sig="expr: scalar, predicate: bool",
    returns="the type of expr",
    doc="The smallest value on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="minif",
)
def minif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _extreme(exp.Min, args[0], _predicate(b, call, args[1], 1))


@register(
    "maxif",
    sig="expr: scalar, predicate: bool",
    returns="the type of expr",
    doc="The largest value on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="maxif",
)
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


@register(
    "make_set",
    "makeset",
    sig="expr: scalar, [maxSize: const long]",
    returns="dynamic",
    doc="An array of the distinct values (nulls left out).",
    aggregate=True,
    name_kind="prefix",
    prefix="set",
)
def make_set(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _collect(b, call, args[0], None, args[1] if len(args) > 1 else None, distinct=True)


@register(
    "make_list",
    "makelist",
    sig="expr: scalar, [maxSize: const long]",
    returns="dynamic",
    doc="An array of the values (nulls left out).",
    aggregate=True,
    name_kind="prefix",
    prefix="list",
)
def make_list(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _collect(b, call, args[0], None, args[1] if len(args) > 1 else None, distinct=False)


@register(
    "make_set_if",
    sig="expr: scalar, predicate: bool, [maxSize: const long]",
    returns="dynamic",
    doc="An array of the distinct values on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="set",
)
def make_set_if(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return _collect(b, call, args[0], predicate, args[2] if len(args) > 2 else None, distinct=True)


@register(
    "make_list_if",
    sig="expr: scalar, predicate: bool, [maxSize: const long]",
    returns="dynamic",
    doc="An array of the values on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="list",
)
def make_list_if(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return _collect(b, call, args[0], predicate, args[2] if len(args) > 2 else None, distinct=False)


@register(
    "any",
    sig="expr: scalar",
    returns="the type of expr",
    doc="The value of an arbitrary row (older spelling of take_any).",
    aggregate=True,
    name_kind="prefix",
    prefix="any",
)
def any_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(exp.AnyValue(this=args[0].sql), args[0].type)


@register(
    "take_any",
    sig="expr: scalar",
    returns="the type of expr",
    doc="The value of an arbitrary row (with several arguments or *: several columns).",
    aggregate=True,
    name_kind="first",
)
def take_any(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(exp.AnyValue(this=args[0].sql), args[0].type)


@register(
    "take_anyif",
    "anyif",
    sig="expr: scalar, predicate: bool",
    returns="the type of expr",
    doc="The value of an arbitrary row where the predicate is true.",
    aggregate=True,
    name_kind="first",
)
def take_anyif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return Typed(_filtered(exp.AnyValue(this=args[0].sql), predicate), args[0].type)


@register(
    "stdev",
    sig="expr: real",
    returns="real",
    doc="The sample standard deviation of the values.",
    aggregate=True,
    name_kind="prefix",
    prefix="stdev",
)
def stdev(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = _summable(b, call, args[0])
    return Typed(fn("stddev_samp", v.sql), T.REAL)


@register(
    "variance",
    sig="expr: real",
    returns="real",
    doc="The sample variance of the values.",
    aggregate=True,
    name_kind="prefix",
    prefix="variance",
)
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


@register_tuple_aggregate(
    "arg_max",
    "arg_min",
    "argmax",
    "argmin",
    sig="key: scalar, [column: scalar | *, ...]",
    returns="one column per argument",
    doc="The given columns (or all: *) of the row with the largest (arg_min: smallest) key.",
)
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
    # One aggregate per column, all ordered by the same key: DuckDB updates and combines the
    # states of one group's aggregates row by row in the same order, and `arg_max_null` (unlike
    # `arg_max`, which skips rows whose value is null) keeps the first of tied rows for each,
    # so they all read the same row. A struct of the columns in one `arg_max` reads the same
    # row by construction but is several times slower (every row's strings are copied into it).
    extreme = exp.Max if prefix == "max" else exp.Min
    columns = [OutputColumn(primary, Typed(extreme(this=key.sql.copy()), key.type, aggregate=True))]
    for name, value in chosen[1:]:
        picked = fn(f"arg_{prefix}_null", value.sql, key.sql.copy())
        columns.append(OutputColumn(name, Typed(picked, value.type, aggregate=True)))
    return columns


@register_tuple_aggregate(
    "take_any",
    "any",
    sig="column: scalar | *, ...",
    returns="one column per argument",
    doc="The given columns (or all: *) of one arbitrary row.",
)
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


# --- more statistics -----------------------------------------------------------------------


def _spread(fn_name: str, b: Binder, call: n.Call, value: Typed, predicate: Typed | None) -> Typed:
    v = _summable(b, call, value)
    return Typed(_filtered(fn(fn_name, cast(v.sql, T.REAL)), predicate), T.REAL)


def _register_spread(name: str, sql_name: str, what: str, conditional: bool) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        predicate = _predicate(b, call, args[1], 1) if conditional else None
        return _spread(sql_name, b, call, args[0], predicate)

    register(
        name,
        sig="expr: real, predicate: bool" if conditional else "expr: real",
        returns="real",
        doc=f"The {what} of the values"
        + (" on rows where the predicate is true." if conditional else "."),
        aggregate=True,
        name_kind="prefix",
        prefix=name,
    )(impl)


_register_spread("stdevp", "stddev_pop", "population standard deviation", False)
_register_spread("variancep", "var_pop", "population variance", False)
_register_spread("stdevif", "stddev_samp", "sample standard deviation", True)
_register_spread("varianceif", "var_samp", "sample variance", True)


def _percent(b: Binder, call: n.Call, v: Typed, index: int) -> float:
    value = v.value
    if not (v.is_constant and isinstance(value, int | float) and not isinstance(value, bool)):
        raise diag.expected_constant(b.op, f"The percentile of '{call.name}'", call.args[index].pos)
    if not 0 <= value <= 100:
        raise diag.argument_type(
            b.op, call.name, index + 1, "a percentage 0..100", str(value), call.args[index].pos
        )
    return float(value)


def _nearest_rank(value: Typed, percent: float) -> exp.Expr:
    """The nearest-rank percentile: the smallest value with at least `percent`% of values <= it."""
    not_null = exp.Where(this=exp.Not(this=exp.Is(this=value.sql.copy(), expression=exp.Null())))
    ordered = fn(
        "list_sort", exp.Filter(this=exp.ArrayAgg(this=value.sql.copy()), expression=not_null)
    )
    count = exp.Count(this=value.sql.copy())
    rank = fn(
        "greatest",
        cast(fn("ceil", exp.Mul(this=exp.Literal.number(percent / 100), expression=count)), T.LONG),
        exp.Literal.number(1),
    )
    return fn("list_extract", ordered, rank)


def _percentile_name(percent: float) -> str:
    text = f"{percent:g}" if percent != int(percent) else str(int(percent))
    return text.replace(".", "_")


def _percentile_column(call: n.Call, name_of: Callable[[n.Expr], str | None]) -> str | None:
    if len(call.args) < 2 or not isinstance(call.args[1], n.Literal):
        return None
    value = call.args[1].value
    if not isinstance(value, int | float):
        return None
    return f"percentile_{name_of(call.args[0]) or ''}_{_percentile_name(float(value))}"


def _percentile_value(b: Binder, call: n.Call, v: Typed) -> Typed:
    if v.type is T.DYNAMIC:
        return Typed(cast(fn("json_extract_string", v.sql, string("$")), T.REAL), T.REAL)
    if v.type not in NUMERIC and v.type not in (T.DATETIME, T.TIMESPAN):
        raise diag.argument_type(b.op, call.name, 1, "a number", v.type.value, call.args[0].pos)
    return v


@register(
    "percentile",
    sig="expr: real|datetime|timespan, percentile: const real",
    returns="the type of expr",
    doc="The nearest-rank percentile of the values (exact; Kusto estimates it).",
    aggregate=True,
    name_rule=_percentile_column,
)
def percentile(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = _percentile_value(b, call, args[0])
    return Typed(_nearest_rank(value, _percent(b, call, args[1], 1)), value.type)


@register(
    "percentiles_array",
    sig="expr: real|datetime|timespan, percentile: const real...",
    args=(2, 64),
    returns="dynamic",
    doc="The nearest-rank percentiles of the values, as an array.",
    aggregate=True,
    name_kind="prefix",
    prefix="percentiles",
)
def percentiles_array(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = _percentile_value(b, call, args[0])
    ranks = [_nearest_rank(value, _percent(b, call, a, i)) for i, a in enumerate(args[1:], 1)]
    if value.type in (T.DATETIME, T.TIMESPAN):
        ranks = [to_string_sql(Typed(r, value.type)) for r in ranks]
    return Typed(cast(fn("to_json", exp.Array(expressions=ranks)), T.DYNAMIC), T.DYNAMIC)


@register_tuple_aggregate(
    "percentiles",
    sig="expr: real|datetime|timespan, percentile: const real, ...",
    returns="one column per percentile, the type of expr",
    doc="Nearest-rank percentiles, one column each (percentile_<expr>_<p>).",
)
def percentiles(b: Binder, call: n.Call, by_names: Sequence[str]) -> list[OutputColumn]:
    from xdrlab.kql.binder.naming import result_name

    if len(call.args) < 2:
        raise diag.argument_count(b.op, call.name, "at least 2", call.pos)
    b.agg_depth += 1
    try:
        value = _percentile_value(b, call, b.bind_argument(call.args[0]))
        columns = []
        for i, a in enumerate(call.args[1:], 1):
            percent = _percent(b, call, b.bind_argument(a), i)
            name = f"percentile_{result_name(call.args[0]) or ''}_{_percentile_name(percent)}"
            sql = _nearest_rank(value, percent)
            columns.append(OutputColumn(name, Typed(sql, value.type, aggregate=True)))
    finally:
        b.agg_depth -= 1
    return columns


# --- property bags and lists with nulls ------------------------------------------------------


def _make_bag(
    b: Binder, call: n.Call, value: Typed, predicate: Typed | None, size: Typed | None
) -> Typed:
    if value.type is not T.DYNAMIC:
        raise diag.argument_type(b.op, call.name, 1, "dynamic", value.type.value, call.args[0].pos)
    is_bag = exp.EQ(this=fn("json_type", value.sql), expression=string("OBJECT"))
    condition: exp.Expr = is_bag
    if predicate is not None:
        condition = exp.And(this=exp.Paren(this=to_bool_sql(predicate)), expression=is_bag)
    as_map = exp.Cast(this=value.sql.copy(), to=exp.DataType.build("MAP(VARCHAR, JSON)"))
    bags: exp.Expr = exp.Filter(
        this=exp.ArrayAgg(this=as_map), expression=exp.Where(this=condition)
    )
    if size is not None:
        if not (size.is_constant and isinstance(size.value, int)):
            raise diag.expected_constant(b.op, f"The size limit of '{call.name}'", call.pos)
        bags = fn("list_slice", bags, exp.Literal.number(1), exp.Literal.number(max(size.value, 0)))
    # maps, not json_merge_patch: that would drop the keys whose value is null
    merged = fn(
        "to_json",
        fn(
            "list_reduce",
            bags,
            exp.Lambda(
                this=fn("map_concat", exp.column("_a"), exp.column("_b")),
                expressions=[exp.to_identifier("_a"), exp.to_identifier("_b")],
            ),
        ),
    )
    empty = cast(string("{}"), T.DYNAMIC)
    has_any = exp.GT(this=fn("len", bags.copy()), expression=exp.Literal.number(0))
    return Typed(
        exp.Coalesce(
            this=exp.Case(ifs=[exp.If(this=has_any, true=merged)], default=empty),
            expressions=[empty.copy()],
        ),
        T.DYNAMIC,
    )


@register(
    "make_bag",
    sig="expr: dynamic, [maxSize: const long]",
    returns="dynamic",
    doc="The property bags merged into one (a key in several bags: its last value read).",
    aggregate=True,
    name_kind="prefix",
    prefix="bag",
)
def make_bag(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _make_bag(b, call, args[0], None, args[1] if len(args) > 1 else None)


@register(
    "make_bag_if",
    sig="expr: dynamic, predicate: bool, [maxSize: const long]",
    returns="dynamic",
    doc="The property bags of rows where the predicate is true, merged into one.",
    aggregate=True,
    name_kind="prefix",
    prefix="bag",
)
def make_bag_if(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    predicate = _predicate(b, call, args[1], 1)
    return _make_bag(b, call, args[0], predicate, args[2] if len(args) > 2 else None)


@register(
    "make_list_with_nulls",
    sig="expr: scalar",
    returns="dynamic",
    doc="An array of the values, nulls included.",
    aggregate=True,
    name_kind="prefix",
    prefix="list",
)
def make_list_with_nulls(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    agg = exp.ArrayAgg(this=args[0].sql)
    empty = cast(string("[]"), T.DYNAMIC)
    return Typed(exp.Coalesce(this=fn("to_json", agg), expressions=[empty]), T.DYNAMIC)


@register(
    "count_distinctif",
    sig="expr: scalar, predicate: bool",
    returns="long",
    doc="The exact number of distinct values on rows where the predicate is true.",
    aggregate=True,
    name_kind="prefix",
    prefix="count_distinctif",
)
def count_distinctif(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _dcount(b, call, args[0], _predicate(b, call, args[1], 1))


def _register_bits(name: str, sql_name: str, what: str) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        return Typed(cast(fn(sql_name, cast(args[0].sql, T.LONG)), T.LONG), T.LONG)

    register(
        name,
        sig="expr: long",
        returns="long",
        doc=f"The bitwise {what} of the values.",
        aggregate=True,
        name_kind="prefix",
        prefix=name,
    )(impl)


_register_bits("binary_all_and", "bit_and", "AND")
_register_bits("binary_all_or", "bit_or", "OR")
_register_bits("binary_all_xor", "bit_xor", "XOR")
