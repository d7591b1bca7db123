"""Recursive-descent parser: `$filter` text to the tree in `ast.py`.

Grammar (an OData v4 subset; keywords and function names in any case, as OData 4.01 requires)::

    filter   = or_expr END
    or_expr  = and_expr *( "or" and_expr )
    and_expr = not_expr *( "and" not_expr )
    not_expr = "not" not_expr / compare
    compare  = primary [ ( "eq" / "ne" / "gt" / "ge" / "lt" / "le" ) primary
                       / "in" "(" primary *( "," primary ) ")" ]
    primary  = "(" or_expr ")" / literal / function "(" primary *( "," primary ) ")" / property
    function = "contains" / "startswith" / "endswith" / "substringof"

``substringof('x', p)`` (OData v3) is read as ``contains(p, 'x')``. `not` binds looser than a
comparison, so ``not status eq 'Active'`` means ``not (status eq 'Active')`` -- the one reading
that type-checks (strict OData parsers read it as ``(not status) eq 'Active'`` and reject it).
Nesting and size are capped so hostile input cannot exhaust the stack.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, cast

from xdrlab.api.odata.ast import (
    COMPARE_OPS,
    BoolLiteral,
    BoolOp,
    Call,
    Compare,
    DateTimeLiteral,
    EnumLiteral,
    FilterNode,
    FunctionName,
    In,
    IntLiteral,
    Not,
    NullLiteral,
    Property,
    StringLiteral,
)
from xdrlab.api.odata.errors import ODataError, quoted, syntax_error
from xdrlab.api.odata.lexer import Token, tokenize

MAX_DEPTH: Final = 32
MAX_NODES: Final = 500

_FUNCTIONS: Final[dict[str, FunctionName]] = {
    "contains": "contains",
    "startswith": "startswith",
    "endswith": "endswith",
    "substringof": "contains",
}
_KEYWORDS: Final = frozenset({*COMPARE_OPS, "and", "or", "not", "in"})


def parse_filter(text: str) -> FilterNode:
    """The syntax tree of a `$filter` value (already URL-decoded); `ODataError` if it is not one."""
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.nodes = 0

    # -- token helpers -------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "ident" and token.text.lower() == word

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.error(token, f"expected {what} but found {_describe(token)}")
        return self.advance()

    def error(self, token: Token, reason: str) -> ODataError:
        return syntax_error(self.text, token.position, reason)

    def counted(self, node: FilterNode) -> FilterNode:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ODataError(f"The node count limit of '{MAX_NODES}' has been exceeded")
        return node

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(token, f"the filter is nested deeper than {MAX_DEPTH} levels")

    # -- grammar -------------------------------------------------------------------------------

    def parse(self) -> FilterNode:
        if self.peek().kind == "end":
            raise self.error(self.peek(), "the filter is empty")
        node = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            raise self.error(
                token, f"unexpected {_describe(token)}; expected 'and', 'or' or the end"
            )
        return node

    def or_expr(self) -> FilterNode:
        left = self.and_expr()
        while self.at_keyword("or"):
            self.advance()
            left = self.counted(BoolOp("or", left, self.and_expr(), left.position))
        return left

    def and_expr(self) -> FilterNode:
        left = self.not_expr()
        while self.at_keyword("and"):
            self.advance()
            left = self.counted(BoolOp("and", left, self.not_expr(), left.position))
        return left

    def not_expr(self) -> FilterNode:
        if not self.at_keyword("not"):
            return self.compare()
        token = self.advance()
        self.enter(token)
        operand = self.not_expr()
        self.depth -= 1
        return self.counted(Not(operand, token.position))

    def compare(self) -> FilterNode:
        left = self.primary()
        token = self.peek()
        word = token.text.lower() if token.kind == "ident" else ""
        for op in COMPARE_OPS:
            if word == op:
                self.advance()
                return self.counted(Compare(op, left, self.primary(), left.position))
        if word == "in":
            self.advance()
            values = self.arguments("a list of values")
            return self.counted(In(left, values, left.position))
        return left

    def arguments(self, what: str) -> tuple[FilterNode, ...]:
        """``( primary *( , primary ) )``."""
        self.expect("lparen", f"'(' to open {what}")
        values = [self.primary()]
        while self.peek().kind == "comma":
            self.advance()
            values.append(self.primary())
        self.expect("rparen", "',' or ')'")
        return tuple(values)

    def primary(self) -> FilterNode:
        token = self.peek()
        match token.kind:
            case "lparen":
                self.advance()
                self.enter(token)
                node = self.or_expr()
                self.depth -= 1
                self.expect("rparen", "')'")
                return node
            case "string":
                self.advance()
                return self.counted(StringLiteral(str(token.value), token.position))
            case "int":
                self.advance()
                assert isinstance(token.value, int)
                return self.counted(IntLiteral(token.value, token.position))
            case "datetime":
                self.advance()
                value, excess = cast(tuple[dt.datetime, bool], token.value)
                return self.counted(DateTimeLiteral(value, excess, token.text, token.position))
            case "enum":
                self.advance()
                type_name, member = cast(tuple[str, str], token.value)
                return self.counted(EnumLiteral(type_name, member, token.position))
            case "ident":
                return self.identifier(token)
            case _:
                raise self.error(token, f"expected a value but found {_describe(token)}")

    def identifier(self, token: Token) -> FilterNode:
        word = token.text.lower()
        if self.peek(1).kind == "lparen":
            return self.call(token, word)
        if word in _KEYWORDS:
            raise self.error(token, f"expected a value but found {quoted(token.text)}")
        self.advance()
        if word == "null":
            return self.counted(NullLiteral(token.position))
        if word in ("true", "false"):
            return self.counted(BoolLiteral(word == "true", token.position))
        return self.counted(Property(token.text, token.position))

    def call(self, token: Token, word: str) -> FilterNode:
        name = _FUNCTIONS.get(word)
        if name is None:
            raise self.error(
                token,
                f"unknown function {quoted(token.text)}; "
                "supported functions are contains, startswith and endswith",
            )
        self.advance()
        self.enter(token)
        args = self.arguments(f"the arguments of {token.text}")
        self.depth -= 1
        if len(args) != 2:
            raise self.error(
                token, f"the function {quoted(token.text)} takes 2 arguments, not {len(args)}"
            )
        if word == "substringof":
            args = (args[1], args[0])
        return self.counted(Call(name, args, token.position))


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the filter"
    return token.text if token.kind in ("string", "enum") else quoted(token.text)
