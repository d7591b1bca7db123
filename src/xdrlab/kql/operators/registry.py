"""The tabular operator registry: each operator module registers how it parses and lowers.

Adding an operator means adding a module that calls `register_operator` and importing it from
`xdrlab.kql.operators`; neither the parser core nor the compiler changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.parser import OperatorParser, SourceParser

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation

Lower = Callable[["Lowering", "Relation", Any], "Relation"]
LowerSource = Callable[["Lowering", Any], "Relation"]


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    keywords: tuple[str, ...]
    node: type[n.OperatorNode]
    parse: OperatorParser
    lower: Lower


PARSERS: dict[str, OperatorParser] = {}
LOWERERS: dict[type[n.OperatorNode], Lower] = {}
SOURCE_PARSERS: dict[str, SourceParser] = {}
SOURCE_LOWERERS: dict[type[n.Expr], LowerSource] = {}
# Source keywords recognised only to be refused, with the reason (for the catalogue page).
REFUSED_SOURCES: dict[str, str] = {}


def register_operator(
    *keywords: str, node: type[n.OperatorNode], parse: OperatorParser, lower: Lower
) -> OperatorSpec:
    spec = OperatorSpec(keywords, node, parse, lower)
    for keyword in keywords:
        PARSERS[keyword] = parse
    LOWERERS[node] = lower
    return spec


def register_source(
    *keywords: str,
    node: type[n.Expr],
    parse: SourceParser,
    lower: LowerSource | None = None,
    refused_because: str | None = None,
) -> None:
    """A tabular source keyword (`union`, `datatable(...)`): its parser, and how its node lowers
    (nodes the binder handles itself, like `toscalar`, need no lowering). A keyword whose parser
    only refuses it says why in `refused_because`."""
    for keyword in keywords:
        SOURCE_PARSERS[keyword] = parse
        if refused_because is not None:
            REFUSED_SOURCES[keyword] = refused_because
    if lower is not None:
        SOURCE_LOWERERS[node] = lower
