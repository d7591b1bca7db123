"""`mv-apply`: expand each row's arrays into a subtable, run a subquery on every subtable, and
return the union of the results, each with the row's columns that were not expanded.

    T | mv-apply [with_itemindex=I] [Name =] Array [to typeof(T)], ... [limit N] on (Subquery)

The whole input is expanded at once (the `mv-expand` lowering) with a hidden row number, and
the subquery is lowered with that number as its partition (`partitioned`). The columns of the
input row stay visible in the subquery, as in Kusto, and are carried through it; the output
lists them first, then the subquery's own columns. A row whose arrays are empty has an empty
subtable: row-wise operators give no row for it, `summarize` without `by` gives one (the
aggregates over no rows), as Kusto runs the subquery on the empty subtable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import result_name
from xdrlab.kql.binder.types import T
from xdrlab.kql.operators import mv_expand
from xdrlab.kql.operators.partitioned import ROW_WISE, PartitionedLowering, parse_subquery
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shared_input import SharedInput
from xdrlab.kql.relation import Output, Relation
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class MvApply(n.OperatorNode):
    expansion: mv_expand.MvExpand
    subquery: tuple[n.OperatorNode, ...]


def parse_node(p: Parser, keyword: Token) -> MvApply:
    # `mv-expand` is what expands: same items, index and limit (bags expand as bags)
    expansion = mv_expand.parse_expansion(p, keyword.pos, "mv-apply", ("with_itemindex",))
    p.expect_word("on")
    return MvApply(keyword.pos, keyword.text, expansion, parse_subquery(p))


def lower(ctx: Lowering, rel: Relation, node: MvApply) -> Relation:
    row = ctx.hidden_name("__mva")
    if not rel.can_project() or rel.windowed:
        rel = rel.wrap()
    rel.outputs.append(Output(Column(row, T.LONG), exp.Window(this=exp.RowNumber())))
    shared = SharedInput(rel, f"{row}_rows")
    rel = shared.scan()
    input_names = [name for name in rel.names() if name != row]
    rel = mv_expand.lower(ctx, rel, node.expansion)
    expanded = set(rel.names()) - set(input_names) | _replaced(node.expansion, input_names)
    carried = [name for name in input_names if name not in expanded]
    partitions = shared.scan([row, *carried])
    lowering = PartitionedLowering(ctx, row, carried, node.keyword, partitions)
    for op in node.subquery:
        rel = lowering.lower(rel, op)
    rel = shared.attach(rel, lowering.partitions_read)
    # the input row's columns first, then the subquery's; the row number goes
    first = [rel.output(name) for name in carried]
    rest = [o for o in rel.outputs if o.name not in carried and o.name != row]
    rel.outputs = [o for o in first if o is not None] + rest
    if not rel.outputs:
        raise diag.unsupported_feature(
            f"'{node.keyword}' operator: a result without columns", node.pos
        )
    return rel


def _replaced(expansion: mv_expand.MvExpand, input_names: list[str]) -> set[str]:
    """Input columns an expanded item replaced (`mv-apply Tags on ...` expands `Tags` itself)."""
    names = set(input_names)
    replaced: set[str] = set()
    for item in expansion.items:
        name = item.name or result_name(item.expr)
        if name in names:
            replaced.add(name)
    return replaced


register_operator("mv-apply", "mvapply", node=MvApply, parse=parse_node, lower=lower)
ROW_WISE.add(MvApply)  # each input row's result depends on that row alone
