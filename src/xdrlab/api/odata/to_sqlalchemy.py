"""Turn a `$filter` tree into a SQLAlchemy boolean expression over allow-listed columns.

Values only ever reach SQL as bound parameters; property names only as the columns the caller
mapped them to. The result follows OData's two-valued logic on nullable columns: ``null ne 'x'``
is true, ``null eq 'x'``, ``null gt t`` and ``contains(null, 'x')`` are false, and ``not`` of any
of them is the opposite (plain SQL would make them all unknown, and ``not`` would not help).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, false, func, literal, not_, or_, true

from xdrlab.api.odata.ast import (
    LITERAL_TYPES,
    BoolLiteral,
    BoolOp,
    Call,
    Compare,
    CompareOp,
    DateTimeLiteral,
    EnumLiteral,
    FilterNode,
    In,
    IntLiteral,
    LiteralNode,
    Not,
    NullLiteral,
    Property,
    StringLiteral,
    to_odata,
)
from xdrlab.api.odata.errors import ODataError, quoted
from xdrlab.api.odata.fields import FilterField, require, resolve
from xdrlab.api.odata.lexer import parse_datetime

_MIRRORED: Final[dict[CompareOp, CompareOp]] = {
    "eq": "eq",
    "ne": "ne",
    "gt": "lt",
    "ge": "le",
    "lt": "gt",
    "le": "ge",
}
_ORDERED_KINDS: Final = frozenset({"datetime", "string", "int"})
_LIKE_ESCAPE: Final = "\\"


def filter_to_sqlalchemy(
    node: FilterNode, fields: Mapping[str, FilterField]
) -> ColumnElement[bool]:
    """A WHERE clause for `node`, using only the properties in `fields`; `ODataError` otherwise."""
    return _predicate(node, fields)


def _predicate(node: FilterNode, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    match node:
        case BoolOp(op=op):
            parts = [_predicate(part, fields) for part in _flatten(node, op)]
            return and_(*parts) if op == "and" else or_(*parts)
        case Not(operand=operand):
            return not_(_predicate(operand, fields))
        case Compare():
            return _compare(node, fields)
        case In():
            return _in(node, fields)
        case Call():
            return _call(node, fields)
        case BoolLiteral(value=value):
            return true() if value else false()
        case Property(name=name):
            field = require(fields, name)
            if field.kind != "bool":
                raise ODataError(
                    f"Property {quoted(field.name)} of type {field.type_name} is not a condition; "
                    "compare it with a value"
                )
            return _guarded(field, field.expression.is_(True))
        case _:
            raise ODataError(f"The value {_shown(node)} is not a condition")


def _flatten(node: BoolOp, op: str) -> list[FilterNode]:
    """The operands of a chain of one logical operator, left to right, without recursion."""
    parts: list[FilterNode] = []
    stack: list[FilterNode] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, BoolOp) and item.op == op:
            stack.extend((item.right, item.left))
        else:
            parts.append(item)
    return parts


# -- comparisons -------------------------------------------------------------------------------


def _compare(node: Compare, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    op, left, right = node.op, node.left, node.right
    if isinstance(left, LITERAL_TYPES) and isinstance(right, Property):
        op, left, right = _MIRRORED[op], right, left
    field = _property(left, fields, f"the left side of '{op}'")
    value_node = _value(right, field, fields)
    column = field.expression
    if isinstance(value_node, NullLiteral):
        if op == "eq":
            return column.is_(None)
        if op == "ne":
            return column.is_not(None)
        raise ODataError(
            f"The operator '{op}' cannot compare property {quoted(field.name)} with null"
        )
    if op not in ("eq", "ne") and field.kind not in _ORDERED_KINDS:
        raise ODataError(
            f"The operator '{op}' is not supported for property {quoted(field.name)} "
            f"of type {field.type_name}; use eq, ne or in"
        )
    if isinstance(value_node, DateTimeLiteral) and value_node.excess:
        return _beyond_microseconds(field, op, _datetime(field, value_node))
    value = _convert(field, value_node)
    if op == "ne":
        return (
            or_(_operator("ne", *_sides(field, value)), column.is_(None))
            if field.nullable
            else (_operator("ne", *_sides(field, value)))
        )
    return _guarded(field, _operator(op, *_sides(field, value)))


def _beyond_microseconds(field: FilterField, op: CompareOp, floor: Any) -> ColumnElement[bool]:
    """Compare with a literal between two microseconds (stored values have none between):
    ``>= x`` and ``> x`` are ``> floor``, ``<= x`` and ``< x`` are ``<= floor``."""
    column = field.expression
    match op:
        case "eq":
            return false()
        case "ne":
            return true()
        case "gt" | "ge":
            return _guarded(field, column > floor)
        case "lt" | "le":
            return _guarded(field, column <= floor)


def _operator(op: CompareOp, left: ColumnElement[Any], right: Any) -> ColumnElement[bool]:
    operators: dict[CompareOp, Callable[[], ColumnElement[bool]]] = {
        "eq": lambda: left == right,
        "ne": lambda: left != right,
        "gt": lambda: left > right,
        "ge": lambda: left >= right,
        "lt": lambda: left < right,
        "le": lambda: left <= right,
    }
    return operators[op]()


def _sides(field: FilterField, value: Any) -> tuple[ColumnElement[Any], Any]:
    """(column, value), both lower-cased by the database for case-insensitive strings."""
    if field.kind == "string" and field.case_insensitive:
        return func.lower(field.expression), func.lower(literal(value))
    return field.expression, value


def _guarded(field: FilterField, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition`, false rather than unknown where the column is null."""
    return and_(field.expression.is_not(None), condition) if field.nullable else condition


def _in(node: In, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    field = _property(node.operand, fields, "the left side of 'in'")
    column = field.expression
    values: list[Any] = []
    with_null = False
    for item in node.values:
        value_node = _value(item, field, fields)
        if isinstance(value_node, NullLiteral):
            with_null = True
        elif not (isinstance(value_node, DateTimeLiteral) and value_node.excess):
            values.append(_convert(field, value_node))
    parts: list[ColumnElement[bool]] = []
    if values:
        if field.kind == "string" and field.case_insensitive:
            lowered = [func.lower(literal(v)) for v in values]
            parts.append(_guarded(field, func.lower(column).in_(lowered)))
        else:
            parts.append(_guarded(field, column.in_(values)))
    if with_null:
        parts.append(column.is_(None))
    return or_(*parts) if parts else false()


def _call(node: Call, fields: Mapping[str, FilterField]) -> ColumnElement[bool]:
    target, needle = node.args
    field = _property(target, fields, f"the first argument of {node.name}")
    if field.kind != "string":
        raise ODataError(
            f"The function {node.name} needs a string property; "
            f"{quoted(field.name)} is of type {field.type_name}"
        )
    if not isinstance(needle, StringLiteral):
        raise ODataError(f"The second argument of {node.name} must be a string in single quotes")
    escaped = (
        needle.value.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )
    pattern = {
        "contains": f"%{escaped}%",
        "startswith": f"{escaped}%",
        "endswith": f"%{escaped}",
    }[node.name]
    if field.case_insensitive:
        condition = func.lower(field.expression).like(
            func.lower(literal(pattern)), escape=_LIKE_ESCAPE
        )
    else:
        condition = field.expression.like(pattern, escape=_LIKE_ESCAPE)
    return _guarded(field, condition)


# -- operands ----------------------------------------------------------------------------------


def _property(node: FilterNode, fields: Mapping[str, FilterField], where: str) -> FilterField:
    if not isinstance(node, Property):
        raise ODataError(f"Expected a property as {where} but found {_shown(node)}")
    return require(fields, node.name)


def _value(node: FilterNode, field: FilterField, fields: Mapping[str, FilterField]) -> LiteralNode:
    if isinstance(node, LITERAL_TYPES):
        return node
    if isinstance(node, Property):
        if resolve(fields, node.name) is not None:
            raise ODataError(
                f"Comparing property {quoted(field.name)} with another property "
                f"({quoted(node.name)}) is not supported"
            )
        raise ODataError(
            f"Could not find a property named {quoted(node.name)}; string and enum values "
            f"need single quotes, as in {field.name} eq {quoted(node.name)}"
        )
    raise ODataError(
        f"Expected a value to compare property {quoted(field.name)} with but found {_shown(node)}"
    )


def _convert(field: FilterField, node: LiteralNode) -> Any:
    """The Python value to bind for `node` against `field`, or an `ODataError`."""
    match field.kind, node:
        case "datetime", DateTimeLiteral():
            return _datetime(field, node)
        case "datetime", StringLiteral(value=text):
            value, excess = parse_datetime(text)
            if excess:
                raise ODataError(
                    f"The value {quoted(text)} is more precise than a microsecond; "
                    "write it without quotes"
                )
            return _datetime(field, DateTimeLiteral(value, excess, text))
        case "string", StringLiteral(value=text):
            return text
        case "enum", StringLiteral(value=text):
            return field.enum_member(text)
        case "enum", EnumLiteral(type_name=type_name, value=text):
            _check_enum_type(field, type_name)
            return field.enum_member(text)
        case "int", IntLiteral(value=number):
            return number
        case "bool", BoolLiteral(value=flag):
            return flag
    raise ODataError(
        f"Cannot compare property {quoted(field.name)} of type {field.type_name} "
        f"with {_shown(node)}"
    )


def _datetime(field: FilterField, node: DateTimeLiteral) -> dt.datetime:
    if field.kind != "datetime":
        raise ODataError(
            f"Cannot compare property {quoted(field.name)} of type {field.type_name} "
            f"with {_shown(node)}"
        )
    utc = node.value.astimezone(dt.UTC)
    return utc.replace(tzinfo=None) if field.naive_utc else utc


def _shown(node: FilterNode) -> str:
    """`node` as OData text for a message; quoted unless it already is."""
    text = to_odata(node)
    return text if isinstance(node, StringLiteral | EnumLiteral) else quoted(text)


def _check_enum_type(field: FilterField, type_name: str) -> None:
    if field.enum_type is None:
        return
    expected = field.enum_type.casefold()
    given = type_name.casefold()
    if given != expected and given != expected.rsplit(".", 1)[-1]:
        raise ODataError(
            f"The enum type {quoted(type_name)} does not match property {quoted(field.name)} "
            f"of type {field.enum_type}"
        )
