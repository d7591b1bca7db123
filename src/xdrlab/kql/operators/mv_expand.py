"""`mv-expand` / `mvexpand`: one row per element of dynamic arrays (or slot of property bags).

Each expanded value becomes a DuckDB list and is `unnest`-ed in the SELECT list; several
lists unnested in one SELECT expand in parallel, the shorter ones padded with nulls, which is
Kusto's rule. Per value: an array gives its elements (an empty array no row); a property bag
gives one single-slot bag per slot (`bagexpansion=bag`, the default) or `[key, value]` arrays
(`bagexpansion=array`); null and any other scalar give one row holding the value itself.

Expanded columns are dynamic unless `to typeof(T)` converts them (with the catalogue's `toT`).
An expression item is named like `extend` names it (`mv-expand todynamic(Folders)` replaces
`Folders`); an existing name is replaced in place, a new one is appended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import default_name, result_name
from xdrlab.kql.binder.types import INTEGER, T, Typed, fn, number, string
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shaping import (
    convert,
    lambda_,
    param_ref,
    parse_options,
    parse_typeof,
)
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser

_BAG_AS_MAP = exp.DataType.build("MAP(VARCHAR, JSON)")
LEGACY_LIMIT = 128  # `mvexpand` expands at most 128 elements per row unless told otherwise


@dataclass(frozen=True, slots=True)
class ExpandItem:
    pos: diag.Position
    name: str | None
    expr: n.Expr
    type: KustoType | None
    type_pos: diag.Position | None


@dataclass(frozen=True, slots=True)
class MvExpand(n.OperatorNode):
    bag_as_array: bool
    index_name: str | None
    items: tuple[ExpandItem, ...]
    limit: n.Expr | None


def parse_items(p: Parser) -> tuple[ExpandItem, ...]:
    items: list[ExpandItem] = []
    while True:
        item = p.parse_assignment()
        target: KustoType | None = None
        target_pos: diag.Position | None = None
        if p.accept_word("to"):
            target_pos, target = parse_typeof(p)
        items.append(ExpandItem(item.pos, item.name, item.expr, target, target_pos))
        if not p.accept_punct(","):
            return tuple(items)


def parse(p: Parser, keyword: Token) -> MvExpand:
    p.skip_hints()
    options = parse_options(p, ("kind", "bagexpansion", "with_itemindex"))
    bag_as_array = False
    for key in ("kind", "bagexpansion"):
        if key in options:
            pos, value = options[key]
            if value not in ("bag", "array"):
                raise diag.syntax_error(str(value), pos)
            bag_as_array = value == "array"
    index_name: str | None = None
    if "with_itemindex" in options:
        pos, value = options["with_itemindex"]
        if not isinstance(value, str):
            raise diag.syntax_error(str(value), pos)
        index_name = value
    items = parse_items(p)
    limit = p.parse_additive() if p.accept_word("limit") else None
    return MvExpand(keyword.pos, keyword.text, bag_as_array, index_name, items, limit)


def expansion_list(value: exp.Expr, bag_as_array: bool) -> exp.Expr:
    """The JSON[] list a dynamic value expands to (see the module docstring)."""
    entry = param_ref("e")
    # struct_extract, not `e.key`: DuckDB reads a dotted name as a column's field first, so a
    # column named E (names are case-insensitive) would shadow the lambda parameter.
    key = fn("struct_extract", entry, string("key"))
    val = fn("struct_extract", entry.copy(), string("value"))
    slot = fn("json_array", key, val) if bag_as_array else fn("json_object", key, val)
    slots = fn(
        "list_transform",
        fn("map_entries", exp.Cast(this=value.copy(), to=_BAG_AS_MAP.copy())),
        lambda_("e", slot),
    )
    kind = fn("json_type", value.copy())
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=kind, expression=string("ARRAY")),
                true=fn("json_extract", value.copy(), string("$[*]")),
            ),
            exp.If(this=exp.EQ(this=kind.copy(), expression=string("OBJECT")), true=slots),
        ],
        default=exp.Array(expressions=[value.copy()]),
    )


def _limit(ctx: Lowering, rel: Relation, node: MvExpand) -> int | None:
    if node.limit is None:
        return LEGACY_LIMIT if node.keyword == "mvexpand" else None
    v = ctx.binder(rel, node.keyword).bind(node.limit)
    if not v.is_constant or v.type not in INTEGER or not isinstance(v.value, int):
        raise diag.expected_constant(node.keyword, "The row limit", node.limit.pos)
    return max(v.value, 0)


def _put(outputs: list[Output], output: Output) -> None:
    for i, existing in enumerate(outputs):
        if existing.name == output.name:
            outputs[i] = output
            return
    outputs.append(output)


def _hide(rel: Relation, values: list[exp.Expr], prefix: str) -> tuple[Relation, list[exp.Expr]]:
    """Compute `values` once in the current SELECT; a new SELECT on top refers to them."""
    hidden = [f"{prefix}{i + 1}" for i in range(len(values))]
    for name, value in zip(hidden, values, strict=True):
        rel.outputs.append(Output(Column(name, T.DYNAMIC), value))
    rel = rel.wrap()
    refs = [o.sql for o in rel.outputs[-len(hidden) :]]
    rel.outputs = rel.outputs[: -len(hidden)]
    return rel, refs


def lower(ctx: Lowering, rel: Relation, node: MvExpand) -> Relation:
    if not rel.can_project() or rel.limit is not None:
        rel = rel.wrap()
    limit = _limit(ctx, rel, node)
    binder = ctx.binder(rel, node.keyword)
    taken = set(rel.names())
    counter = [1]
    names: list[str] = []
    values: list[exp.Expr] = []
    for item in node.items:
        value = binder.bind(item.expr)
        if value.type is not T.DYNAMIC:
            raise diag.type_mismatch(
                node.keyword,
                f"The expanded expression must be of type dynamic, not {value.type.value}",
                item.expr.pos,
            )
        name = item.name or result_name(item.expr) or default_name(taken, counter)
        if name in names:
            raise diag.duplicate_column(node.keyword, name, item.pos)
        taken.add(name)
        names.append(name)
        values.append(value.sql)
    if not all(isinstance(v, exp.Column) for v in values):
        # each value is read several times by its list: computed once, one SELECT down
        rel, values = _hide(rel, values, "__mvv")
    lists = [expansion_list(v, node.bag_as_array) for v in values]
    if limit is not None:
        lists = [fn("list_slice", items, number(1), number(limit)) for items in lists]
    if node.index_name is not None:
        # the lists once more one SELECT down, so the index can measure them
        rel, lists = _hide(rel, lists, "__mvl")
    outputs = list(rel.outputs)
    for name, items in zip(names, lists, strict=True):
        _put(outputs, Output(Column(name, T.DYNAMIC), fn("unnest", items.copy())))
    if node.index_name is not None:
        lengths = [fn("len", items.copy()) for items in lists]
        longest = lengths[0] if len(lengths) == 1 else fn("greatest", *lengths)
        index = fn("unnest", fn("range", longest))
        _put(outputs, Output(Column(node.index_name, T.LONG), index))
    rel.outputs = outputs
    rel = rel.wrap()
    if any(item.type not in (None, T.DYNAMIC) for item in node.items):
        binder = ctx.binder(rel, node.keyword)
        for name, item in zip(names, node.items, strict=True):
            if item.type is None or item.type is T.DYNAMIC:
                continue
            i = rel.names().index(name)
            ref = Typed(rel.outputs[i].sql, T.DYNAMIC)
            assert item.type_pos is not None
            value = convert(binder, ref, item.type, item.type_pos)
            rel.outputs[i] = Output(Column(name, item.type), value.sql)
    return rel


register_operator("mv-expand", "mvexpand", node=MvExpand, parse=parse, lower=lower)
