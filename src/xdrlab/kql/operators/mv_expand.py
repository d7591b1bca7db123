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
from xdrlab.kql.binder.types import INTEGER, T, Typed, cast, fn, number, string
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shaping import (
    convert,
    hide,
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
    return parse_expansion(p, keyword.pos, keyword.text, ("kind", "bagexpansion", "with_itemindex"))


def parse_expansion(
    p: Parser, pos: diag.Position, keyword: str, option_names: tuple[str, ...]
) -> MvExpand:
    """Options (those named), items and limit of an expansion: `mv-expand`'s, `mv-apply`'s."""
    p.skip_hints()
    options = parse_options(p, option_names)
    bag_as_array = False
    for key in ("kind", "bagexpansion"):
        if key in options:
            at, value = options[key]
            if value not in ("bag", "array"):
                raise diag.syntax_error(str(value), at)
            bag_as_array = value == "array"
    index_name: str | None = None
    if "with_itemindex" in options:
        at, value = options["with_itemindex"]
        if not isinstance(value, str):
            raise diag.syntax_error(str(value), at)
        index_name = value
    items = parse_items(p)
    limit = p.parse_additive() if p.accept_word("limit") else None
    return MvExpand(pos, keyword, bag_as_array, index_name, items, limit)


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


# Functions behind a dynamic array that return a DuckDB list of strings (never null elements)
_STRING_LISTS = frozenset({"string_split", "regexp_extract_all"})


def native_strings(value: exp.Expr) -> exp.Expr | None:
    """The list of strings a dynamic array is made from (`split(...)` is
    `CAST(to_json(string_split(...)) AS JSON)`), or None: expanding that list directly gives
    the same elements without writing and parsing JSON for every row."""
    if not (isinstance(value, exp.Cast) and value.to.is_type(exp.DataType.Type.JSON)):
        return None
    inner = value.this
    if not (isinstance(inner, exp.Anonymous) and inner.name.lower() == "to_json"):
        return None
    (items,) = inner.expressions
    if isinstance(items, exp.Anonymous) and items.name.lower() in _STRING_LISTS:
        return items
    return None


def lower(ctx: Lowering, rel: Relation, node: MvExpand) -> Relation:
    if not rel.can_project() or rel.limit is not None:
        rel = rel.wrap()
    limit = _limit(ctx, rel, node)
    binder = ctx.binder(rel, node.keyword)
    taken = set(rel.names())
    counter = [1]
    names: list[str] = []
    natives: list[bool] = []
    sources: list[exp.Expr] = []  # each item's JSON value, or its native list
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
        native = native_strings(value.sql)
        natives.append(native is not None)
        sources.append(value.sql if native is None else native)
    if any(
        not listed and not isinstance(v, exp.Column)
        for listed, v in zip(natives, sources, strict=True)
    ):
        # a JSON value is read several times by its list: computed once, one SELECT down
        rel, sources = hide(rel, sources, "__mvv")
    # A null list expands to one row holding null, like a JSON null, which is '' as a string.
    # Nothing else can make a string element null when the list expands alone, and then the
    # element is the column as it is: a COALESCE over the unnested strings costs DuckDB more
    # than the unnest itself.
    as_is = len(node.items) == 1 and node.items[0].type is T.STRING
    lists = [
        exp.Coalesce(
            this=v,
            expressions=[
                exp.Array(expressions=[string("") if as_is else cast(exp.Null(), T.STRING)])
            ],
        )
        if listed
        else expansion_list(v, node.bag_as_array)
        for listed, v in zip(natives, sources, strict=True)
    ]
    if limit is not None:
        lists = [fn("list_slice", items, number(1), number(limit)) for items in lists]
    if node.index_name is not None:
        # the lists once more one SELECT down, so the index can measure them
        rel, lists = hide(rel, lists, "__mvl")
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
    binder = ctx.binder(rel, node.keyword)
    for name, item, listed in zip(names, node.items, natives, strict=True):
        target = item.type or T.DYNAMIC
        if target is T.DYNAMIC and not listed:
            continue
        i = rel.names().index(name)
        element = rel.outputs[i].sql
        if listed and target is T.STRING:  # what tostring() of the JSON string gives
            sql = element if as_is else exp.Coalesce(this=element, expressions=[string("")])
        else:
            dynamic = cast(fn("to_json", element), T.DYNAMIC) if listed else element
            sql = convert(binder, Typed(dynamic, T.DYNAMIC), target, item.type_pos or item.pos).sql
        rel.outputs[i] = Output(Column(name, target), sql)
    return rel


register_operator("mv-expand", "mvexpand", node=MvExpand, parse=parse, lower=lower)
