"""`datatable(Col:type, ...) [v1, v2, ...]` literal tables, and `externaldata`, refused.

Values are constants (literals, `datetime(...)`, `dynamic(...)`, `long(null)`, lets that fold
to constants), row after row; each is converted to its column's type like Kusto does for
literals (a long in a real column is a real). Lowered to a VALUES list with typed casts.
`externaldata` would read a URL or a file: refused with KQL_EXTERNAL_DATA, as is
`external_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import as_type
from xdrlab.kql.binder.scalar import Binder
from xdrlab.kql.binder.types import NUMERIC, STRINGLIKE, T, Typed, cast, constant, empty
from xdrlab.kql.operators.invoke import PARAM_TYPES
from xdrlab.kql.operators.registry import register_source
from xdrlab.kql.relation import Output, Relation, column_ref, sql_names
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser

MAX_VALUES = 100_000


@dataclass(frozen=True, slots=True)
class DataTable(n.TabularExpr):
    columns: tuple[tuple[diag.Position, str, str], ...]  # (pos, name, type name)
    values: tuple[n.Expr, ...]
    end: diag.Position


def parse(p: Parser, keyword: Token) -> DataTable:
    p.expect_punct("(")
    columns: list[tuple[diag.Position, str, str]] = []
    while True:
        t = p.tok
        name = p.parse_identifier()
        p.expect_punct(":")
        type_name = p.expect_word(*PARAM_TYPES).text
        columns.append((t.pos, name, type_name))
        if not p.accept_punct(","):
            break
    p.expect_punct(")")
    p.expect_punct("[")
    values: list[n.Expr] = []
    while not p.at_punct("]"):
        values.append(p.parse_expr())
        if len(values) > MAX_VALUES:
            raise diag.too_complex(keyword.pos)
        if not p.accept_punct(","):
            break
    end = p.expect_punct("]")
    return DataTable(keyword.pos, keyword.text, tuple(columns), tuple(values), end.pos)


def _value(binder: Binder, e: n.Expr, column: Column) -> exp.Expr:
    v = binder.constant_of(e, "A datatable value")
    target = column.type
    if v.value is None:
        return empty(target)
    if v.type is not target and not (
        target is T.DYNAMIC or {v.type, target} <= NUMERIC or {v.type, target} <= STRINGLIKE
    ):
        raise diag.type_mismatch(
            "datatable",
            f"A value of type {v.type.value} cannot go in the {target.value} column "
            f"'{column.name}'",
            e.pos,
        )
    if target is T.DYNAMIC and v.type is not T.DYNAMIC:
        return constant(T.DYNAMIC, v.value).sql
    converted: Typed = as_type(v, target)
    return cast(converted.sql, target)


def lower(ctx: Lowering, node: DataTable) -> Relation:
    names = [name for _, name, _ in node.columns]
    for i, (pos, name, _) in enumerate(node.columns):
        if name in names[:i]:
            raise diag.duplicate_column("datatable", name, pos)
    columns = [Column(name, PARAM_TYPES[t]) for _, name, t in node.columns]
    width = len(columns)
    if len(node.values) % width:
        raise diag.argument_count("datatable", "datatable", f"a multiple of {width}", node.end)
    binder = Binder(ctx.env, {}, "datatable")
    aliases = sql_names(names)
    rows = [
        exp.Tuple(
            expressions=[_value(binder, node.values[i + j], columns[j]) for j in range(width)]
        )
        for i in range(0, len(node.values), width)
    ]
    if not rows:  # no rows: one row of nulls, filtered out
        rows = [exp.Tuple(expressions=[cast(exp.Null(), c.type) for c in columns])]
    alias = exp.TableAlias(
        this=exp.Identifier(this="_dt", quoted=True),
        columns=[exp.Identifier(this=a, quoted=True) for a in aliases],
    )
    values = exp.Values(expressions=rows, alias=alias)
    rel = Relation(
        values, [Output(c, column_ref(a)) for c, a in zip(columns, aliases, strict=True)]
    )
    if not node.values:
        rel.where.append(exp.false())
    return rel


@dataclass(frozen=True, slots=True)
class External(n.TabularExpr):
    pass


def refuse(p: Parser, keyword: Token) -> External:
    raise diag.external_data(f"'{keyword.text}'", keyword.pos)


register_source("datatable", node=DataTable, parse=parse, lower=lower)
register_source(
    "externaldata",
    "external_table",
    node=External,
    parse=refuse,
    refused_because="it would read a URL or a file outside the lake (`KQL_EXTERNAL_DATA`)",
)
