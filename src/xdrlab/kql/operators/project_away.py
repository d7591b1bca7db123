"""`project-away` and `project-keep`: drop or keep columns by name or wildcard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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
class ProjectAway(n.OperatorNode):
    patterns: tuple[tuple[Position, str], ...]


def parse(p: Parser, keyword: Token) -> ProjectAway:
    patterns = [p.parse_name_pattern()]
    while p.accept_punct(","):
        patterns.append(p.parse_name_pattern())
    return ProjectAway(keyword.pos, keyword.text, tuple(patterns))


def lower(ctx: Lowering, rel: Relation, node: ProjectAway) -> Relation:
    if rel.distinct:
        rel = rel.wrap()
    chosen = set(match_columns(rel, list(node.patterns), node.keyword))
    if node.keyword == "project-keep":
        rel.outputs = [o for o in rel.outputs if o.name in chosen]
    else:
        rel.outputs = [o for o in rel.outputs if o.name not in chosen]
    return rel


register_operator("project-away", "project-keep", node=ProjectAway, parse=parse, lower=lower)
