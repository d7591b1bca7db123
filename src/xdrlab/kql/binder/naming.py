"""Result column names, the way Kusto derives them from expressions.

A column reference keeps its name; `x.a` / `x["a"]` / `x[0]` on a dynamic value become `x_a` /
`x_0`; function calls are named by their catalogue entry (conversions and `bin` take the name of
their first argument, aggregates prefix it: `max_Timestamp`, `count_`); anything else gets no
name here and the operator assigns `Column1`, `Column2`, ...
"""

from __future__ import annotations

from collections.abc import Container

from xdrlab.kql.functions.registry import FUNCTIONS
from xdrlab.kql.syntax import nodes as n


def result_name(e: n.Expr) -> str | None:
    if isinstance(e, n.Name):
        return e.name
    if isinstance(e, n.Member):
        left = result_name(e.target)
        return f"{left}_{e.name}" if left else e.name
    if isinstance(e, n.Index):
        right: str | None = None
        if isinstance(e.index, n.Literal) and e.index.type in ("string", "long"):
            right = str(e.index.value)
        if right is None:
            return None
        left = result_name(e.target)
        return f"{left}_{right}" if left else right
    if isinstance(e, n.Call):
        spec = FUNCTIONS.get(e.name)
        if spec is None:
            return None
        if spec.name_kind == "first":
            return result_name(e.args[0]) if e.args else None
        if spec.name_kind == "prefix":
            first = result_name(e.args[0]) if e.args else None
            return f"{spec.prefix}_{first or ''}"
        if spec.name_rule is not None:
            return spec.name_rule(e, result_name)
    return None


def unique_name(name: str, taken: Container[str]) -> str:
    """`name`, or `name1`, `name2`, ... when it is taken (Kusto's rule for clashes)."""
    if name not in taken:
        return name
    i = 1
    while f"{name}{i}" in taken:
        i += 1
    return f"{name}{i}"


def default_name(taken: Container[str], counter: list[int]) -> str:
    """The next free `ColumnN` name; `counter` holds the next N for this operator."""
    while True:
        name = f"Column{counter[0]}"
        counter[0] += 1
        if name not in taken:
            return name
