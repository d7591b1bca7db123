"""`top N by key [asc|desc] [nulls first|last]`: sort, then take N."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.sort import apply_order, parse_keys
from xdrlab.kql.operators.take import row_count
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Top(n.OperatorNode):
    count: n.Expr
    keys: tuple[n.SortKey, ...]


def parse(p: Parser, keyword: Token) -> Top:
    p.skip_hints()
    count = p.parse_additive()
    p.expect_word("by")
    return Top(keyword.pos, keyword.text, count, parse_keys(p))


def lower(ctx: Lowering, rel: Relation, node: Top) -> Relation:
    count = row_count(ctx, rel, node.count, node.keyword)
    rel = apply_order(ctx, rel, node.keys, node.keyword)
    rel.limit = count
    return rel


register_operator("top", node=Top, parse=parse, lower=lower)
