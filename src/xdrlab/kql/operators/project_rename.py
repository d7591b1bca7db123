"""`project-rename`: rename columns in place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.diagnostics import Position
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class ProjectRename(n.OperatorNode):
    renames: tuple[tuple[Position, str, str], ...]  # (position, new name, old name)


def _one(p: Parser) -> tuple[Position, str, str]:
    new = p.parse_identifier()
    p.expect_punct("=")
    pos = p.tok.pos  # diagnostics point at the column being renamed
    old = p.parse_identifier()
    return pos, new, old


def parse(p: Parser, keyword: Token) -> ProjectRename:
    renames = [_one(p)]
    while p.accept_punct(","):
        renames.append(_one(p))
    return ProjectRename(keyword.pos, keyword.text, tuple(renames))


def lower(ctx: Lowering, rel: Relation, node: ProjectRename) -> Relation:
    for pos, new, old in node.renames:
        index = next((i for i, o in enumerate(rel.outputs) if o.name == old), None)
        if index is None:
            raise diag.unknown_column(node.keyword, old, pos)
        if new != old and new in rel.names():
            raise diag.duplicate_column(node.keyword, new, pos)
        o = rel.outputs[index]
        rel.outputs[index] = Output(Column(new, o.column.type), o.sql)
    return rel


register_operator("project-rename", node=ProjectRename, parse=parse, lower=lower)
