"""How big a parsed query is: its syntax-tree nodes, counted up to a limit.

Every node is a dataclass (scalar expressions here, operators in their own modules); its
children are its fields, or tuples of them. Positions are not nodes, nor is anything else that
is not a dataclass (names, a constant's value: a `dynamic` literal's elements are lists).
"""

from __future__ import annotations

from dataclasses import fields

from xdrlab.kql.diagnostics import Position

# Per class: the fields that may hold children, or None for what is not a node.
_CHILDREN: dict[type, tuple[str, ...] | None] = {Position: None, tuple: ()}


def _children(cls: type) -> tuple[str, ...] | None:
    if not hasattr(cls, "__dataclass_fields__"):
        return None
    return tuple(f.name for f in fields(cls) if f.name != "pos")


def count_nodes(root: object, limit: int) -> int:
    """The number of nodes in the tree under `root` (itself included), or `limit + 1` as soon
    as it has more: a huge tree costs no more than a tree of `limit` nodes."""
    count = 0
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        cls = type(node)
        if cls is tuple:
            stack.extend(node)  # type: ignore[arg-type]
            continue
        try:
            names = _CHILDREN[cls]
        except KeyError:
            names = _CHILDREN[cls] = _children(cls)
        if names is None:
            continue
        count += 1
        if count > limit:
            break
        for name in names:
            stack.append(getattr(node, name))
    return count
