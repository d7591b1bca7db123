"""`where` / `filter`: keep the rows for which a predicate is true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.binder.naming import unique_name
from xdrlab.kql.operators.common import refs_simple
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
class Where(n.OperatorNode):
    predicate: n.Expr


def parse(p: Parser, keyword: Token) -> Where:
    return Where(keyword.pos, keyword.text, p.parse_expr())


def lower(ctx: Lowering, rel: Relation, node: Where) -> Relation:
    if not rel.can_filter() or not refs_simple(rel, [node.predicate]):
        rel = rel.wrap()
    condition = ctx.binder(rel, node.keyword).bind_bool(node.predicate)
    if condition.sql.find(exp.Window) is not None:
        # A WHERE runs before the SELECT's window functions: compute the condition as a
        # hidden column and filter on it one SELECT up.
        name = unique_name("__where", rel.names())
        rel.outputs.append(Output(Column(name, KustoType.BOOL), condition.sql))
        rel = rel.wrap()
        hidden = rel.output(name)
        assert hidden is not None
        rel.where.append(hidden.sql)
        rel.outputs = [o for o in rel.outputs if o.name != name]
        return rel
    if condition.value is not True:
        rel.where.append(scan_filter(condition.sql))
    return rel


def scan_filter(condition: exp.Expr) -> exp.Expr:
    """`condition` with each term that holds an `IN (...)` list wrapped in COALESCE(term, FALSE).

    DuckDB turns a filter's IN list of more than a few constants into a join, which it cannot
    push into the Parquet scan: every column the query reads is then decoded for every row
    the other filters let through (FileName in~ (8 names) after a time filter: 4x slower).
    Inside COALESCE the list stays a scan filter. A term joined to the rest by AND and OR only
    decides about the row the same way when its NULL becomes FALSE, so nothing else changes.
    New nodes are built: the condition may share subtrees with the relation's columns."""
    if isinstance(condition, exp.And | exp.Or):
        return type(condition)(
            this=scan_filter(condition.this), expression=scan_filter(condition.expression)
        )
    if isinstance(condition, exp.Paren):
        return exp.Paren(this=scan_filter(condition.this))
    if any(node.expressions for node in condition.find_all(exp.In)):
        return exp.Coalesce(this=condition.copy(), expressions=[exp.false()])
    return condition


register_operator("where", "filter", node=Where, parse=parse, lower=lower)
