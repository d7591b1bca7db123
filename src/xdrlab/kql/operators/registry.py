"""The tabular operator registry: each operator module registers how it parses and lowers.

Adding an operator means adding a module that calls `register_operator` and importing it from
`xdrlab.kql.operators`; neither the parser core nor the compiler changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.parser import OperatorParser

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation

Lower = Callable[["Lowering", "Relation", Any], "Relation"]


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    keywords: tuple[str, ...]
    node: type[n.OperatorNode]
    parse: OperatorParser
    lower: Lower


PARSERS: dict[str, OperatorParser] = {}
LOWERERS: dict[type[n.OperatorNode], Lower] = {}


def register_operator(
    *keywords: str, node: type[n.OperatorNode], parse: OperatorParser, lower: Lower
) -> OperatorSpec:
    spec = OperatorSpec(keywords, node, parse, lower)
    for keyword in keywords:
        PARSERS[keyword] = parse
    LOWERERS[node] = lower
    return spec
