"""`render kind [with (name = value, ...)]`: a visualization hint returned with the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql.compiled import RenderHint
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Render(n.OperatorNode):
    visualization: str
    properties: tuple[tuple[str, str], ...]


def _value(p: Parser) -> str:
    t = p.tok
    if t.is_punct("("):
        start = p.i
        p.skip_group()
        return " ".join(tok.text for tok in p.tokens[start : p.i])
    if t.kind is Kind.END or t.is_punct(",", ")"):
        raise p.fail()
    p.advance()
    return str(t.value) if t.kind is Kind.STRING else t.text


def parse(p: Parser, keyword: Token) -> Render:
    visualization = p.parse_identifier()
    properties: list[tuple[str, str]] = []
    if p.accept_word("with"):
        p.expect_punct("(")
        while not p.at_punct(")"):
            name = p.parse_identifier()
            p.expect_punct("=")
            properties.append((name, _value(p)))
            if not p.accept_punct(","):
                break
        p.expect_punct(")")
    return Render(keyword.pos, keyword.text, visualization, tuple(properties))


def lower(ctx: Lowering, rel: Relation, node: Render) -> Relation:
    ctx.render = RenderHint(node.visualization, dict(node.properties))
    return rel


register_operator("render", node=Render, parse=parse, lower=lower)
