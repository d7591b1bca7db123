"""`where` / `filter`: keep the rows for which a predicate is true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql.operators.common import refs_simple
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

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
    if condition.value is not True:
        rel.where.append(condition.sql)
    return rel


register_operator("where", "filter", node=Where, parse=parse, lower=lower)
