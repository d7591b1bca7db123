"""`make-series`: per group, arrays of aggregates over fixed bins of an axis column.

`make-series Agg [default=D], ... on Axis from Start to End step Step [by Keys]` (or the older
`on Axis in range(Start, End, Step)`): the bins are `Start + i * Step` for every `i` with
`Start + i * Step < End`; rows outside `[Start, End)` are ignored. Output columns: the keys,
one dynamic array per aggregate (missing bins hold the default: `default=`, else 0 for numeric
aggregates and null otherwise) and the axis column as the dynamic array of bin starts.
Only groups with at least one row in the range get a series.

SQL: the aggregates per (keys, bin) in a CTE; the keys that occur, crossed with `range(n)` and
left-joined back to it, give every bin of every series in order (`list(... ORDER BY i)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import as_type, to_string_sql
from xdrlab.kql.binder.naming import default_name, result_name, unique_name
from xdrlab.kql.binder.types import NUMERIC, T, Typed, fn, interval_micros, micros_interval, number
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shaping import lambda_, param_ref, parse_options
from xdrlab.kql.relation import Output, Relation, column_ref, sql_names
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class SeriesItem:
    pos: diag.Position
    name: str | None
    expr: n.Expr
    default: n.Expr | None


@dataclass(frozen=True, slots=True)
class MakeSeries(n.OperatorNode):
    items: tuple[SeriesItem, ...]
    axis: n.Expr
    start: n.Expr | None
    end: n.Expr | None
    step: n.Expr
    by: tuple[n.Assignment, ...]


def parse(p: Parser, keyword: Token) -> MakeSeries:
    p.skip_hints()
    parse_options(p, ("kind",))
    items: list[SeriesItem] = []
    while True:
        item = p.parse_assignment()
        default: n.Expr | None = None
        if p.at_word("default") and p.peek().is_punct("="):
            p.advance()
            p.advance()
            default = p.parse_additive()
        items.append(SeriesItem(item.pos, item.name, item.expr, default))
        if not p.accept_punct(","):
            break
    p.expect_word("on")
    axis = p.parse_additive()
    start: n.Expr | None = None
    end: n.Expr | None = None
    if p.at_word("in") and p.peek().is_word("range"):
        p.advance()
        p.advance()
        p.expect_punct("(")
        start = p.parse_expr()
        p.expect_punct(",")
        end = p.parse_expr()
        p.expect_punct(",")
        step = p.parse_expr()
        p.expect_punct(")")
    else:
        if p.accept_word("from"):
            start = p.parse_additive()
        if p.accept_word("to"):
            end = p.parse_additive()
        p.expect_word("step")
        step = p.parse_additive()
    by: tuple[n.Assignment, ...] = ()
    if p.accept_word("by"):
        by = p.parse_assignments()
    return MakeSeries(keyword.pos, keyword.text, tuple(items), axis, start, end, step, by)


def _ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def _col(table: str, name: str) -> exp.Column:
    return exp.Column(this=_ident(name), table=_ident(table))


def lower(ctx: Lowering, rel: Relation, node: MakeSeries) -> Relation:
    op = node.keyword
    if node.start is None or node.end is None:
        missing = (node.start is None and "from") or "to"
        raise diag.unsupported_feature(f"'make-series' without '{missing}'", node.axis.pos)
    if rel.aggregated or rel.distinct or rel.limit is not None:
        rel = rel.wrap()
    rel.order = []
    scalars = ctx.binder(rel, op)
    axis = scalars.bind(node.axis)
    start = scalars.bind(node.start)
    end = scalars.bind(node.end)
    step = scalars.bind(node.step)
    if axis.type is T.DATETIME:
        for e, v in ((node.start, start), (node.end, end)):
            if v.type is not T.DATETIME:
                raise diag.type_mismatch(op, f"Expected a datetime, not {v.type.value}", e.pos)
        if step.type is not T.TIMESPAN:
            raise diag.type_mismatch(
                op, f"The step must be a timespan, not {step.type.value}", node.step.pos
            )
        offset: exp.Expr = exp.Sub(
            this=interval_micros(axis.sql.copy()), expression=interval_micros(start.sql.copy())
        )
        size: exp.Expr = interval_micros(step.sql.copy())
        span: exp.Expr = exp.Sub(
            this=interval_micros(end.sql.copy()), expression=interval_micros(start.sql.copy())
        )
    elif axis.type in NUMERIC:
        for e, v in ((node.start, start), (node.end, end), (node.step, step)):
            if v.type not in NUMERIC:
                raise diag.type_mismatch(op, f"Expected a number, not {v.type.value}", e.pos)
        offset = exp.Sub(this=axis.sql.copy(), expression=start.sql.copy())
        size = step.sql.copy()
        span = exp.Sub(this=end.sql.copy(), expression=start.sql.copy())
    else:
        raise diag.type_mismatch(
            op, f"The axis must be a datetime or a number, not {axis.type.value}", node.axis.pos
        )
    if step.is_constant and (not isinstance(step.value, int | float) or step.value <= 0):
        raise diag.type_mismatch(op, "The step must be positive", node.step.pos)
    if not rel.can_filter():
        rel = rel.wrap()
    rel.where.append(
        exp.And(
            this=exp.GTE(this=axis.sql.copy(), expression=start.sql.copy()),
            expression=exp.LT(this=axis.sql.copy(), expression=end.sql.copy()),
        )
    )
    bin_index = fn("floor", exp.Div(this=exp.Paren(this=offset), expression=size.copy()))
    count = fn("ceil", exp.Div(this=exp.Paren(this=span), expression=size.copy()))

    # level 1: the aggregates per (keys, bin)
    keys = ctx.binder(rel, op)
    taken: list[str] = []
    counter = [1]
    key_outputs: list[Output] = []
    for key in node.by:
        value = keys.bind(key.expr)
        name = key.name or result_name(key.expr) or default_name(set(taken), counter)
        if name in taken:
            if key.name:
                raise diag.duplicate_column(op, name, key.pos)
            name = unique_name(name, taken)
        taken.append(name)
        key_outputs.append(Output(Column(name, value.type), value.sql))
    aggs = ctx.binder(rel, op, aggregates=True)
    series: list[tuple[str, Typed, exp.Expr]] = []
    for item in node.items:
        seen = aggs.agg_count
        value = aggs.bind(item.expr)
        if aggs.agg_count == seen:
            raise diag.not_aggregate(op, item.expr.pos)
        name = item.name or result_name(item.expr) or default_name(set(taken), counter)
        if name in taken:
            if item.name:
                raise diag.duplicate_column(op, name, item.pos)
            name = unique_name(name, taken)
        taken.append(name)
        if item.default is not None:
            default = scalars.constant_of(item.default, "The default value")
            fill = as_type(default, value.type).sql
        elif value.type in NUMERIC:
            fill = as_type(Typed(number(0), T.LONG, 0), value.type).sql
        else:
            fill = exp.Null()
        series.append((name, value, fill))
    axis_name = result_name(node.axis) or default_name(set(taken), counter)
    axis_name = unique_name(axis_name, taken)
    group_outputs = [
        Output(Column(f"__k{i + 1}", o.column.type), o.sql) for i, o in enumerate(key_outputs)
    ]
    hidden = [Output(Column(f"__a{i + 1}", v.type), v.sql) for i, (_, v, _) in enumerate(series)]
    rel.outputs = [*group_outputs, Output(Column("__bin", T.LONG), bin_index), *hidden]
    rel.group = [o.sql.copy() for o in group_outputs] + [bin_index.copy()]
    cte_select = rel.to_select()

    # level 2: every bin of every series
    g, k, r = "_ms", "_msk", "_msr"
    key_names = [o.name for o in group_outputs] or ["__one"]
    if group_outputs:
        distinct_keys = exp.Select(expressions=[_col(g, name) for name in key_names])
    else:
        distinct_keys = exp.Select(
            expressions=[exp.Alias(this=exp.Boolean(this=True), alias=_ident("__one"))]
        )
    distinct_keys.set("distinct", exp.Distinct())
    distinct_keys.set("from_", exp.From(this=exp.Table(this=_ident(g))))
    bins = exp.Table(
        this=exp.Anonymous(this="range", expressions=[cast_long(count)]),
        alias=exp.TableAlias(this=_ident(r), columns=[_ident("i")]),
    )
    condition: exp.Expr = exp.EQ(this=_col(g, "__bin"), expression=_col(r, "i"))
    for name in (o.name for o in group_outputs):
        condition = exp.And(
            this=condition,
            expression=exp.NullSafeEQ(this=_col(k, name), expression=_col(g, name)),
        )
    expressions: list[exp.Expr] = []
    out_names = sql_names([o.name for o in key_outputs] + [s[0] for s in series] + [axis_name])
    for o, name in zip(group_outputs, out_names, strict=False):
        expressions.append(exp.Alias(this=_col(k, o.name), alias=_ident(name)))
    order = [exp.Ordered(this=_col(r, "i"), nulls_first=False)]
    for i, (_, _, fill) in enumerate(series):
        value_sql = exp.Coalesce(this=_col(g, f"__a{i + 1}"), expressions=[fill.copy()])
        items = exp.ArrayAgg(this=exp.Order(this=value_sql, expressions=[o.copy() for o in order]))
        alias = _ident(out_names[len(group_outputs) + i])
        expressions.append(exp.Alias(this=fn("to_json", items), alias=alias))
    # the axis: the start of each bin
    i_ref = param_ref("i")
    if axis.type is T.DATETIME:
        at = exp.Add(
            this=start.sql.copy(),
            expression=micros_interval(cast_long(exp.Mul(this=i_ref, expression=size.copy()))),
        )
        element = to_string_sql(Typed(at, T.DATETIME))
    else:
        element = exp.Add(
            this=start.sql.copy(), expression=exp.Mul(this=i_ref, expression=size.copy())
        )
    axis_sql = fn(
        "to_json", fn("list_transform", fn("range", cast_long(count.copy())), lambda_("i", element))
    )
    expressions.append(exp.Alias(this=axis_sql, alias=_ident(out_names[-1])))
    select = exp.Select(expressions=expressions)
    keys_source = exp.Subquery(this=distinct_keys, alias=exp.TableAlias(this=_ident(k)))
    select.set("from_", exp.From(this=keys_source))
    select.set(
        "joins",
        [
            exp.Join(this=bins, kind="CROSS"),
            exp.Join(this=exp.Table(this=_ident(g)), side="LEFT", on=condition),
        ],
    )
    select.set("group", exp.Group(expressions=[_col(k, name) for name in key_names]))
    cte = exp.CTE(this=cte_select, alias=exp.TableAlias(this=_ident(g)))
    select.set("with_", exp.With(expressions=[cte]))
    depth = rel.depth + 1
    source_alias = exp.TableAlias(this=_ident(f"_q{depth}"))
    columns = [o.column for o in key_outputs]
    columns += [Column(name, T.DYNAMIC) for name, _, _ in series]
    columns.append(Column(axis_name, T.DYNAMIC))
    outputs = [Output(c, column_ref(name)) for c, name in zip(columns, out_names, strict=True)]
    return Relation(exp.Subquery(this=select, alias=source_alias), outputs, depth=depth)


_BIGINT = exp.DataType.build("BIGINT")


def cast_long(sql: exp.Expr) -> exp.Expr:
    return exp.Cast(this=sql, to=_BIGINT.copy())


register_operator("make-series", "makeseries", node=MakeSeries, parse=parse, lower=lower)
