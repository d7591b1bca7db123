"""`extend`: add computed columns (a name already in use is replaced in place)."""

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
class Extend(n.OperatorNode):
    items: tuple[n.Assignment, ...]


def parse(p: Parser, keyword: Token) -> Extend:
    return Extend(keyword.pos, keyword.text, p.parse_assignments(tuples=True))


def lower(ctx: Lowering, rel: Relation, node: Extend) -> Relation:
    counter = [1]
    for item in node.items:
        if isinstance(item.expr, n.Star):
            raise diag.syntax_error("*", item.expr.pos)
        if not rel.can_project() or not refs_simple(rel, [item.expr]):
            rel = rel.wrap()
        value = ctx.binder(rel, node.keyword).bind(item.expr)
        taken = set(rel.names())
        name = item.name or result_name(item.expr) or default_name(taken, counter)
        output = Output(Column(name, value.type), value.sql)
        for i, existing in enumerate(rel.outputs):
            if existing.name == name:
                rel.outputs[i] = output
                break
        else:
            rel.outputs.append(output)
    return rel


register_operator("extend", node=Extend, parse=parse, lower=lower)
