"""`take` / `limit`: at most N rows (any N rows unless the input is sorted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import INTEGER
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Take(n.OperatorNode):
    count: n.Expr


def parse(p: Parser, keyword: Token) -> Take:
    p.skip_hints()
    return Take(keyword.pos, keyword.text, p.parse_expr())


def row_count(ctx: Lowering, rel: Relation, e: n.Expr, op: str) -> int:
    value = ctx.binder(rel, op).bind(e)
    if not value.is_constant or value.type not in INTEGER or not isinstance(value.value, int):
        raise diag.expected_constant(op, "The number of rows", e.pos)
    return max(value.value, 0)


def lower(ctx: Lowering, rel: Relation, node: Take) -> Relation:
    count = row_count(ctx, rel, node.count, node.keyword)
    rel.limit = count if rel.limit is None else min(rel.limit, count)
    return rel


register_operator("take", "limit", node=Take, parse=parse, lower=lower)
