"""`top-nested N of Key by Agg [asc|desc]`: the N groups of `Key` with the largest aggregate.

One level is `summarize Agg by Key | top N by Agg`: the key column (named like `summarize`
names it) and the aggregate, named `aggregated_<Key>` unless named. Several levels and
`with others` are refused as unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import result_name
from xdrlab.kql.operators import summarize
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.sort import apply_order
from xdrlab.kql.operators.take import row_count
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Level:
    pos: diag.Position
    count: n.Expr | None
    key: n.Assignment
    others: n.Expr | None
    aggregate: n.Assignment
    descending: bool


@dataclass(frozen=True, slots=True)
class TopNested(n.OperatorNode):
    levels: tuple[Level, ...]


def parse(p: Parser, keyword: Token) -> TopNested:
    levels: list[Level] = []
    start = keyword
    while True:
        p.skip_hints()
        count = None if p.at_word("of") else p.parse_additive()
        p.expect_word("of")
        key = p.parse_assignment()
        others: n.Expr | None = None
        if p.at_word("with") and p.peek().is_word("others"):
            p.advance()
            p.advance()
            p.expect_punct("=")
            others = p.parse_additive()
        p.expect_word("by")
        aggregate = p.parse_assignment()
        descending = True
        if p.accept_word("asc"):
            descending = False
        else:
            p.accept_word("desc")
        levels.append(Level(start.pos, count, key, others, aggregate, descending))
        if not p.accept_punct(","):
            break
        start = p.expect_word("top-nested")
    return TopNested(keyword.pos, keyword.text, tuple(levels))


def lower(ctx: Lowering, rel: Relation, node: TopNested) -> Relation:
    if len(node.levels) > 1:
        raise diag.unsupported_feature("'top-nested' with several levels", node.levels[1].pos)
    (level,) = node.levels
    if level.others is not None:
        raise diag.unsupported_feature("'top-nested ... with others'", level.others.pos)
    count = None if level.count is None else row_count(ctx, rel, level.count, node.keyword)
    key_name = level.key.name or result_name(level.key.expr) or "Column1"
    key = n.Assignment(level.key.pos, key_name, level.key.expr)
    agg_name = level.aggregate.name or f"aggregated_{key_name}"
    aggregate = n.Assignment(level.aggregate.pos, agg_name, level.aggregate.expr)
    grouped = summarize.Summarize(node.pos, node.keyword, (aggregate,), (key,))
    rel = summarize.lower(ctx, rel, grouped)
    sort_key = n.SortKey(
        level.aggregate.pos,
        n.Name(level.aggregate.pos, agg_name),
        level.descending,
        not level.descending,
    )
    rel = apply_order(ctx, rel, (sort_key,), node.keyword)
    if count is not None:
        rel.limit = count
    return rel


register_operator("top-nested", node=TopNested, parse=parse, lower=lower)
