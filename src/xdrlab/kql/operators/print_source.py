"""`print [Name =] Expr, ...`: one row of scalar values, a tabular source.

Each expression is scalar: literals, functions, scalar `let`s, `toscalar(...)`; there is no
input row, so a name that is not a `let` is an unknown column. An unnamed expression's column
is `print_N`, N its 0-based place in the list (Kusto's documented example:
`print 0 + 1 + 2 + 3 + 4 + 5, x = "Wow!"` has the columns `print_0` and `x`). Lowered to a
SELECT of the values over a one-row VALUES list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import unique_name
from xdrlab.kql.binder.scalar import Binder
from xdrlab.kql.operators.registry import register_source
from xdrlab.kql.relation import Output, Relation
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Print(n.TabularExpr):
    items: tuple[n.Assignment, ...]


def parse(p: Parser, keyword: Token) -> Print:
    if p.at_end_of_operator():
        raise p.fail()  # `print` needs at least one expression
    return Print(keyword.pos, keyword.text, p.parse_assignments())


def _one_row() -> exp.Expr:
    """`(VALUES (1)) AS _print(_one)`: the row the values are selected over."""
    alias = exp.TableAlias(
        this=exp.Identifier(this="_print", quoted=True),
        columns=[exp.Identifier(this="_one", quoted=True)],
    )
    return exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.number(1)])], alias=alias)


def lower(ctx: Lowering, node: Print) -> Relation:
    binder = Binder(ctx.env, {}, node.keyword)
    outputs: list[Output] = []
    named = {item.name for item in node.items if item.name is not None}
    taken: set[str] = set()
    for index, item in enumerate(node.items):
        if isinstance(item.expr, n.Star):
            raise diag.syntax_error("*", item.expr.pos)
        value = binder.bind(item.expr)
        if item.name is not None:
            if item.name in taken:
                raise diag.duplicate_column(node.keyword, item.name, item.pos)
            name = item.name
        else:  # a generated name gives way to the names written in the query
            name = unique_name(f"print_{index}", taken | named)
        taken.add(name)
        outputs.append(Output(Column(name, value.type), value.sql))
    return Relation(_one_row(), outputs)


register_source("print", node=Print, parse=parse, lower=lower)
