"""Helpers shared by operator modules."""

from __future__ import annotations

import fnmatch
import re

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.relation import Relation
from xdrlab.kql.syntax import nodes as n


def free_names(e: n.Expr | None, out: set[str] | None = None) -> set[str]:
    """Every bare name an expression refers to (columns or lets)."""
    found = out if out is not None else set()
    stack: list[object] = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Name):
            found.add(node.name)
        elif isinstance(node, n.Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, n.Unary):
            stack.append(node.operand)
        elif isinstance(node, n.Call):
            stack.extend(node.args)
        elif isinstance(node, n.ListOp):
            stack.append(node.left)
            stack.extend(node.items)
        elif isinstance(node, n.Between):
            stack.extend((node.left, node.low, node.high))
        elif isinstance(node, n.Member):
            stack.append(node.target)
        elif isinstance(node, n.Index):
            stack.extend((node.target, node.index))
        elif isinstance(node, n.Star):
            found.add("*")
    return found


def names_in(exprs: list[n.Expr]) -> set[str]:
    found: set[str] = set()
    for e in exprs:
        free_names(e, found)
    return found


def refs_simple(rel: Relation, exprs: list[n.Expr]) -> bool:
    names = names_in(exprs)
    if "*" in names:
        return all(o.simple for o in rel.outputs)
    return rel.refs_are_simple(names)


def match_columns(rel: Relation, patterns: list[tuple[diag.Position, str]], op: str) -> list[str]:
    """Column names matching name patterns (`*` wildcards), in the relation's order."""
    names = rel.names()
    chosen: list[str] = []
    for pos, pattern in patterns:
        if "*" in pattern:
            regex = re.compile(fnmatch.translate(pattern))
            hits = [name for name in names if regex.fullmatch(name)]
        else:
            if pattern not in names:
                raise diag.unknown_column(op, pattern, pos)
            hits = [pattern]
        for name in hits:
            if name not in chosen:
                chosen.append(name)
    return chosen
