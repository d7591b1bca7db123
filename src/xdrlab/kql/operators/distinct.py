"""`distinct a, b` / `distinct *`: the distinct combinations of the given columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import default_name, result_name
from xdrlab.kql.operators.common import refs_simple
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Distinct(n.OperatorNode):
    items: tuple[n.Assignment, ...] | None  # None: distinct *


def parse(p: Parser, keyword: Token) -> Distinct:
    p.skip_hints()
    if p.at_punct("*"):
        p.advance()
        return Distinct(keyword.pos, keyword.text, None)
    return Distinct(keyword.pos, keyword.text, p.parse_assignments())


def lower(ctx: Lowering, rel: Relation, node: Distinct) -> Relation:
    exprs = [item.expr for item in node.items or ()]
    if (
        rel.aggregated
        or rel.windowed
        or rel.distinct
        or rel.limit is not None
        or not refs_simple(rel, exprs)
    ):
        rel = rel.wrap()
    rel.order = []
    if node.items is not None:
        binder = ctx.binder(rel, node.keyword)
        outputs: list[Output] = []
        names: set[str] = set()
        counter = [1]
        for item in node.items:
            value = binder.bind(item.expr)
            name = item.name or result_name(item.expr) or default_name(names, counter)
            if name in names:
                raise diag.duplicate_column(node.keyword, name, item.pos)
            names.add(name)
            outputs.append(Output(Column(name, value.type), value.sql))
        rel.outputs = outputs
    rel.distinct = True
    return rel


register_operator("distinct", node=Distinct, parse=parse, lower=lower)
