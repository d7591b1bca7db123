"""`extend`: add computed columns.

A name already in use is replaced, its column moving to the end: Kusto removes the existing
column and appends the new value (the extend operator's documented result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import default_name, result_name, unique_name
from xdrlab.kql.binder.types import Typed, fn, string
from xdrlab.kql.functions.registry import MULTI_RESULT
from xdrlab.kql.operators.common import free_names, refs_simple
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
class Extend(n.OperatorNode):
    items: tuple[n.Assignment, ...]


def parse(p: Parser, keyword: Token) -> Extend:
    return Extend(keyword.pos, keyword.text, p.parse_assignments(tuples=True))


def _several(ctx: Lowering, rel: Relation, node: Extend, item: n.Assignment) -> Relation:
    """`extend (a, b, c) = f(...)` for a function producing several columns (`MULTI_RESULT`).

    Its SQL is a Tuple of levels of `expr AS local`: each level becomes hidden columns of one
    SELECT (later levels read the earlier locals as columns), the last level's `result` is a
    STRUCT, and its fields become the named columns one SELECT up."""
    assert isinstance(item.expr, n.Call)
    fields = MULTI_RESULT[item.expr.name]
    if len(item.names) > len(fields) or item.name is not None:
        given = len(item.names) or 1
        raise diag.type_mismatch(
            node.keyword,
            f"'{item.expr.name}' produces {len(fields)} columns, not {given}",
            item.pos,
        )
    if not rel.can_project() or not refs_simple(rel, [item.expr]):
        rel = rel.wrap()
    binder = ctx.binder(rel, node.keyword)
    binder.multi_target = item.expr
    value = binder.bind(item.expr)
    assert isinstance(value.sql, exp.Tuple)
    hidden: dict[str, str] = {}  # local name → hidden column
    for level in value.sql.expressions:
        computed = []
        for alias in level.expressions:
            sql = alias.this.copy()
            for column in list(sql.find_all(exp.Column)):
                if not column.table and column.name in hidden:
                    ref = rel.output(hidden[column.name])
                    assert ref is not None
                    column.replace(ref.sql.copy())
            name = unique_name(f"__{alias.alias}", rel.names())
            rel.outputs.append(Output(Column(name, KustoType.DYNAMIC), sql))
            computed.append((alias.alias, name))
        rel = rel.wrap()
        hidden.update(computed)
    struct = rel.output(hidden["result"])
    assert struct is not None
    rel.outputs = [o for o in rel.outputs if o.name not in hidden.values()]
    first = item.expr.args[0] if item.expr.args else None
    stem = result_name(first) if first is not None else None
    for i, field_name in enumerate(fields):
        if i < len(item.names):
            name = item.names[i]
        else:
            name = (
                f"{item.expr.name}_{stem}_{field_name}"
                if stem
                else f"{item.expr.name}_{field_name}"
            )
        extract = fn("struct_extract", struct.sql.copy(), string(field_name))
        output = Output(Column(name, KustoType.DYNAMIC), extract)
        rel.outputs = [o for o in rel.outputs if o.name != name]
        rel.outputs.append(output)
    return rel


class _Columns:
    """The current SELECT's columns by name, kept up to date item by item, so an `extend` of
    many columns costs each item a lookup instead of a pass over every column."""

    def __init__(self, rel: Relation) -> None:
        self.rel = rel
        self.scope = rel.scope()
        self.index = {o.name: i for i, o in enumerate(rel.outputs)}

    def simple(self, e: n.Expr) -> bool:
        """`refs_simple` for one expression."""
        names = free_names(e)
        if "*" in names:
            return all(o.simple for o in self.rel.outputs)
        outputs = self.rel.outputs
        return all(outputs[self.index[name]].simple for name in names if name in self.index)

    def put(self, output: Output) -> None:
        """Add `output` last (an existing column of that name is removed first)."""
        outputs = self.rel.outputs
        if output.name in self.index:
            del outputs[self.index[output.name]]
            self.index = {o.name: i for i, o in enumerate(outputs)}
        self.index[output.name] = len(outputs)
        outputs.append(output)
        self.scope[output.name] = Typed(output.sql, output.column.type)


def lower(ctx: Lowering, rel: Relation, node: Extend) -> Relation:
    counter = [1]
    columns: _Columns | None = None  # for `rel`; None once `rel` was replaced
    for item in node.items:
        if isinstance(item.expr, n.Star):
            raise diag.syntax_error("*", item.expr.pos)
        if isinstance(item.expr, n.Call) and item.expr.name in MULTI_RESULT:
            rel = _several(ctx, rel, node, item)
            columns = None
            continue
        if len(item.names) > 1:
            raise diag.type_mismatch(
                node.keyword, f"The expression produces 1 column, not {len(item.names)}", item.pos
            )
        if item.names:
            item = n.Assignment(item.pos, item.names[0], item.expr)
        if columns is None:
            columns = _Columns(rel)
        if not rel.can_project() or not columns.simple(item.expr):
            rel = rel.wrap()
            columns = _Columns(rel)
        value = ctx.binder(rel, node.keyword, scope=columns.scope).bind(item.expr)
        taken = columns.index.keys()
        name = item.name or result_name(item.expr) or default_name(taken, counter)
        columns.put(Output(Column(name, value.type), value.sql))
    return rel


register_operator("extend", node=Extend, parse=parse, lower=lower)
