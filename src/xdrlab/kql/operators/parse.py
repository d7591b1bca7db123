"""`parse` and `parse-where`: split a string into new columns with a pattern.

The pattern becomes one RE2 regular expression, passed to DuckDB as a literal and anchored at
the start of the text: `*` is `.*?`, a string constant is itself (escaped, except with
`kind=regex`), a column is a capture group: `(.*?)` for strings (`(.*)` when it ends the
pattern), `(-?\\d+)` for int/long and a decimal number for real in the strict kinds; other
types capture `(.*?)` and convert with the catalogue's `toT` (null when they do not convert).
`kind=simple` (the default) and `kind=relaxed` match across newlines (`(?s)`); `kind=regex`
takes its `flags=` (RE2's `i`, `m`, `s`, `U`). With `kind=relaxed` a typed column captures
`(.*?)` and a value that does not convert is null without failing the match.

One `regexp_extract` returns every group as a struct, one SELECT below the columns that read
it. Rows that do not match get empty strings and nulls (`parse`) or are dropped
(`parse-where`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import to_string_sql
from xdrlab.kql.binder.types import STRINGLIKE, T, Typed, fn, string
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shaping import convert, parse_options, parse_type_name
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser

_KINDS = ("simple", "regex", "relaxed")
_FLAGS = frozenset("imsU")
_STRICT_TYPES = {
    T.INT: r"(-?\d+)",
    T.LONG: r"(-?\d+)",
    T.REAL: r"(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)",
    T.DECIMAL: r"(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)",
}
_SPECIAL = frozenset("\\.^$|?*+()[]{}")


@dataclass(frozen=True, slots=True)
class Star:
    pos: diag.Position


@dataclass(frozen=True, slots=True)
class Text:
    pos: diag.Position
    value: str


@dataclass(frozen=True, slots=True)
class Capture:
    pos: diag.Position
    name: str
    type: KustoType


PatternItem = Star | Text | Capture


@dataclass(frozen=True, slots=True)
class Parse(n.OperatorNode):
    kind: str
    flags: str
    expr: n.Expr
    pattern: tuple[PatternItem, ...]


def parse(p: Parser, keyword: Token) -> Parse:
    p.skip_hints()
    options = parse_options(p, ("kind", "flags"))
    kind = "simple"
    if "kind" in options:
        pos, value = options["kind"]
        if value not in _KINDS:
            raise diag.syntax_error(str(value), pos)
        kind = str(value)
    flags = ""
    if "flags" in options:
        pos, value = options["flags"]
        if kind != "regex" or not isinstance(value, str) or not set(value) <= _FLAGS:
            raise diag.syntax_error(str(value), pos)
        flags = value
    expr = p.parse_expr()
    p.expect_word("with")
    items: list[PatternItem] = []
    while not p.at_end_of_operator():
        t = p.tok
        if t.is_punct("*"):
            p.advance()
            items.append(Star(t.pos))
        elif t.kind is Kind.STRING:
            parts: list[str] = []
            while p.tok.kind is Kind.STRING:
                value = p.advance().value
                assert isinstance(value, str)
                parts.append(value)
            items.append(Text(t.pos, "".join(parts)))
        elif t.is_punct(","):
            p.advance()
        else:
            name = p.parse_identifier()
            column_type = T.STRING
            if p.accept_punct(":"):
                _, column_type = parse_type_name(p)
            items.append(Capture(t.pos, name, column_type))
    if not any(isinstance(i, Capture) for i in items):
        raise p.fail()
    return Parse(keyword.pos, keyword.text, kind, flags, expr, tuple(items))


def escape(text: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in text)


def build_regex(node: Parse) -> str:
    parts: list[str] = [
        "(?s)" if node.kind != "regex" else (f"(?{node.flags})" if node.flags else "")
    ]
    parts.append("^")
    last = len(node.pattern) - 1
    for i, item in enumerate(node.pattern):
        if isinstance(item, Star):
            parts.append(".*?" if i != last else "")
        elif isinstance(item, Text):
            parts.append(item.value if node.kind == "regex" else escape(item.value))
        elif node.kind != "relaxed" and item.type in _STRICT_TYPES:
            parts.append(_STRICT_TYPES[item.type])
        else:
            parts.append("(.*)" if i == last else "(.*?)")
    if isinstance(node.pattern[-1], Capture):
        parts.append("$")
    return "".join(parts)


def lower(ctx: Lowering, rel: Relation, node: Parse) -> Relation:
    where = node.keyword == "parse-where"
    if not rel.can_project() or (where and not rel.can_filter()):
        rel = rel.wrap()
    captures = [i for i in node.pattern if isinstance(i, Capture)]
    names: list[str] = []
    for capture in captures:
        if capture.name in names:
            raise diag.duplicate_column(node.keyword, capture.name, capture.pos)
        names.append(capture.name)
    regex = build_regex(node)
    if node.kind == "regex":
        try:
            re.compile(regex.replace("(?U", "(?").replace("(?)", ""))
        except re.error:
            raise diag.invalid_literal("regex", regex, node.expr.pos) from None
    value = ctx.binder(rel, node.keyword).bind(node.expr)
    text = value.sql if value.type in STRINGLIKE else to_string_sql(value)
    if not isinstance(text, exp.Column):
        rel.outputs.append(Output(Column("__parse_text", T.STRING), text))
        rel = rel.wrap()
        text = rel.outputs.pop().sql
    pattern = string(regex)
    fields = exp.Array(expressions=[string(f"g{i + 1}") for i in range(len(captures))])
    extracted = fn("regexp_extract", text.copy(), pattern.copy(), fields)
    matches = fn("regexp_matches", text.copy(), pattern.copy())
    if where:
        rel.where.append(matches)
        groups = extracted
    else:
        groups = exp.Case(ifs=[exp.If(this=matches, true=extracted)])
    rel.outputs.append(Output(Column("__parse", T.DYNAMIC), groups))
    rel = rel.wrap()
    struct = rel.outputs.pop().sql
    binder = ctx.binder(rel, node.keyword)
    for i, capture in enumerate(captures):
        field = fn("struct_extract", struct.copy(), string(f"g{i + 1}"))
        if capture.type in STRINGLIKE:
            column = Typed(exp.Coalesce(this=field, expressions=[string("")]), capture.type)
        else:
            column = convert(binder, Typed(field, T.STRING), capture.type, capture.pos)
        output = Output(Column(capture.name, capture.type), column.sql)
        for j, existing in enumerate(rel.outputs):
            if existing.name == capture.name:
                rel.outputs[j] = output
                break
        else:
            rel.outputs.append(output)
    return rel


register_operator("parse", "parse-where", node=Parse, parse=parse, lower=lower)
