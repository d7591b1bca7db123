"""`materialize(T)`, `toscalar(T)` and `T | as Name`.

`materialize` returns its argument: each use of the let holding it is lowered in place
(DuckDB runs the common parts once per use). `toscalar` is the first column of the first row
as a scalar subquery (a scalar argument is returned as it is). `as Name` binds the result so
far to `Name` for the rest of the query, like a tabular let, and passes it on unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.binder.scalar import TabularLet
from xdrlab.kql.operators.join import parse_options
from xdrlab.kql.operators.registry import register_operator, register_source
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


def _argument(p: Parser) -> n.Expr:
    """`( tabular or scalar expression )`."""
    open_ = p.expect_punct("(")
    parse_options(p)  # e.g. toscalar(kind=nooptimization, ...): no effect here
    value = p.parse_tabular_or_scalar()
    p.expect_punct(")")
    if isinstance(value, n.Pipeline):
        return n.SubPipeline(open_.pos, value)
    return value


@dataclass(frozen=True, slots=True)
class Materialize(n.TabularExpr):
    source: n.Expr


def parse_materialize(p: Parser, keyword: Token) -> Materialize:
    return Materialize(keyword.pos, keyword.text, _argument(p))


def lower_materialize(ctx: Lowering, node: Materialize) -> Relation:
    return ctx.source(node.source, node.keyword)


def parse_toscalar(p: Parser, keyword: Token) -> n.ToScalar:
    return n.ToScalar(keyword.pos, _argument(p))


@dataclass(frozen=True, slots=True)
class As(n.OperatorNode):
    name: str


def parse_as(p: Parser, keyword: Token) -> As:
    parse_options(p)  # hint.materialized=true
    return As(keyword.pos, keyword.text, p.parse_identifier())


def lower_as(ctx: Lowering, rel: Relation, node: As) -> Relation:
    parts = [rel.source, *(o.sql for o in rel.outputs), *rel.where]
    tables = frozenset(
        t.name for part in parts for t in part.find_all(exp.Table) if t.name in ctx.tables
    )
    ctx.env.lets[node.name] = TabularLet(rel.clone(), tables)
    return rel


register_source("materialize", node=Materialize, parse=parse_materialize, lower=lower_materialize)
register_source("toscalar", node=n.ToScalar, parse=parse_toscalar)
register_operator("as", node=As, parse=parse_as, lower=lower_as)
