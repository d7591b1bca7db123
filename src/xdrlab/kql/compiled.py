"""What the compiler hands to an engine: a sqlglot SELECT tree and what its result looks like."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from xdrlab.lake.schema import Column


@dataclass(frozen=True)
class RenderHint:
    """The `render` operator's request, passed back to the caller with the result."""

    visualization: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CompiledQuery:
    """A KQL query lowered to SQL.

    `tree` reads hunting tables through unqualified table identifiers named exactly like the
    hunting tables (``DeviceProcessEvents``); the engine binds each name in `tables` to the
    calling tenant's data and nothing else. `columns` is the result's schema with Kusto types,
    in output order.
    """

    tree: exp.Query
    columns: tuple[Column, ...]
    tables: frozenset[str]
    render: RenderHint | None = None
