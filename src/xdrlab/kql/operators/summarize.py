"""`summarize aggregates [by keys]`: one row per group (one row overall when there is no `by`).

Output columns are the `by` keys first, then the aggregates, named like Kusto names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import default_name, result_name, unique_name
from xdrlab.kql.binder.types import fn, string
from xdrlab.kql.functions.registry import TUPLE_AGGREGATES
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Summarize(n.OperatorNode):
    aggregates: tuple[n.Assignment, ...]
    by: tuple[n.Assignment, ...]


def parse(p: Parser, keyword: Token) -> Summarize:
    p.skip_hints()
    aggregates: tuple[n.Assignment, ...] = ()
    if not p.at_word("by"):
        aggregates = p.parse_assignments(tuples=True)
    by: tuple[n.Assignment, ...] = ()
    if p.accept_word("by"):
        by = p.parse_assignments()
    if not aggregates and not by:
        raise p.fail()
    return Summarize(keyword.pos, keyword.text, aggregates, by)


def _is_tuple_aggregate(e: n.Expr) -> bool:
    if not isinstance(e, n.Call) or e.name not in TUPLE_AGGREGATES:
        return False
    if e.name in ("arg_max", "arg_min", "argmax", "argmin"):
        return True
    return len(e.args) != 1 or any(isinstance(a, n.Star) for a in e.args)


def lower(ctx: Lowering, rel: Relation, node: Summarize) -> Relation:
    if rel.aggregated or rel.windowed or rel.distinct or rel.limit is not None:
        rel = rel.wrap()
    rel.order = []
    keys = ctx.binder(rel, node.keyword)
    outputs: list[Output] = []
    group = []
    taken: list[str] = []
    counter = [1]
    for item in node.by:
        value = keys.bind(item.expr)
        name = item.name or result_name(item.expr) or default_name(set(taken), counter)
        if name in taken:
            if item.name:
                raise diag.duplicate_column(node.keyword, name, item.pos)
            name = unique_name(name, taken)
        taken.append(name)
        group.append(value.sql)
        outputs.append(Output(Column(name, value.type), value.sql.copy()))
    by_names = [o.name for o in outputs]
    # (final column, struct column, field) for columns taken from a shared struct aggregate
    extracted: list[tuple[Column, str | None, str | None]] = [
        (o.column, None, None) for o in outputs
    ]
    structs: dict[str, exp.Expr] = {}
    hidden_names: dict[str, str] = {}
    aggs = ctx.binder(rel, node.keyword, aggregates=True)
    for item in node.aggregates:
        if _is_tuple_aggregate(item.expr):
            assert isinstance(item.expr, n.Call)
            given = item.names or ((item.name,) if item.name is not None else ())
            columns = TUPLE_AGGREGATES[item.expr.name](aggs, item.expr, by_names)
            if len(given) > len(columns):
                raise diag.type_mismatch(
                    node.keyword,
                    f"'{item.expr.name}' produces {len(columns)} columns, not {len(given)}",
                    item.pos,
                )
            for i, column in enumerate(columns):
                if i < len(given):  # `(A, B) = arg_max(...)` names the first columns
                    name = given[i]
                    if name in taken:
                        raise diag.duplicate_column(node.keyword, name, item.pos)
                else:
                    name = unique_name(column.name, taken)
                taken.append(name)
                if column.group is None:
                    outputs.append(Output(Column(name, column.value.type), column.value.sql))
                    extracted.append((Column(name, column.value.type), None, None))
                    continue
                hidden = hidden_names.setdefault(column.group, f"__agg{len(hidden_names) + 1}")
                if hidden not in structs:
                    structs[hidden] = column.value.sql
                    outputs.append(Output(Column(hidden, KustoType.DYNAMIC), column.value.sql))
                extracted.append((Column(name, column.value.type), hidden, column.field))
            continue
        if len(item.names) > 1:
            raise diag.type_mismatch(
                node.keyword, f"The expression produces 1 column, not {len(item.names)}", item.pos
            )
        item = n.Assignment(item.pos, item.names[0], item.expr) if item.names else item
        seen = aggs.agg_count
        value = aggs.bind(item.expr)
        if aggs.agg_count == seen:
            raise diag.not_aggregate(node.keyword, item.expr.pos)
        name = item.name or result_name(item.expr) or default_name(set(taken), counter)
        if name in taken:
            if item.name:
                raise diag.duplicate_column(node.keyword, name, item.pos)
            name = unique_name(name, taken)
        taken.append(name)
        outputs.append(Output(Column(name, value.type), value.sql))
        extracted.append((Column(name, value.type), None, None))
    rel.outputs = outputs
    rel.group = group
    if not structs:
        return rel
    # the struct aggregates are computed once; their fields become columns one SELECT up
    rel = rel.wrap()
    refs = {o.name: o.sql for o in rel.outputs}
    final: list[Output] = []
    for final_column, struct_name, field_name in extracted:
        if struct_name is None or field_name is None:
            final.append(Output(final_column, refs[final_column.name]))
        else:
            extract = fn("struct_extract", refs[struct_name].copy(), string(field_name))
            final.append(Output(final_column, extract))
    rel.outputs = final
    return rel


register_operator("summarize", node=Summarize, parse=parse, lower=lower)
