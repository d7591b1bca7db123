"""String functions: tolower, toupper, strcat, strlen, substring, split, replace, trim, extract."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import coalesce, to_string_sql
from xdrlab.kql.binder.types import (
    INTEGER,
    NUMERIC,
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


def text_of(v: Typed) -> exp.Expr:
    return to_string_sql(v)


def _const_str(v: Typed) -> str | None:
    return v.value if v.is_constant and isinstance(v.value, str) else None


def require_constant_string(b: Binder, call: n.Call, v: Typed, index: int) -> str:
    value = _const_str(v)
    if value is None:
        raise diag.expected_constant(
            b.op, f"Argument {index + 1} of '{call.name}'", call.args[index].pos
        )
    return value


def require_integer(b: Binder, call: n.Call, v: Typed, index: int) -> Typed:
    if v.type not in NUMERIC and v.type is not T.DYNAMIC:
        raise diag.argument_type(
            b.op, call.name, index + 1, "long", v.type.value, call.args[index].pos
        )
    return v


@register("tolower", args=1)
def tolower(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = _const_str(args[0])
    if value is not None:
        return constant(T.STRING, value.lower())
    return Typed(exp.Lower(this=text_of(args[0])), T.STRING)


@register("toupper", args=1)
def toupper(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = _const_str(args[0])
    if value is not None:
        return constant(T.STRING, value.upper())
    return Typed(exp.Upper(this=text_of(args[0])), T.STRING)


@register("strcat", args=(1, 64))
def strcat(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    values = [_const_str(a) for a in args]
    if all(v is not None for v in values):
        return constant(T.STRING, "".join(v for v in values if v is not None))
    return Typed(fn("concat", *[text_of(a) for a in args]), T.STRING)


@register("strcat_delim", args=(3, 65))
def strcat_delim(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("concat_ws", *[text_of(a) for a in args]), T.STRING)


@register("strlen", args=1)
def strlen(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = _const_str(args[0])
    if value is not None:
        return constant(T.LONG, len(value))
    return Typed(cast(exp.Length(this=text_of(args[0])), T.LONG), T.LONG)


@register("substring", args=(2, 3))
def substring(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    source = text_of(args[0])
    start = require_integer(b, call, args[1], 1)
    if start.is_constant and isinstance(start.value, int):
        begin: exp.Expr = number(max(start.value, 0) + 1)
    else:
        begin = exp.Add(this=fn("greatest", start.sql, number(0)), expression=number(1))
    parts = [source, begin]
    if len(args) == 3:
        length = require_integer(b, call, args[2], 2)
        parts.append(fn("greatest", length.sql, number(0)))
    return Typed(
        coalesce(
            exp.Substring(
                this=parts[0], start=parts[1], length=parts[2] if len(parts) == 3 else None
            ),
            string(""),
        ),
        T.STRING,
    )


@register("split", args=(2, 3))
def split(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    pieces = fn("string_split", text_of(args[0]), text_of(args[1]))
    if len(args) == 3:
        index = require_integer(b, call, args[2], 2)
        element = fn("list_extract", pieces, exp.Add(this=index.sql, expression=number(1)))
        return Typed(fn("to_json", exp.Array(expressions=[element])), T.DYNAMIC)
    return Typed(fn("to_json", pieces), T.DYNAMIC)


@register("replace_string", args=3)
def replace_string(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("replace", *[text_of(a) for a in args]), T.STRING)


@register("replace_regex", args=3)
def replace_regex(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    regex = require_constant_string(b, call, args[1], 1)
    return Typed(
        fn("regexp_replace", text_of(args[0]), string(regex), text_of(args[2]), string("g")),
        T.STRING,
    )


@register("replace", args=3)
def replace(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    # the older spelling: replace(regex, rewrite, text)
    regex = require_constant_string(b, call, args[0], 0)
    return Typed(
        fn("regexp_replace", text_of(args[2]), string(regex), text_of(args[1]), string("g")),
        T.STRING,
    )


def _trim(b: Binder, call: n.Call, args: list[Typed], leading: bool, trailing: bool) -> Typed:
    regex = require_constant_string(b, call, args[0], 0)
    alternatives = []
    if leading:
        alternatives.append(f"^(?:{regex})+")
    if trailing:
        alternatives.append(f"(?:{regex})+$")
    pattern = "|".join(alternatives)
    return Typed(
        fn("regexp_replace", text_of(args[1]), string(pattern), string(""), string("g")),
        T.STRING,
    )


@register("trim", args=2)
def trim(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _trim(b, call, args, True, True)


@register("trim_start", args=2)
def trim_start(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _trim(b, call, args, True, False)


@register("trim_end", args=2)
def trim_end(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _trim(b, call, args, False, True)


@register("extract", args=(3, 4))
def extract(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    regex = require_constant_string(b, call, args[0], 0)
    group = args[1]
    if not (group.is_constant and isinstance(group.value, int) and group.type in INTEGER):
        raise diag.expected_constant(b.op, "The capture group of 'extract'", call.args[1].pos)
    try:
        groups = re.compile(regex).groups
    except re.error:
        groups = None
    if groups is not None and group.value > groups:
        return constant(T.STRING, "")
    found = fn("regexp_extract", text_of(args[2]), string(regex), number(group.value))
    if len(args) == 4:
        raise diag.unsupported_feature("The typeof() argument of 'extract'", call.args[3].pos)
    return Typed(found, T.STRING)


@register("indexof", args=(2, 5))
def indexof(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) > 2:
        raise diag.unsupported_feature("indexof with a start, length or occurrence", call.pos)
    found = fn("strpos", text_of(args[0]), text_of(args[1]))
    return Typed(cast(exp.Sub(this=found, expression=number(1)), T.LONG), T.LONG)


@register("reverse", args=1)
def reverse(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("reverse", text_of(args[0])), T.STRING)


@register("strrep", args=(2, 3))
def strrep(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) == 3:
        raise diag.unsupported_feature("strrep with a delimiter", call.pos)
    return Typed(fn("repeat", text_of(args[0]), args[1].sql), T.STRING)
