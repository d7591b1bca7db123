"""The `$filter` syntax tree: frozen dataclasses, one per construct, plus `to_odata` to print one.

Every node records the 0-based offset where it starts in the filter text (`position`); positions
take no part in equality, so a tree parsed from ``a eq 1`` equals one parsed from ``a  eq  1``.
The parser accepts more than the translator allows (``'x' eq 1`` parses, then fails to
translate), so each node's operands are any node.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, assert_never

CompareOp: TypeAlias = Literal["eq", "ne", "gt", "ge", "lt", "le"]
FunctionName: TypeAlias = Literal["contains", "startswith", "endswith"]
LogicalOp: TypeAlias = Literal["and", "or"]

COMPARE_OPS: tuple[CompareOp, ...] = ("eq", "ne", "gt", "ge", "lt", "le")
FUNCTION_NAMES: tuple[FunctionName, ...] = ("contains", "startswith", "endswith")


@dataclass(frozen=True)
class Property:
    """A property name such as ``lastUpdateTime``, exactly as written."""

    name: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class StringLiteral:
    """``'text'``; `value` has ``''`` already unescaped to ``'``."""

    value: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IntLiteral:
    value: int
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BoolLiteral:
    value: bool
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class NullLiteral:
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DateTimeLiteral:
    """An unquoted date or date-time, as an aware datetime.

    Python keeps microseconds; OData allows finer fractions (.NET writes 7 digits). `excess` says
    the literal had non-zero digits beyond the microsecond, which the translator needs to compare
    exactly. `text` is the literal as written.
    """

    value: dt.datetime
    excess: bool = False
    text: str = field(default="", compare=False)
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class EnumLiteral:
    """Graph's qualified enum form: ``microsoft.graph.security.incidentStatus'active'``."""

    type_name: str
    value: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Compare:
    op: CompareOp
    left: FilterNode
    right: FilterNode
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class In:
    """``operand in (v1, v2, ...)``."""

    operand: FilterNode
    values: tuple[FilterNode, ...]
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    """``contains(p, 'x')``, ``startswith(...)``, ``endswith(...)``."""

    name: FunctionName
    args: tuple[FilterNode, ...]
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    operand: FilterNode
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BoolOp:
    op: LogicalOp
    left: FilterNode
    right: FilterNode
    position: int = field(default=0, compare=False)


LiteralNode: TypeAlias = (
    StringLiteral | IntLiteral | BoolLiteral | NullLiteral | DateTimeLiteral | EnumLiteral
)
FilterNode: TypeAlias = Property | LiteralNode | Compare | In | Call | Not | BoolOp
LITERAL_TYPES = (StringLiteral, IntLiteral, BoolLiteral, NullLiteral, DateTimeLiteral, EnumLiteral)


def quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def to_odata(node: FilterNode) -> str:
    """`node` as `$filter` text that parses back to an equal tree."""
    match node:
        case Property(name=name):
            return name
        case StringLiteral(value=value):
            return quote_string(value)
        case IntLiteral(value=value):
            return str(value)
        case BoolLiteral(value=value):
            return "true" if value else "false"
        case NullLiteral():
            return "null"
        case DateTimeLiteral():
            return node.text or node.value.isoformat().replace("+00:00", "Z")
        case EnumLiteral(type_name=type_name, value=value):
            return type_name + quote_string(value)
        case Compare(op=op, left=left, right=right):
            return f"{_operand(left)} {op} {_operand(right)}"
        case In(operand=operand, values=values):
            return f"{_operand(operand)} in ({', '.join(to_odata(v) for v in values)})"
        case Call(name=name, args=args):
            return f"{name}({', '.join(to_odata(a) for a in args)})"
        case Not(operand=operand):
            inner = to_odata(operand)
            return f"not ({inner})" if isinstance(operand, BoolOp) else f"not {inner}"
        case BoolOp(op=op, left=left, right=right):
            return f"{_side(left, op, first=True)} {op} {_side(right, op, first=False)}"
        case _:
            assert_never(node)


def _operand(node: FilterNode) -> str:
    """A comparison operand: anything that is not a primary expression needs parentheses."""
    text = to_odata(node)
    return f"({text})" if isinstance(node, Compare | In | Not | BoolOp) else text


def _side(node: FilterNode, parent: LogicalOp, *, first: bool) -> str:
    text = to_odata(node)
    if isinstance(node, BoolOp) and (
        (node.op == "or" and parent == "and") or (node.op == parent and not first)
    ):
        return f"({text})"
    return text
