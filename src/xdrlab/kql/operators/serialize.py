"""`serialize [Name = expr, ...]`: fix the row order so window functions (`row_number()`,
`prev()`, `next()`) may follow; the optional assignments are computed like `extend`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql.operators import extend
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Serialize(n.OperatorNode):
    items: tuple[n.Assignment, ...]


def parse(p: Parser, keyword: Token) -> Serialize:
    if p.at_end_of_operator():
        return Serialize(keyword.pos, keyword.text, ())
    return Serialize(keyword.pos, keyword.text, p.parse_assignments())


def lower(ctx: Lowering, rel: Relation, node: Serialize) -> Relation:
    if rel.aggregated or rel.distinct:
        rel = rel.wrap()
    rel.serialized = True
    if node.items:
        rel = extend.lower(ctx, rel, extend.Extend(node.pos, node.keyword, node.items))
    return rel


register_operator("serialize", node=Serialize, parse=parse, lower=lower)
