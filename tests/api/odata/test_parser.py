"""The parser's trees: precedence, literal forms, and printing back to text."""

from __future__ import annotations

import datetime as dt

import pytest

from xdrlab.api.odata import parse_filter, to_odata
from xdrlab.api.odata.ast import (
    BoolLiteral,
    BoolOp,
    Call,
    Compare,
    DateTimeLiteral,
    EnumLiteral,
    In,
    IntLiteral,
    Not,
    NullLiteral,
    Property,
    StringLiteral,
)

A = Compare("eq", Property("a"), IntLiteral(1))
B = Compare("eq", Property("b"), IntLiteral(2))
C = Compare("eq", Property("c"), IntLiteral(3))


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a eq 1 or b eq 2 and c eq 3", BoolOp("or", A, BoolOp("and", B, C))),
        ("a eq 1 and b eq 2 or c eq 3", BoolOp("or", BoolOp("and", A, B), C)),
        ("(a eq 1 or b eq 2) and c eq 3", BoolOp("and", BoolOp("or", A, B), C)),
        ("a eq 1 or b eq 2 or c eq 3", BoolOp("or", BoolOp("or", A, B), C)),
        ("not a eq 1 and b eq 2", BoolOp("and", Not(A), B)),
        ("not (a eq 1 and b eq 2)", Not(BoolOp("and", A, B))),
        ("a  EQ\t1", A),
        (
            "a in (1, 'x', null)",
            In(Property("a"), (IntLiteral(1), StringLiteral("x"), NullLiteral())),
        ),
        ("contains(a,'x')", Call("contains", (Property("a"), StringLiteral("x")))),
        ("substringof('x', a)", Call("contains", (Property("a"), StringLiteral("x")))),
        ("StartsWith(a, 'x')", Call("startswith", (Property("a"), StringLiteral("x")))),
        ("a eq TRUE", Compare("eq", Property("a"), BoolLiteral(True))),
        ("a ne -42", Compare("ne", Property("a"), IntLiteral(-42))),
        ("a eq 'it''s'", Compare("eq", Property("a"), StringLiteral("it's"))),
        ("a eq ''''", Compare("eq", Property("a"), StringLiteral("'"))),
        ("a eq ''", Compare("eq", Property("a"), StringLiteral(""))),
        ("a eq'x'", Compare("eq", Property("a"), StringLiteral("x"))),
        (
            "status eq microsoft.graph.security.incidentStatus'active'",
            Compare(
                "eq",
                Property("status"),
                EnumLiteral("microsoft.graph.security.incidentStatus", "active"),
            ),
        ),
    ],
)
def test_trees(text: str, tree: object) -> None:
    assert parse_filter(text) == tree


UTC = dt.UTC


@pytest.mark.parametrize(
    ("literal", "value", "excess"),
    [
        ("2024-05-01T12:34:56.1234567Z", dt.datetime(2024, 5, 1, 12, 34, 56, 123456, UTC), True),
        ("2024-05-01T12:34:56.1234560Z", dt.datetime(2024, 5, 1, 12, 34, 56, 123456, UTC), False),
        ("2024-05-01T12:34:56.12Z", dt.datetime(2024, 5, 1, 12, 34, 56, 120000, UTC), False),
        ("2024-05-01T12:34:56Z", dt.datetime(2024, 5, 1, 12, 34, 56, tzinfo=UTC), False),
        ("2024-05-01T12:34Z", dt.datetime(2024, 5, 1, 12, 34, tzinfo=UTC), False),
        ("2024-05-01T12:34:56", dt.datetime(2024, 5, 1, 12, 34, 56, tzinfo=UTC), False),
        ("2024-05-01", dt.datetime(2024, 5, 1, tzinfo=UTC), False),
        ("2024-05-01T12:00:00+02:00", dt.datetime(2024, 5, 1, 10, tzinfo=UTC), False),
        ("2024-05-01T12:00:00 02:00", dt.datetime(2024, 5, 1, 10, tzinfo=UTC), False),
        ("2024-05-01T12:00:00-05:30", dt.datetime(2024, 5, 1, 17, 30, tzinfo=UTC), False),
        ("datetime'2024-05-01T12:00:00'", dt.datetime(2024, 5, 1, 12, tzinfo=UTC), False),
    ],
)
def test_datetime_literals(literal: str, value: dt.datetime, excess: bool) -> None:
    node = parse_filter(f"t ge {literal}")
    assert isinstance(node, Compare)
    assert isinstance(node.right, DateTimeLiteral)
    assert node.right.value == value
    assert node.right.excess is excess


def test_spaced_offset_is_only_taken_when_it_looks_like_one() -> None:
    node = parse_filter("t ge 2024-05-01T12:00:00 and x eq 1")
    assert isinstance(node, BoolOp)
    assert isinstance(node.left, Compare)
    assert isinstance(node.left.right, DateTimeLiteral)
    assert node.left.right.value == dt.datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_positions_point_into_the_text() -> None:
    node = parse_filter("a eq 1 and  contains(b, 'x')")
    assert isinstance(node, BoolOp)
    assert node.right.position == 12


@pytest.mark.parametrize(
    "text",
    [
        "lastUpdateTime ge 2024-05-01T12:34:56.1234567Z",
        "status eq 'Active' and assignedTo eq 'o''brien@contoso.com'",
        "a eq 1 or b eq 2 and c eq 3",
        "(a eq 1 or b eq 2) and c eq 3",
        "a eq 1 or (b eq 2 or c eq 3)",
        "a eq 1 and (b eq 2 and c eq 3)",
        "not (a eq 1 or b eq 2)",
        "not contains(assignedTo, 'x')",
        "status in ('Active', microsoft.graph.security.incidentStatus'resolved', null)",
        "hasComments eq true and id ne -1",
        "createdTime ge 2024-01-01T00:00:00 02:00",
    ],
)
def test_printing_round_trips(text: str) -> None:
    tree = parse_filter(text)
    assert parse_filter(to_odata(tree)) == tree
