"""`parse` and `parse-where`: split a string into new columns with a pattern.

The pattern becomes one RE2 regular expression, passed to DuckDB as a literal and anchored at
the start of the text: `*` is `.*?`, a string constant is itself (escaped, except with
`kind=regex`), a column is a capture group: `(.*?)` for strings (`(.*)` when it ends the
pattern), `(-?\\d+)` for int/long and a decimal number for real in the strict kinds; other
types capture `(.*?)` and convert with the catalogue's `toT` (null when they do not convert).
`kind=simple` (the default) and `kind=relaxed` match across newlines (`(?s)`); `kind=regex`
takes its `flags=` (RE2's `i`, `m`, `s`, `U`). With `kind=relaxed` a typed column captures
`(.*?)` and a value that does not convert is null without failing the match.

Most patterns need no regular expression: when every column and `*` is followed by a string
constant (or ends the pattern) and no column is a strict number, the lazy groups can only end
at the first occurrence of the constant after them, so the columns are found with `strpos` and
`substr` (`_split_lower`), which DuckDB runs several times faster than a regex with groups.
Otherwise one `regexp_extract` returns every group as a struct, one SELECT below the columns
that read it. Rows that do not match get empty strings and nulls (`parse`) or are dropped
(`parse-where`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import to_string_sql
from xdrlab.kql.binder.types import STRINGLIKE, T, Typed, fn, number, string
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shaping import convert, hide, parse_options, parse_type_name
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


# A column or `*` and the constant that ends it (None: it runs to the end of the text); a
# leading constant has no wildcard (None).
Segment = tuple[Capture | Star | None, str | None]


def split_segments(node: Parse) -> list[Segment] | None:
    """The pattern as segments when `strpos`/`substr` find the same columns as the regex, else
    None. They do when every column and `*` is followed by a constant or ends the pattern, and
    columns capture any text (`.*?`): a lazy group then ends at the first occurrence of its
    constant, because if a later occurrence lets the rest match, the first one does too."""
    if node.kind == "regex":
        return None
    items: list[PatternItem] = []
    for item in node.pattern:
        if isinstance(item, Text):
            if not item.value:  # an empty constant changes which column is last
                return None
            if items and isinstance(items[-1], Text):
                items[-1] = Text(items[-1].pos, items[-1].value + item.value)
                continue
        elif isinstance(item, Star):
            if items and isinstance(items[-1], Star):  # `.*?.*?` is `.*?`
                continue
        elif node.kind != "relaxed" and item.type in _STRICT_TYPES:
            return None
        items.append(item)
    segments: list[Segment] = []
    i = 0
    if isinstance(items[0], Text):
        segments.append((None, items[0].value))
        i = 1
    while i < len(items):
        wildcard = items[i]
        assert not isinstance(wildcard, Text)  # constants were merged
        if i + 1 == len(items):
            segments.append((wildcard, None))
            break
        constant = items[i + 1]
        if not isinstance(constant, Text):  # two wildcards in a row
            return None
        segments.append((wildcard, constant.value))
        i += 2
    return segments


def _plus(sql: exp.Expr, amount: int) -> exp.Expr:
    if isinstance(sql, exp.Literal) and sql.is_int:
        return number(int(sql.this) + amount)
    return sql if amount == 0 else exp.Add(this=sql, expression=number(amount))


def _is_one(sql: exp.Expr) -> bool:
    return isinstance(sql, exp.Literal) and sql.is_int and int(sql.this) == 1


def split_lower(
    rel: Relation, text: exp.Expr, segments: list[Segment], where: bool
) -> tuple[Relation, dict[str, exp.Expr]]:
    """Each column's text (NULL when the row does not match) found with `strpos` and `substr`.

    `start` is where the next segment begins (1-based, in characters like `strpos`), NULL once
    a constant was not found, so a failed segment makes every later one NULL too. A start that
    is not a column or constant is computed one SELECT down before it is read twice, which
    keeps the SQL linear in the pattern's length."""
    prefix: exp.Expr | None = None
    start: exp.Expr = number(1)
    values: dict[str, exp.Expr] = {}
    for wildcard, constant in segments:
        if wildcard is None:
            assert constant is not None
            prefix = exp.StartsWith(this=text.copy(), expression=string(constant))
            start = number(len(constant) + 1)
            continue
        if constant is None:  # the last column takes the rest of the text
            if isinstance(wildcard, Capture):
                rest = (
                    text.copy() if _is_one(start) else exp.Substring(this=text.copy(), start=start)
                )
                values[wildcard.name] = rest
            continue
        if not isinstance(start, exp.Column | exp.Literal):
            carried = [text, start, *([] if prefix is None else [prefix]), *values.values()]
            rel, refs = hide(rel, carried, "__parse")
            text, start = refs[0], refs[1]
            if prefix is not None:
                prefix = refs[2]
            values = dict(zip(values, refs[len(refs) - len(values) :], strict=True))
        haystack = text.copy() if _is_one(start) else exp.Substring(this=text.copy(), start=start)
        found = exp.Nullif(
            this=exp.StrPosition(this=haystack, substr=string(constant)), expression=number(0)
        )
        if isinstance(wildcard, Capture):
            length = exp.Sub(this=found.copy(), expression=number(1))
            values[wildcard.name] = exp.Substring(
                this=text.copy(), start=start.copy(), length=length
            )
        if isinstance(start, exp.Literal):
            start = _plus(found, int(start.this) - 1 + len(constant))
        else:
            start = _plus(exp.Add(this=start.copy(), expression=found), len(constant) - 1)
    if prefix is not None and not where:  # (parse-where drops the rows instead)
        values = {
            name: exp.Case(ifs=[exp.If(this=prefix.copy(), true=value)])
            for name, value in values.items()
        }
    if where:
        matched: list[exp.Expr] = [] if prefix is None else [prefix]
        if not isinstance(start, exp.Literal):
            matched.append(exp.Not(this=exp.Is(this=start, expression=exp.Null())))
        elif prefix is None:  # no constant at all: everything but a null text matches
            matched.append(exp.Not(this=exp.Is(this=text.copy(), expression=exp.Null())))
        rel.where.extend(matched)
    return rel, values


def regex_lower(
    rel: Relation, text: exp.Expr, node: Parse, captures: list[Capture], where: bool
) -> tuple[Relation, dict[str, exp.Expr]]:
    """Each column's text with one `regexp_extract` into a struct, one SELECT down."""
    pattern = string(build_regex(node))
    fields = exp.Array(expressions=[string(f"g{i + 1}") for i in range(len(captures))])
    groups = fn("regexp_extract", text.copy(), pattern.copy(), fields)
    matches = fn("regexp_matches", text.copy(), pattern.copy())
    if where:
        rel.where.append(matches)
    elif not all(c.type in STRINGLIKE for c in captures):
        # a row that does not match gets '' for every group, which is already what string
        # columns get; other types need NULL, which a matched '' does not always convert to
        groups = exp.Case(ifs=[exp.If(this=matches, true=groups)])
    rel, (struct,) = hide(rel, [groups], "__parse")
    return rel, {
        c.name: fn("struct_extract", struct.copy(), string(f"g{i + 1}"))
        for i, c in enumerate(captures)
    }


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
    if node.kind == "regex":
        regex = build_regex(node)
        try:
            re.compile(regex.replace("(?U", "(?").replace("(?)", ""))
        except re.error:
            raise diag.invalid_literal("regex", regex, node.expr.pos) from None
    value = ctx.binder(rel, node.keyword).bind(node.expr)
    text = value.sql if value.type in STRINGLIKE else to_string_sql(value)
    if not isinstance(text, exp.Column):
        rel, (text,) = hide(rel, [text], "__parse_text")
    segments = split_segments(node)
    if segments is not None:
        rel, raw = split_lower(rel, text, segments, where)
    else:
        rel, raw = regex_lower(rel, text, node, captures, where)
    binder = ctx.binder(rel, node.keyword)
    outputs = list(rel.outputs)
    for capture in captures:
        field = raw[capture.name]
        if capture.type in STRINGLIKE:
            column = Typed(exp.Coalesce(this=field, expressions=[string("")]), capture.type)
        else:
            column = convert(binder, Typed(field, T.STRING), capture.type, capture.pos)
        output = Output(Column(capture.name, capture.type), column.sql)
        for j, existing in enumerate(outputs):
            if existing.name == capture.name:
                outputs[j] = output
                break
        else:
            outputs.append(output)
    rel.outputs = outputs
    return rel


register_operator("parse", "parse-where", node=Parse, parse=parse, lower=lower)
