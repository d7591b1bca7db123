"""`sort by` / `order by`: descending unless `asc`; nulls last for desc, first for asc."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.operators.common import refs_simple
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Sort(n.OperatorNode):
    keys: tuple[n.SortKey, ...]


def parse_keys(p: Parser) -> tuple[n.SortKey, ...]:
    keys = [p.parse_sort_key()]
    while p.accept_punct(","):
        keys.append(p.parse_sort_key())
    return tuple(keys)


def parse(p: Parser, keyword: Token) -> Sort:
    p.skip_hints()
    p.expect_word("by")
    return Sort(keyword.pos, keyword.text, parse_keys(p))


def apply_order(ctx: Lowering, rel: Relation, keys: tuple[n.SortKey, ...], op: str) -> Relation:
    if not rel.can_sort() or not refs_simple(rel, [k.expr for k in keys]):
        rel = rel.wrap()
    binder = ctx.binder(rel, op)
    order = []
    for key in keys:
        value = binder.bind(key.expr)
        order.append(exp.Ordered(this=value.sql, desc=key.descending, nulls_first=key.nulls_first))
    rel.order = order
    return rel


def lower(ctx: Lowering, rel: Relation, node: Sort) -> Relation:
    return apply_order(ctx, rel, node.keys, node.keyword)


register_operator("sort", "order", node=Sort, parse=parse, lower=lower)
