"""`project-reorder`: move the named columns first, the others keep their order after them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.diagnostics import Position
from xdrlab.kql.operators.common import match_columns
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class ProjectReorder(n.OperatorNode):
    patterns: tuple[tuple[Position, str, str | None], ...]  # (position, pattern, ordering)


_ORDERINGS = ("asc", "desc", "granny-asc", "granny-desc")


def _one(p: Parser) -> tuple[Position, str, str | None]:
    pos, pattern = p.parse_name_pattern()
    ordering = None
    if p.at_word("asc", "desc"):
        ordering = p.advance().text
    elif p.at_word("granny") and p.peek().is_punct("-"):
        p.advance()
        p.advance()
        ordering = "granny-" + p.expect_word("asc", "desc").text
    return pos, pattern, ordering


def parse(p: Parser, keyword: Token) -> ProjectReorder:
    patterns = [_one(p)]
    while p.accept_punct(","):
        patterns.append(_one(p))
    return ProjectReorder(keyword.pos, keyword.text, tuple(patterns))


def lower(ctx: Lowering, rel: Relation, node: ProjectReorder) -> Relation:
    first: list[str] = []
    for pos, pattern, ordering in node.patterns:
        if ordering is not None and ordering.startswith("granny"):
            raise diag.unsupported_feature("Reordering columns granny-style", pos)
        names = [x for x in match_columns(rel, [(pos, pattern)], node.keyword) if x not in first]
        if ordering == "asc":
            names.sort(key=str.lower)
        elif ordering == "desc":
            names.sort(key=str.lower, reverse=True)
        first.extend(names)
    by_name = {o.name: o for o in rel.outputs}
    rest = [o for o in rel.outputs if o.name not in first]
    rel.outputs = [by_name[name] for name in first] + rest
    return rel


register_operator("project-reorder", node=ProjectReorder, parse=parse, lower=lower)
