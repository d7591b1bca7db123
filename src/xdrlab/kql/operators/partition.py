"""`partition by Column (Subquery)`: run the subquery on the rows of each value of `Column`
and return the union of the results.

    T | partition [hint.strategy=...] by Column ( Subquery )

The subquery is lowered once, with a hidden copy of the column as its partition key
(`partitioned`), so the query stays one SQL statement that the engine parallelises itself; the
strategy and other hints change how Kusto schedules the work, not the result, and are accepted.
Kusto's legacy form with a braced subquery and its own source (`{ ... }`) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import T
from xdrlab.kql.operators.partitioned import PartitionedLowering, parse_subquery
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shared_input import SharedInput
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Partition(n.OperatorNode):
    column: n.Name
    subquery: tuple[n.OperatorNode, ...]


def parse(p: Parser, keyword: Token) -> Partition:
    p.skip_hints()
    p.expect_word("by")
    name = p.tok
    column = n.Name(name.pos, p.parse_identifier())
    p.skip_hints()
    if p.at_punct("{"):
        raise diag.unsupported_feature("'partition' with a braced subquery", p.tok.pos)
    return Partition(keyword.pos, keyword.text, column, parse_subquery(p))


def lower(ctx: Lowering, rel: Relation, node: Partition) -> Relation:
    if not rel.can_project() or rel.windowed:
        rel = rel.wrap()
    key = ctx.binder(rel, node.keyword).bind(node.column)
    if key.type is T.DYNAMIC:
        raise diag.type_mismatch(
            node.keyword, "The partition key cannot be of type dynamic", node.column.pos
        )
    hidden = ctx.hidden_name("__part")
    rel.outputs.append(Output(Column(hidden, key.type), key.sql))
    shared = SharedInput(rel, f"{hidden}_rows")
    rel = shared.scan()
    partitions = shared.scan([hidden])
    partitions.distinct = True
    lowering = PartitionedLowering(ctx, hidden, [], node.keyword, partitions)
    for op in node.subquery:
        rel = lowering.lower(rel, op)
    rel = shared.attach(rel, lowering.partitions_read)
    rel.outputs = [o for o in rel.outputs if o.name != hidden]
    if not rel.outputs:
        raise diag.unsupported_feature(
            f"'{node.keyword}' operator: a result without columns", node.pos
        )
    return rel


register_operator("partition", node=Partition, parse=parse, lower=lower)
