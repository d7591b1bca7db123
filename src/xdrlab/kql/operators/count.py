"""`count`: the number of input rows, as one row with a `Count` column of type long."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

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
class Count(n.OperatorNode):
    pass


def parse(p: Parser, keyword: Token) -> Count:
    if p.at_word("as"):
        raise p.fail()
    return Count(keyword.pos, keyword.text)


def lower(ctx: Lowering, rel: Relation, node: Count) -> Relation:
    if rel.aggregated or rel.distinct or rel.limit is not None:
        rel = rel.wrap()
    rel.order = []
    rel.outputs = [Output(Column("Count", KustoType.LONG), exp.Count(this=exp.Star()))]
    rel.group = []
    return rel


register_operator("count", node=Count, parse=parse, lower=lower)
