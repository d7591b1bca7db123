"""Dynamic (JSON) functions: parse_json/todynamic, array_length, pack_array, extract_json, ..."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import case, to_string_sql
from xdrlab.kql.binder.types import (
    STRINGLIKE,
    T,
    Typed,
    cast,
    constant,
    fn,
    number,
    string,
)
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


def parse_json_sql(text: exp.Expr) -> exp.Expr:
    """Text to JSON; text that is not JSON becomes a JSON string (as Kusto does)."""
    return case(
        [(fn("json_valid", text), cast(text.copy(), T.DYNAMIC))],
        fn("to_json", text.copy()),
    )


@register("parse_json", "todynamic", "parsejson", "toobject", args=1, name_kind="first")
def parse_json(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is T.DYNAMIC:
        return v
    if v.is_constant and isinstance(v.value, str):
        try:
            return constant(T.DYNAMIC, json.loads(v.value))
        except ValueError:
            return constant(T.DYNAMIC, v.value)
    if v.type in STRINGLIKE:
        return Typed(parse_json_sql(v.sql), T.DYNAMIC)
    return Typed(fn("to_json", v.sql), T.DYNAMIC)


@register("array_length", args=1)
def array_length(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is not T.DYNAMIC:
        raise diag.argument_type(b.op, call.name, 1, "dynamic", v.type.value, call.args[0].pos)
    if v.is_constant:
        return constant(T.LONG, len(v.value) if isinstance(v.value, list) else None)
    sql = case(
        [
            (
                exp.EQ(this=fn("json_type", v.sql), expression=string("ARRAY")),
                fn("json_array_length", v.sql.copy()),
            )
        ],
        cast(exp.Null(), T.LONG),
    )
    return Typed(cast(sql, T.LONG), T.LONG)


def _as_json_value(v: Typed) -> exp.Expr:
    if v.type is T.DYNAMIC:
        return v.sql
    if v.type in (T.DATETIME, T.TIMESPAN):
        return to_string_sql(v)
    return v.sql


@register("pack_array", args=(1, 1024))
def pack_array(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if all(a.is_constant for a in args) and all(
        isinstance(a.value, str | int | float | bool | list | dict) or a.value is None for a in args
    ):
        return constant(T.DYNAMIC, [a.value for a in args])
    return Typed(fn("json_array", *[_as_json_value(a) for a in args]), T.DYNAMIC)


@register("pack", "bag_pack", "pack_dictionary", args=(0, 1024))
def bag_pack(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) % 2:
        raise diag.argument_count(b.op, call.name, "an even number of", call.pos)
    parts: list[exp.Expr] = []
    for i in range(0, len(args), 2):
        parts.append(to_string_sql(args[i]))
        parts.append(_as_json_value(args[i + 1]))
    return Typed(fn("json_object", *parts), T.DYNAMIC)


@register("extract_json", "extractjson", args=(2, 3))
def extract_json(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    path, text = args[0], args[1]
    if not (path.is_constant and isinstance(path.value, str)):
        raise diag.expected_constant(b.op, "The JSON path", call.args[0].pos)
    if len(args) == 3:
        raise diag.unsupported_feature("The typeof() argument of 'extract_json'", call.args[2].pos)
    source = text.sql if text.type is T.DYNAMIC else parse_json_sql(to_string_sql(text))
    found = fn("json_extract_string", source, string(path.value))
    return Typed(exp.Coalesce(this=found, expressions=[string("")]), T.STRING)


@register("bag_keys", args=1)
def bag_keys(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("to_json", fn("json_keys", args[0].sql)), T.DYNAMIC)


@register("array_index_of", args=(2, 4))
def array_index_of(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) > 2:
        raise diag.unsupported_feature(
            "array_index_of with a start, length or occurrence", call.pos
        )
    items = fn("json_transform", args[0].sql, string('["VARCHAR"]'))
    position = fn("list_position", items, to_string_sql(args[1]))
    return Typed(
        cast(
            exp.Coalesce(
                this=exp.Sub(this=position, expression=number(1)), expressions=[number(-1)]
            ),
            T.LONG,
        ),
        T.LONG,
    )
