"""`getschema`: the input's columns as a table: `ColumnName`, `ColumnOrdinal`, `DataType` (the
.NET type Kusto reports) and `ColumnType` (the Kusto type name), one row per column, in order.

The schema is known when the query compiles, so the result is a constant table: the input's
rows are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.binder.types import T, cast, number, string
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.relation import Output, Relation, column_ref
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser

DOTNET_TYPES = {
    KustoType.STRING: "System.String",
    KustoType.DATETIME: "System.DateTime",
    KustoType.LONG: "System.Int64",
    KustoType.INT: "System.Int32",
    KustoType.BOOL: "System.SByte",
    KustoType.REAL: "System.Double",
    KustoType.DYNAMIC: "System.Object",
    KustoType.GUID: "System.Guid",
    KustoType.TIMESPAN: "System.TimeSpan",
    KustoType.DECIMAL: "System.Data.SqlTypes.SqlDecimal",
}
COLUMNS = (
    Column("ColumnName", T.STRING),
    Column("ColumnOrdinal", T.INT),
    Column("DataType", T.STRING),
    Column("ColumnType", T.STRING),
)


@dataclass(frozen=True, slots=True)
class GetSchema(n.OperatorNode):
    pass


def parse(p: Parser, keyword: Token) -> GetSchema:
    return GetSchema(keyword.pos, keyword.text)


def lower(ctx: Lowering, rel: Relation, node: GetSchema) -> Relation:
    rows = [
        exp.Tuple(
            expressions=[
                cast(string(c.name), T.STRING),
                cast(number(i), T.INT),
                cast(string(DOTNET_TYPES[c.type]), T.STRING),
                cast(string(c.type.value), T.STRING),
            ]
        )
        for i, c in enumerate(rel.columns)
    ]
    aliases = [c.name for c in COLUMNS]
    alias = exp.TableAlias(
        this=exp.Identifier(this="_schema", quoted=True),
        columns=[exp.Identifier(this=a, quoted=True) for a in aliases],
    )
    result = Relation(
        exp.Values(expressions=rows, alias=alias),
        [Output(c, column_ref(c.name)) for c in COLUMNS],
        depth=rel.depth,
    )
    # the rows keep the columns' order
    result.order = [exp.Ordered(this=column_ref("ColumnOrdinal"), desc=False, nulls_first=True)]
    return result


register_operator("getschema", node=GetSchema, parse=parse, lower=lower)
