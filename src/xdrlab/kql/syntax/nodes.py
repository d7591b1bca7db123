"""AST nodes. Every node carries the position of its first token.

Scalar expressions are small frozen dataclasses; tabular operators are defined next to their
lowering in `xdrlab.kql.operators` and derive from `OperatorNode`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdrlab.kql.diagnostics import Position


@dataclass(frozen=True, slots=True)
class Expr:
    pos: Position


@dataclass(frozen=True, slots=True)
class Name(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """A constant. `type` is a Kusto type name; `value` is None for a typed null.

    Values: str (string, guid), int (long, int), float (real), bool, datetime (naive UTC;
    a time of day for a time-only literal: today at that time),
    int microseconds (timespan), JSON-compatible Python value (dynamic).
    """

    type: str
    value: object


@dataclass(frozen=True, slots=True)
class Star(Expr):
    pass


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class ListOp(Expr):
    """`x in (a, b)`, `x !in~ (...)`, `x has_any (...)`, `x has_all (...)`."""

    op: str
    left: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Between(Expr):
    left: Expr
    low: Expr
    high: Expr
    negated: bool


@dataclass(frozen=True, slots=True)
class Member(Expr):
    """`x.name`: property access on a dynamic value."""

    target: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    """`x[expr]`: element or property access on a dynamic value."""

    target: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class Assignment:
    """`[Name =] expr` in project/extend/summarize lists; `(A, B) = expr` sets `names` (and no
    `name`) for functions and aggregates that produce several columns."""

    pos: Position
    name: str | None
    expr: Expr
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SortKey:
    pos: Position
    expr: Expr
    descending: bool
    nulls_first: bool


@dataclass(frozen=True, slots=True)
class OperatorNode:
    """A tabular operator after `|`. `keyword` is the operator name as written."""

    pos: Position
    keyword: str


@dataclass(frozen=True, slots=True)
class UnsupportedOperator(OperatorNode):
    pass


@dataclass(frozen=True, slots=True)
class Pipeline:
    pos: Position
    source: Expr
    operators: tuple[OperatorNode, ...]


@dataclass(frozen=True, slots=True)
class LetStatement:
    pos: Position
    name: str
    value: Expr | Pipeline


@dataclass(frozen=True, slots=True)
class UnsupportedStatement:
    pos: Position
    keyword: str


@dataclass(frozen=True, slots=True)
class SubPipeline(Expr):
    """A parenthesised tabular expression used as a pipeline source: `(T | where ...)`."""

    pipeline: Pipeline


@dataclass(frozen=True, slots=True)
class TabularExpr(Expr):
    """A tabular expression other than a name or a pipeline (`union ...`, `datatable(...)[...]`,
    `materialize(...)`): parsed and lowered by the operator module registered for its keyword
    (`register_source`)."""

    keyword: str


@dataclass(frozen=True, slots=True)
class ToScalar(Expr):
    """`toscalar(tabular)`: the first column of the first row, as a scalar."""

    source: Expr


@dataclass(frozen=True, slots=True)
class Param:
    """A user function's parameter: `x:string`, `x:long = 5`, `T:(*)`, `T:(A:string, B:long)`."""

    pos: Position
    name: str
    type: str | None  # the scalar type name; None for a tabular parameter
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class FunctionBody(Expr):
    """`(params) { lets; expression }` on the right of a let: a user-defined function."""

    params: tuple[Param, ...] = ()
    statements: tuple[LetStatement, ...] = ()
    body: Expr | Pipeline | None = None


@dataclass(frozen=True, slots=True)
class Query:
    statements: tuple[LetStatement | UnsupportedStatement, ...]
    body: Pipeline | None
    end: Position
