"""Recursive-descent parser: tokens to a `Query` AST.

The parser knows the statement and scalar-expression grammar. Tabular operators are parsed by
functions registered per operator (`xdrlab.kql.operators`), passed in as `operator_parsers`;
operators that KQL has but this compiler does not are skipped over (balanced brackets) and
become `UnsupportedOperator` nodes, so the binder can refuse them with their position.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.diagnostics import Position
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.lexer import tokenize
from xdrlab.kql.syntax.tokens import TIMESPAN_UNITS, Kind, Token

OperatorParser = Callable[["Parser", Token], n.OperatorNode]
# Parses what follows a source keyword (`union`, `datatable`, `materialize`, ...).
SourceParser = Callable[["Parser", Token], n.Expr]

MAX_DEPTH = 120
MAX_LONG = 2**63 - 1
# Typed scalar literals written like calls: `long(null)`, `real(nan)` (Kusto type names).
_SCALAR_LITERALS = {
    "bool": "bool",
    "boolean": "bool",
    "int": "int",
    "long": "long",
    "real": "real",
    "double": "real",
}

# Tabular operators of KQL (beyond the ones registered): refused with their name, not as syntax.
KNOWN_OPERATORS = frozenset(
    {
        "as",
        "consume",
        "count",
        "distinct",
        "evaluate",
        "extend",
        "facet",
        "filter",
        "find",
        "fork",
        "getschema",
        "invoke",
        "join",
        "limit",
        "lookup",
        "macro-expand",
        "make-graph",
        "make-series",
        "mv-apply",
        "mv-expand",
        "mvexpand",
        "mvapply",
        "makeseries",
        "order",
        "parse",
        "parse-kv",
        "parse-where",
        "partition",
        "project",
        "project-away",
        "project-keep",
        "project-rename",
        "project-reorder",
        "project-smart",
        "reduce",
        "render",
        "sample",
        "sample-distinct",
        "scan",
        "search",
        "serialize",
        "sort",
        "summarize",
        "take",
        "top",
        "top-hitters",
        "top-nested",
        "union",
        "where",
        "graph-match",
        "graph-merge",
        "graph-to-table",
        "assert-schema",
    }
)

# Tabular sources other than a table name: refused as operators when used.
KNOWN_SOURCES = frozenset(
    {
        "union",
        "datatable",
        "range",
        "print",
        "find",
        "search",
        "externaldata",
        "evaluate",
        "materialize",
        "view",
        "cluster",
        "database",
        "table",
        "external_table",
        "materialized_view",
        "toscalar",
    }
)

# Source keywords that are not calls when a parenthesis follows: `range(1, 5)` is the scalar
# function, and `print (1 + 2) * 3` prints an expression.
_NOT_CALLED_SOURCES = frozenset({"print", "range"})

# Calls whose arguments are tabular: skipped over, refused by the binder by name.
_TABULAR_CALLS = frozenset(
    {
        "toscalar",
        "materialize",
        "table",
        "view",
        "externaldata",
        "datatable",
        "cluster",
        "database",
        "external_table",
        "materialized_view",
    }
)

# Scalar type names a user function's parameter may declare.
SCALAR_TYPES = (
    "string",
    "long",
    "int",
    "real",
    "double",
    "decimal",
    "bool",
    "boolean",
    "datetime",
    "date",
    "timespan",
    "time",
    "guid",
    "uniqueid",
    "dynamic",
)

_COMPARISONS = frozenset({"==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"})
_STRING_OPERATORS = frozenset(
    {
        "has",
        "has_cs",
        "hasprefix",
        "hasprefix_cs",
        "hassuffix",
        "hassuffix_cs",
        "contains",
        "contains_cs",
        "startswith",
        "startswith_cs",
        "endswith",
        "endswith_cs",
        "like",
    }
)
_LIST_OPERATORS = frozenset({"in", "in~", "!in", "!in~", "has_any", "has_all"})
_TIMESPAN_TEXT = re.compile(r"(-)?(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d{1,7}))?)?")
_TIMESPAN_SHORT = re.compile(r"(-?\d+(?:\.\d+)?)\s*([A-Za-z]+)")
_DATETIME_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%d %b %Y",
    "%d %B %Y",
    "%Y%m%d",
)


def parse_datetime_text(raw: str) -> datetime | None:
    """A datetime literal's text (ISO 8601 and the other forms Kusto accepts) to naive UTC."""
    text = raw.strip().strip("\"'").strip()
    offset = timedelta(0)
    if text.endswith(("Z", "z")):
        text = text[:-1]
    else:
        m = re.search(r"([+-])(\d{2}):?(\d{2})$", text)
        if m and ("T" in text or " " in text):
            sign = 1 if m.group(1) == "+" else -1
            offset = sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
            text = text[: m.start()]
    fraction = re.search(r"\.(\d+)$", text)
    if fraction and len(fraction.group(1)) > 6:
        text = text[: fraction.start()] + "." + fraction.group(1)[:6]
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt) - offset
        except ValueError:
            continue
    return None


_TIME_OF_DAY_FORMATS = ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M:%S.%f", "%H:%M")


def parse_time_of_day(raw: str) -> time | None:
    """A datetime text that is only a time of day (`8:00:00 AM`, `17:30`): Kusto reads it as
    that time today (UTC), like .NET's DateTime.Parse; the binder supplies the date."""
    text = raw.strip().strip("\"'").strip()
    for fmt in _TIME_OF_DAY_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def parse_timespan_text(raw: str) -> int | None:
    """A timespan literal's text (`1.00:00:00`, `00:30:00`, `2h`, `1.5d`) to microseconds."""
    text = raw.strip().strip("\"'").strip()
    m = _TIMESPAN_TEXT.fullmatch(text)
    if m:
        sign, days, hours, minutes, seconds, frac = m.groups()
        total = (
            int(days or 0) * 86_400_000_000
            + int(hours) * 3_600_000_000
            + int(minutes) * 60_000_000
            + int(seconds or 0) * 1_000_000
            + (round(int(frac.ljust(7, "0")) / 10) if frac else 0)
        )
        return -total if sign else total
    m = _TIMESPAN_SHORT.fullmatch(text)
    if m and m.group(2).lower() in TIMESPAN_UNITS:
        return round(float(m.group(1)) * TIMESPAN_UNITS[m.group(2).lower()])
    if re.fullmatch(r"-?\d+", text):
        return int(text) * 86_400_000_000  # time(2) is two days
    return None


class Parser:
    def __init__(
        self,
        text: str,
        operator_parsers: Mapping[str, OperatorParser],
        source_parsers: Mapping[str, SourceParser] | None = None,
    ) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.operator_parsers = operator_parsers
        self.source_parsers = source_parsers or {}

    # --- token helpers -------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        j = min(self.i + k, len(self.tokens) - 1)
        return self.tokens[j]

    def advance(self) -> Token:
        t = self.tokens[self.i]
        if t.kind is not Kind.END:
            self.i += 1
        return t

    def fail(self, token: Token | None = None) -> diag.KqlError:
        t = token or self.tok
        return diag.syntax_error(t.text, t.pos)

    def at_punct(self, *p: str) -> bool:
        return self.tok.is_punct(*p)

    def at_word(self, *w: str) -> bool:
        return self.tok.is_word(*w)

    def expect_punct(self, p: str) -> Token:
        if not self.tok.is_punct(p):
            raise self.fail()
        return self.advance()

    def expect_word(self, *w: str) -> Token:
        if not self.tok.is_word(*w):
            raise self.fail()
        return self.advance()

    def accept_punct(self, p: str) -> bool:
        if self.tok.is_punct(p):
            self.advance()
            return True
        return False

    def accept_word(self, w: str) -> bool:
        if self.tok.is_word(w):
            self.advance()
            return True
        return False

    def at_end(self) -> bool:
        return self.tok.kind is Kind.END

    def at_end_of_operator(self) -> bool:
        t = self.tok
        return t.kind is Kind.END or t.is_punct("|", ";", ")")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise diag.too_complex(self.tok.pos)

    def leave(self) -> None:
        self.depth -= 1

    # --- statements ----------------------------------------------------------------------

    def parse_query(self) -> n.Query:
        statements: list[n.LetStatement | n.UnsupportedStatement] = []
        body: n.Pipeline | None = None
        while self.tok.kind is not Kind.END:
            if self.accept_punct(";"):
                continue
            if self.at_word("let"):
                statements.append(self.parse_let())
            elif self.at_word("set", "declare", "alias", "restrict", "pattern"):
                t = self.advance()
                statements.append(n.UnsupportedStatement(t.pos, t.text))
                self.skip_balanced(stop=(";",))
            else:
                pipeline = self.parse_pipeline()
                if body is not None:
                    raise diag.unsupported_feature(
                        "A query with several tabular results", pipeline.pos
                    )
                body = pipeline
            if not self.at_end() and not self.at_punct(";"):
                raise self.fail()
        return n.Query(tuple(statements), body, self.tok.pos)

    def parse_let(self) -> n.LetStatement:
        let = self.expect_word("let")
        name = self.parse_identifier()
        self.expect_punct("=")
        if self.at_word("view") and self.peek().is_punct("("):
            self.advance()
        if self.at_punct("(") and self.looks_like_function():
            return n.LetStatement(let.pos, name, self.parse_function())
        value = self.parse_tabular_or_scalar()
        return n.LetStatement(let.pos, name, value)

    def parse_function(self) -> n.FunctionBody:
        """`(params) { [let ...;]* expression [;] }`."""
        start = self.expect_punct("(")
        params: list[n.Param] = []
        while not self.at_punct(")"):
            if params:
                self.expect_punct(",")
            t = self.tok
            name = self.parse_identifier()
            self.expect_punct(":")
            type_name: str | None = None
            if self.at_punct("("):
                self.skip_group()  # a tabular parameter's schema: any columns are accepted
            else:
                type_name = self.expect_word(*SCALAR_TYPES).text
            default = self.parse_expr() if self.accept_punct("=") else None
            params.append(n.Param(t.pos, name, type_name, default))
        self.advance()
        self.expect_punct("{")
        self.enter()
        statements: list[n.LetStatement] = []
        body: n.Expr | n.Pipeline | None = None
        while not self.at_punct("}"):
            if self.accept_punct(";"):
                continue
            if body is not None:
                raise self.fail()
            if self.at_word("let"):
                statements.append(self.parse_let())
            else:
                body = self.parse_tabular_or_scalar()
        self.leave()
        self.advance()
        if body is None:
            raise self.fail()
        return n.FunctionBody(start.pos, tuple(params), tuple(statements), body)

    def looks_like_function(self) -> bool:
        nxt, after = self.peek(1), self.peek(2)
        if nxt.is_punct(")"):
            return self.peek(2).is_punct("{")
        return nxt.kind is Kind.IDENT and after.is_punct(":")

    def at_source_statement(self) -> bool:
        """At `print ...` or `range Name from ...` (not the scalar function `range(...)`)."""
        t = self.tok
        return (
            t.kind is Kind.IDENT
            and t.text in _NOT_CALLED_SOURCES
            and t.text in self.source_parsers
            and (t.text == "print" or not self.peek().is_punct("(", "."))
        )

    def parse_tabular_or_scalar(self) -> n.Expr | n.Pipeline:
        start = self.tok
        if self.at_source_statement() or (
            start.kind is Kind.IDENT
            and start.text in KNOWN_SOURCES
            and not self.peek().is_punct("(", ".")
        ):
            return self.parse_pipeline()
        expr = self.parse_expr()
        if self.at_punct("|"):
            return self.finish_pipeline(start.pos, expr)
        return expr

    def parse_pipeline(self) -> n.Pipeline:
        start = self.tok
        source = self.parse_source()
        return self.finish_pipeline(start.pos, source)

    def finish_pipeline(self, pos: Position, source: n.Expr) -> n.Pipeline:
        operators: list[n.OperatorNode] = []
        while self.accept_punct("|"):
            operators.append(self.parse_operator())
        return n.Pipeline(pos, source, tuple(operators))

    def parse_source(self) -> n.Expr:
        t = self.tok
        if t.kind is Kind.IDENT and t.text in self.source_parsers:
            self.advance()
            return self.source_parsers[t.text](self, t)
        if t.kind is Kind.IDENT and t.text in KNOWN_SOURCES:
            self.advance()
            if self.at_punct("("):
                self.skip_group()
            self.skip_balanced(stop=("|", ";"))
            return n.Call(t.pos, t.text, ())
        if self.at_punct("("):
            self.advance()
            self.enter()
            inner = self.parse_pipeline()
            self.leave()
            self.expect_punct(")")
            return n.SubPipeline(t.pos, inner)
        return self.parse_postfix()

    def parse_operator(self) -> n.OperatorNode:
        t = self.tok
        if t.kind is not Kind.IDENT:
            raise self.fail()
        parser = self.operator_parsers.get(t.text)
        if parser is not None:
            self.advance()
            return parser(self, t)
        if t.text in KNOWN_OPERATORS:
            self.advance()
            self.skip_balanced(stop=("|", ";"))
            return n.UnsupportedOperator(t.pos, t.text)
        raise self.fail()

    def skip_balanced(self, stop: tuple[str, ...]) -> None:
        """Skip tokens up to a top-level `stop` punctuation (or a closing bracket or the end)."""
        depth = 0
        while True:
            t = self.tok
            if t.kind is Kind.END:
                return
            if t.kind is Kind.PUNCT:
                if depth == 0 and (t.text in stop or t.text in (")", "]", "}")):
                    return
                if t.text in ("(", "[", "{"):
                    depth += 1
                elif t.text in (")", "]", "}"):
                    depth -= 1
            self.advance()

    def skip_group(self) -> None:
        """Skip one bracketed group starting at the current opening bracket."""
        depth = 0
        while True:
            t = self.advance()
            if t.kind is Kind.END:
                raise self.fail(t)
            if t.is_punct("(", "[", "{"):
                depth += 1
            elif t.is_punct(")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return

    # --- shared pieces for operator parsers -------------------------------------------------

    def parse_identifier(self) -> str:
        t = self.tok
        if t.kind is Kind.IDENT:
            self.advance()
            return t.text
        if t.is_punct("[") and self.peek().kind is Kind.STRING and self.peek(2).is_punct("]"):
            self.advance()
            name = self.advance().value
            self.advance()
            assert isinstance(name, str)
            return name
        raise self.fail()

    def at_assignment(self) -> bool:
        t = self.tok
        if t.kind is Kind.IDENT:
            return self.peek().is_punct("=")
        if t.is_punct("["):
            return (
                self.peek().kind is Kind.STRING
                and self.peek(2).is_punct("]")
                and self.peek(3).is_punct("=")
            )
        return False

    def at_tuple_assignment(self) -> bool:
        """At `(Name, Name, ...) =` (and not `==`)."""
        j = 1
        while True:
            t = self.peek(j)
            if t.kind is not Kind.IDENT:
                return False
            j += 1
            if self.peek(j).is_punct(","):
                j += 1
                continue
            break
        return (
            self.peek(j).is_punct(")")
            and self.peek(j + 1).is_punct("=")
            and not self.peek(j + 2).is_punct("=")
        )

    def parse_assignment(self, *, tuples: bool = False) -> n.Assignment:
        """`[Name =] expr`; with `tuples`, also `(A, B) = expr` (extend, summarize)."""
        t = self.tok
        if t.is_punct("(") and self.at_tuple_assignment():
            # (a, b) = f(...): tuple assignment for functions with several results
            if not tuples:
                raise diag.unsupported_feature("Assigning several columns at once here", t.pos)
            self.advance()
            names = [self.parse_identifier()]
            while self.accept_punct(","):
                names.append(self.parse_identifier())
            self.expect_punct(")")
            self.expect_punct("=")
            return n.Assignment(t.pos, None, self.parse_expr(), tuple(names))
        name: str | None = None
        if self.at_assignment():
            name = self.parse_identifier()
            self.expect_punct("=")
        expr = self.parse_expr()
        return n.Assignment(t.pos, name, expr)

    def parse_assignments(self, *, tuples: bool = False) -> tuple[n.Assignment, ...]:
        items = [self.parse_assignment(tuples=tuples)]
        while self.accept_punct(","):
            items.append(self.parse_assignment(tuples=tuples))
        return tuple(items)

    def parse_sort_key(self) -> n.SortKey:
        t = self.tok
        expr = self.parse_expr()
        descending = True
        if self.accept_word("asc"):
            descending = False
        elif self.accept_word("desc"):
            descending = True
        nulls_first = not descending
        if self.accept_word("nulls"):
            w = self.expect_word("first", "last")
            nulls_first = w.text == "first"
        return n.SortKey(t.pos, expr, descending, nulls_first)

    def parse_name_pattern(self) -> tuple[Position, str]:
        """A column name or a wildcard pattern (`Initiating*`, `*Id`)."""
        t = self.tok
        parts: list[str] = []
        last: Token | None = None
        while True:
            cur = self.tok
            if last is not None and not _adjacent(last, cur):
                break
            if cur.kind is Kind.IDENT or cur.is_punct("*"):
                parts.append(cur.text)
                last = self.advance()
                continue
            if cur.is_punct("[") and not parts:
                parts.append(self.parse_identifier())
                return t.pos, parts[0]
            break
        if not parts:
            raise self.fail()
        return t.pos, "".join(parts)

    def skip_hints(self) -> None:
        """Skip `hint.name = value` / `kind = value` options before an operator's arguments."""
        while (
            self.tok.kind is Kind.IDENT
            and self.tok.text.startswith("hint")
            and (self.peek().is_punct("."))
        ):
            self.advance()
            self.advance()
            self.parse_identifier()
            self.expect_punct("=")
            self.advance()

    # --- scalar expressions --------------------------------------------------------------

    def parse_expr(self) -> n.Expr:
        self.enter()
        try:
            return self.parse_or()
        finally:
            self.leave()

    def parse_or(self) -> n.Expr:
        left = self.parse_and()
        while self.at_word("or"):
            t = self.advance()
            left = n.Binary(t.pos, "or", left, self.parse_and())
        return left

    def parse_and(self) -> n.Expr:
        left = self.parse_comparison()
        while self.at_word("and"):
            t = self.advance()
            left = n.Binary(t.pos, "and", left, self.parse_comparison())
        return left

    def parse_comparison(self) -> n.Expr:
        left = self.parse_additive()
        t = self.tok
        op: str | None = None
        if t.kind is Kind.PUNCT and t.text in _COMPARISONS:
            op = "!=" if t.text == "<>" else t.text
        elif t.kind is Kind.BANG_WORD or (
            t.kind is Kind.IDENT
            and (
                t.text in _STRING_OPERATORS
                or t.text in _LIST_OPERATORS
                or t.text in ("between", "matches", "notlike", "notcontains", "nothas")
            )
        ):
            op = t.text
        if op is None:
            return left
        self.advance()
        if op in ("matches", "!matches"):
            self.expect_word("regex")
            op = op + " regex"
        if op in ("between", "!between"):
            self.expect_punct("(")
            low = self.parse_additive()
            self.expect_punct("..")
            high = self.parse_additive()
            self.expect_punct(")")
            return n.Between(t.pos, left, low, high, op == "!between")
        if op in _LIST_OPERATORS:
            return n.ListOp(t.pos, op, left, self.parse_list())
        right = self.parse_additive()
        return n.Binary(t.pos, op, left, right)

    def parse_list(self) -> tuple[n.Expr, ...]:
        self.expect_punct("(")
        items: list[n.Expr] = []
        if self.at_source_statement():  # in (print ...), in (range ...)
            first_tok = self.tok
            self.enter()
            pipeline = self.parse_pipeline()
            self.leave()
            self.expect_punct(")")
            return (n.SubPipeline(first_tok.pos, pipeline),)
        if not self.at_punct(")"):
            first_tok = self.tok
            items.append(self.parse_expr())
            if self.at_punct("|"):
                self.enter()
                pipeline = self.finish_pipeline(first_tok.pos, items[0])
                self.leave()
                self.expect_punct(")")
                return (n.SubPipeline(first_tok.pos, pipeline),)
            while self.accept_punct(","):
                items.append(self.parse_expr())
        self.expect_punct(")")
        return tuple(items)

    def parse_additive(self) -> n.Expr:
        left = self.parse_multiplicative()
        while self.at_punct("+", "-"):
            t = self.advance()
            left = n.Binary(t.pos, t.text, left, self.parse_multiplicative())
        return left

    def parse_multiplicative(self) -> n.Expr:
        left = self.parse_unary()
        while self.at_punct("*", "/", "%"):
            t = self.advance()
            left = n.Binary(t.pos, t.text, left, self.parse_unary())
        return left

    def parse_unary(self) -> n.Expr:
        if self.at_punct("-", "+"):
            t = self.advance()
            self.enter()
            try:
                operand = self.parse_unary()
            finally:
                self.leave()
            if (
                t.text == "-"
                and isinstance(operand, n.Literal)
                and operand.type
                in (
                    "long",
                    "real",
                    "timespan",
                )
            ):
                assert isinstance(operand.value, int | float)
                return n.Literal(t.pos, operand.type, -operand.value)
            return n.Unary(t.pos, t.text, operand)
        return self.parse_postfix()

    def parse_postfix(self) -> n.Expr:
        expr = self.parse_primary()
        while True:
            t = self.tok
            if t.is_punct("."):
                self.advance()
                nt = self.tok
                if nt.kind is Kind.IDENT:
                    self.advance()
                    expr = n.Member(t.pos, expr, nt.text)
                elif nt.is_punct("["):
                    expr = n.Member(t.pos, expr, self.parse_identifier())
                else:
                    raise self.fail()
            elif t.is_punct("["):
                self.advance()
                index = self.parse_expr()
                self.expect_punct("]")
                expr = n.Index(t.pos, expr, index)
            else:
                return expr

    def parse_primary(self) -> n.Expr:
        t = self.tok
        k = t.kind
        if k is Kind.LONG:
            self.advance()
            assert isinstance(t.value, int)
            if t.value > MAX_LONG:
                raise diag.invalid_literal("long", t.text, t.pos)
            return n.Literal(t.pos, "long", t.value)
        if k is Kind.REAL:
            self.advance()
            return n.Literal(t.pos, "real", t.value)
        if k is Kind.TIMESPAN:
            self.advance()
            assert isinstance(t.value, int)
            if abs(t.value) > 10**17:
                raise diag.invalid_literal("timespan", t.text, t.pos)
            return n.Literal(t.pos, "timespan", t.value)
        if k is Kind.STRING:
            parts: list[str] = []
            while self.tok.kind is Kind.STRING:
                value = self.advance().value
                assert isinstance(value, str)
                parts.append(value)
            return n.Literal(t.pos, "string", "".join(parts))
        if k is Kind.TYPED:
            self.advance()
            return typed_literal(t)
        if k is Kind.IDENT:
            return self.parse_word()
        if t.is_punct("("):
            self.advance()
            if self.at_source_statement():  # (print ...), (range ...): tabular
                self.enter()
                pipeline = self.parse_pipeline()
                self.leave()
                self.expect_punct(")")
                return n.SubPipeline(t.pos, pipeline)
            inner = self.parse_expr()
            if self.at_punct("|"):
                # a parenthesised tabular expression: (T | where ...)
                self.enter()
                pipeline = self.finish_pipeline(inner.pos, inner)
                self.leave()
                self.expect_punct(")")
                return n.SubPipeline(t.pos, pipeline)
            self.expect_punct(")")
            return inner
        if t.is_punct("["):
            return n.Name(t.pos, self.parse_identifier())
        raise self.fail()

    def parse_word(self) -> n.Expr:
        t = self.advance()
        word = t.text
        if word in ("true", "false") and not self.at_punct("("):
            return n.Literal(t.pos, "bool", word == "true")
        if word == "null" and not self.at_punct("("):
            return n.Literal(t.pos, "dynamic", None)
        if word in self.source_parsers and word not in _NOT_CALLED_SOURCES and self.at_punct("("):
            return self.source_parsers[word](self, t)
        if word in _TABULAR_CALLS and self.at_punct("("):
            self.skip_group()
            if word in ("datatable", "externaldata") and self.at_punct("["):
                self.skip_group()
            if word == "externaldata" and self.at_word("with") and self.peek().is_punct("("):
                self.advance()
                self.skip_group()
            return n.Call(t.pos, word, ())
        if word in _SCALAR_LITERALS and self.at_punct("("):
            literal = self.scalar_literal(t)
            if literal is not None:
                return literal
        if word == "dynamic" and self.at_punct("("):
            self.advance()
            value = self.parse_json_value()
            self.expect_punct(")")
            return n.Literal(t.pos, "dynamic", value)
        if self.at_punct("("):
            self.advance()
            args: list[n.Expr] = []
            if not self.at_punct(")"):
                args.append(self.parse_argument())
                while self.accept_punct(","):
                    args.append(self.parse_argument())
            self.expect_punct(")")
            return n.Call(t.pos, word, tuple(args))
        return n.Name(t.pos, word)

    def scalar_literal(self, word: Token) -> n.Literal | None:
        """`long(null)`, `int(-3)`, `real(nan)`, `bool(true)`: a typed literal, or None when
        the parentheses hold something else (then it is an ordinary call)."""
        kind = _SCALAR_LITERALS[word.text]
        inner = self.peek()
        negative = inner.is_punct("-", "+")
        value_token = self.peek(2) if negative else inner
        if not self.peek(3 if negative else 2).is_punct(")"):
            return None
        value: object
        if value_token.is_word("null") and not negative:
            value = None
        elif kind == "bool" and value_token.is_word("true", "false") and not negative:
            value = value_token.text == "true"
        elif kind in ("long", "int") and value_token.kind is Kind.LONG:
            assert isinstance(value_token.value, int)
            number = -value_token.value if inner.text == "-" else value_token.value
            bound = MAX_LONG if kind == "long" else 2**31 - 1
            if not -bound - 1 <= number <= bound:
                raise diag.invalid_literal(kind, value_token.text, value_token.pos)
            value = number
        elif kind == "real" and value_token.kind in (Kind.LONG, Kind.REAL):
            assert isinstance(value_token.value, int | float)
            value = float(-value_token.value if inner.text == "-" else value_token.value)
        elif (
            kind == "real"
            and value_token.is_word("nan", "inf")
            and not (value_token.text == "nan" and negative)
        ):
            value = float("-inf" if inner.text == "-" else value_token.text)
        else:
            return None
        for _ in range(3 if negative else 2):
            self.advance()
        self.expect_punct(")")
        return n.Literal(word.pos, kind, value)

    def parse_argument(self) -> n.Expr:
        t = self.tok
        if t.is_punct("*") and self.peek().is_punct(",", ")"):
            self.advance()
            return n.Star(t.pos)
        if t.kind is Kind.IDENT and self.peek().is_punct("=") and not self.peek(2).is_punct("="):
            # name = expr inside a call (arg_max(..., Alias = Column), bag_pack-like calls)
            self.advance()
            self.advance()
            expr = self.parse_expr()
            return n.Call(t.pos, "__named__", (n.Literal(t.pos, "string", t.text), expr))
        return self.parse_expr()

    def parse_json_value(self) -> object:
        self.enter()
        try:
            return self._json_value()
        finally:
            self.leave()

    def _json_value(self) -> object:
        t = self.tok
        if t.is_punct("["):
            self.advance()
            items: list[object] = []
            if not self.at_punct("]"):
                items.append(self.parse_json_value())
                while self.accept_punct(","):
                    if self.at_punct("]"):
                        break
                    items.append(self.parse_json_value())
            self.expect_punct("]")
            return items
        if t.is_punct("{"):
            self.advance()
            obj: dict[str, object] = {}
            if not self.at_punct("}"):
                while True:
                    key = self.tok
                    if key.kind is Kind.STRING or key.kind is Kind.IDENT:
                        self.advance()
                    else:
                        raise self.fail()
                    self.expect_punct(":")
                    obj[str(key.value)] = self.parse_json_value()
                    if not self.accept_punct(","):
                        break
                    if self.at_punct("}"):
                        break
            self.expect_punct("}")
            return obj
        if t.is_punct("-") and self.peek().kind in (Kind.LONG, Kind.REAL):
            self.advance()
            value = self.advance().value
            assert isinstance(value, int | float)
            return -value
        if t.kind in (Kind.LONG, Kind.REAL, Kind.STRING):
            self.advance()
            return t.value
        if t.kind is Kind.TIMESPAN:
            self.advance()
            assert isinstance(t.value, int)
            return _format_timespan(t.value)
        if t.kind is Kind.TYPED:
            self.advance()
            lit = typed_literal(t)
            if isinstance(lit.value, datetime):
                return lit.value.isoformat() + "Z"
            if lit.type == "timespan" and isinstance(lit.value, int):
                return _format_timespan(lit.value)
            return lit.value
        if t.is_word("true", "false"):
            self.advance()
            return t.text == "true"
        if t.is_word("null"):
            self.advance()
            return None
        raise self.fail()


def _adjacent(a: Token, b: Token) -> bool:
    return a.pos.line == b.pos.line and a.pos.column + len(a.text) == b.pos.column


def _format_timespan(micros: int) -> str:
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    days, rest = divmod(micros, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, frac = divmod(rest, 1_000_000)
    text = f"{hours:02}:{minutes:02}:{seconds:02}"
    if days:
        text = f"{days}.{text}"
    if frac:
        text += f".{frac * 10:07}"
    return sign + text


def typed_literal(t: Token) -> n.Literal:
    assert isinstance(t.value, tuple)
    word, raw = t.value
    text = raw.strip()
    if word == "datetime":
        if text == "null":
            return n.Literal(t.pos, "datetime", None)
        dt = parse_datetime_text(text)
        if dt is None:
            moment = parse_time_of_day(text)
            if moment is None:
                raise diag.invalid_literal("datetime", raw, t.pos)
            return n.Literal(t.pos, "datetime", moment)  # today at that time, see the binder
        return n.Literal(t.pos, "datetime", dt)
    if word in ("time", "timespan"):
        if text == "null":
            return n.Literal(t.pos, "timespan", None)
        micros = parse_timespan_text(text)
        if micros is None or abs(micros) > 10**17:
            raise diag.invalid_literal("timespan", raw, t.pos)
        return n.Literal(t.pos, "timespan", micros)
    # guid(...)
    if text == "null":
        return n.Literal(t.pos, "guid", None)
    value = text.strip("\"'").lower()
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value):
        raise diag.invalid_literal("guid", raw, t.pos)
    return n.Literal(t.pos, "guid", value)


def dynamic_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse(
    text: str,
    operator_parsers: Mapping[str, OperatorParser],
    source_parsers: Mapping[str, SourceParser] | None = None,
) -> n.Query:
    return Parser(text, operator_parsers, source_parsers).parse_query()
