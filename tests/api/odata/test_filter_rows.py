"""Filters run against the SQLite table in conftest; every expectation is written by hand from
the rows there."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from sqlalchemy import Engine, inspect

from tests.api.odata.conftest import (
    ALL_IDS,
    DEFENDER_FIELDS,
    GRAPH_FIELDS,
    WIDE_FIELDS,
    Select,
)
from xdrlab.api.odata import FilterField, ODataError

# The styles real clients send (reference §6.2), `+` already decoded to a space.
CLIENT_STYLES = [
    # Hello-world PowerShell: ToString("o"), 7 fractional digits; .1234567 is after row 1's .123456
    ("lastUpdateTime ge 2024-05-01T12:34:56.1234567Z", {2, 3, 5}),
    ("lastUpdateTime ge 2024-05-01T10:11:12.0000000Z", {1, 2, 3, 5, 6}),
    # XSOAR: unquoted, no fraction; quoted strings and enums; `and`
    ("createdTime gt 2024-01-01T00:00:00Z", {1, 2, 5, 6, 7, 8}),
    ("status eq 'Active'", {1, 4, 6}),
    ("assignedTo eq 'alice@contoso.com'", {1}),
    ("status eq 'Active' and assignedTo eq 'alice@contoso.com'", {1}),
    ("status eq 'Active' and createdTime gt 2024-01-01T00:00:00Z", {1, 6}),
    ("createdTime gt 2024-01-01T00:00:00Z and status eq 'Resolved'", {7, 8}),
]


@pytest.mark.parametrize(("text", "expected"), CLIENT_STYLES)
def test_real_client_filter_styles(ids: Select, text: str, expected: set[int]) -> None:
    assert ids(text, DEFENDER_FIELDS) == expected


DATETIMES = [
    ("createdTime ge 2024-04-01T10:00:00+02:00", {1, 2, 5}),
    # the same `+02:00` sent unencoded, so the query-string decoder made the `+` a space
    ("createdTime ge 2024-04-01T10:00:00 02:00", {1, 2, 5}),
    ("createdTime lt 2024-04-01T03:00:00-05:00", {3, 4, 6, 7, 8}),
    ("createdTime ge 2024-04-01", {1, 2, 5}),
    ("createdTime ge 2024-04-01T08:00Z", {1, 2, 5}),
    ("createdTime eq 2023-12-31T23:59:59Z", {4}),
    ("createdTime gt '2024-01-01T00:00:00Z'", {1, 2, 5, 6, 7, 8}),
    ("createdTime gt datetime'2024-01-01T00:00:00'", {1, 2, 5, 6, 7, 8}),
    ("createdTime gt datetimeoffset'2024-01-01T00:00:00Z'", {1, 2, 5, 6, 7, 8}),
    # Stored values have microseconds; a literal between two microseconds compares exactly.
    ("lastUpdateTime eq 2024-05-01T12:34:56.1234560Z", {1}),
    ("lastUpdateTime eq 2024-05-01T12:34:56.1234567Z", set()),
    ("lastUpdateTime ne 2024-05-01T12:34:56.1234567Z", ALL_IDS),
    ("lastUpdateTime gt 2024-05-01T12:34:56.1234567Z", {2, 3, 5}),
    ("lastUpdateTime lt 2024-05-01T12:34:56.1234567Z", {1, 4, 6, 7, 8}),
    ("lastUpdateTime le 2024-05-01T12:34:56.1234567Z", {1, 4, 6, 7, 8}),
    ("lastUpdateTime in (2024-05-01T12:34:56.1234567Z, 2024-03-01T00:00:00Z)", {7}),
    ("2024-01-01T00:00:00Z lt createdTime", {1, 2, 5, 6, 7, 8}),
]


@pytest.mark.parametrize(("text", "expected"), DATETIMES)
def test_datetime_literals(ids: Select, text: str, expected: set[int]) -> None:
    assert ids(text, DEFENDER_FIELDS) == expected


LOGIC = [
    # and binds tighter than or
    ("status eq 'Resolved' or status eq 'Active' and assignedTo eq null", {3, 4, 7, 8}),
    ("(status eq 'Resolved' or status eq 'Active') and assignedTo eq null", {3, 4}),
    ("status eq 'Active' and assignedTo eq null or status eq 'Resolved'", {3, 4, 7, 8}),
    ("((status eq 'Active'))", {1, 4, 6}),
    ("not (status eq 'Active')", {2, 3, 5, 7, 8}),
    ("not status eq 'Active'", {2, 3, 5, 7, 8}),
    ("not not status eq 'Active'", {1, 4, 6}),
    ("not status eq 'Active' and assignedTo ne null", {2, 5, 7, 8}),
    ("status EQ 'Active' AND assignedTo Eq NULL", {4}),
    ("Status eq 'Active'", {1, 4, 6}),
    ("true", ALL_IDS),
    ("false", set()),
    ("status eq 'Active' or true", ALL_IDS),
]


@pytest.mark.parametrize(("text", "expected"), LOGIC)
def test_logic_and_precedence(ids: Select, text: str, expected: set[int]) -> None:
    assert ids(text, DEFENDER_FIELDS) == expected


NULLS = [
    ("assignedTo eq null", {3, 4}),
    ("assignedTo ne null", {1, 2, 5, 6, 7, 8}),
    ("null eq assignedTo", {3, 4}),
    # OData: null ne 'x' is true, and `not` of a comparison with null is its opposite
    ("assignedTo ne 'bob@contoso.com'", {1, 3, 4, 5, 6, 7, 8}),
    ("not (assignedTo eq 'bob@contoso.com')", {1, 3, 4, 5, 6, 7, 8}),
    ("not (assignedTo ne 'bob@contoso.com')", {2}),
    ("assignedTo in ('bob@contoso.com', null)", {2, 3, 4}),
    ("not (assignedTo in ('bob@contoso.com'))", {1, 3, 4, 5, 6, 7, 8}),
    ("not (assignedTo gt 'a')", {3, 4, 6}),  # 'ALICE' sorts before 'a'
]


@pytest.mark.parametrize(("text", "expected"), NULLS)
def test_null_semantics(ids: Select, text: str, expected: set[int]) -> None:
    assert ids(text, DEFENDER_FIELDS) == expected


WIDE = [
    ("status in ('Resolved', 'Redirected')", {3, 5, 7, 8}),
    ("status in ('resolved')", {3, 7, 8}),
    ("status eq 'ACTIVE'", {1, 4, 6}),
    ("status ne 'Active'", {2, 3, 5, 7, 8}),
    ("classification eq null", {5}),
    ("classification ne 'Unknown'", {2, 3, 5, 7}),
    ("severity eq 'High' or severity eq 'Medium'", {1, 2, 5, 7}),
    ("id gt 5", {6, 7, 8}),
    ("5 lt id", {6, 7, 8}),
    ("id in (1, 3, 99)", {1, 3}),
    ("id le -1", set()),
    ("hasComments", {1, 4, 7}),
    ("hasComments eq false", {2, 3, 5, 6, 8}),
    ("not hasComments", {2, 3, 5, 6, 8}),
    ("hasComments and status eq 'Active'", {1, 4}),
    # case-insensitive string field
    ("assignedTo eq 'alice@contoso.com'", {1, 6}),
    ("assignedTo in ('ALICE@CONTOSO.COM', 'bob@contoso.com')", {1, 2, 6}),
    ("startswith(assignedTo, 'alice')", {1, 6}),
    ("endswith(assignedTo,'@CONTOSO.com')", {1, 2, 5, 6, 7}),
    ("contains(assignedTo, 'ice@')", {1, 6}),
    ("not contains(assignedTo, 'alice')", {2, 3, 4, 5, 7, 8}),
    ("substringof('contoso', assignedTo)", {1, 2, 5, 6, 7}),
    ("CONTAINS(assignedTo, 'bob')", {2}),
    ("contains(assignedTo, '')", {1, 2, 5, 6, 7, 8}),
    # LIKE wildcards in the needle are plain characters
    ("contains(assignedTo, '%')", {7}),
    ("contains(assignedTo, '_')", {7}),
    ("startswith(assignedTo, '%')", set()),
    ("contains(assignedTo, '''')", {5, 8}),
    ("contains(assignedTo, '\\')", set()),
]


@pytest.mark.parametrize(("text", "expected"), WIDE)
def test_wider_allow_list(ids: Select, text: str, expected: set[int]) -> None:
    assert ids(text, WIDE_FIELDS) == expected


GRAPH = [
    ("status eq 'inProgress'", {2}),
    ("status eq 'InProgress'", {2}),
    ("status eq microsoft.graph.security.incidentStatus'inProgress'", {2}),
    ("status eq incidentStatus'resolved'", {3, 7, 8}),
    ("status in (microsoft.graph.security.incidentStatus'active', 'redirected')", {1, 4, 5, 6}),
    ("createdDateTime ge 2024-04-01T00:00:00Z", {1, 2, 5}),
]


@pytest.mark.parametrize(("text", "expected"), GRAPH)
def test_graph_enum_literals(ids: Select, text: str, expected: set[int]) -> None:
    assert ids(text, GRAPH_FIELDS) == expected


INJECTIONS = [
    # a quote inside a string is data: the whole thing is one literal
    ("assignedTo eq 'x'' or 1 eq 1 --'", DEFENDER_FIELDS, {8}),
    ("assignedTo eq 'nobody'' or ''1'' eq ''1'", DEFENDER_FIELDS, set()),
    ("contains(assignedTo, ''' or 1 eq 1 --')", WIDE_FIELDS, {8}),
    ("contains(assignedTo, ''' or 1=1 --')", WIDE_FIELDS, set()),
]


@pytest.mark.parametrize(("text", "fields", "expected"), INJECTIONS)
def test_injection_attempts_match_literally(
    ids: Select, text: str, fields: Mapping[str, FilterField], expected: set[int]
) -> None:
    assert ids(text, fields) == expected


@pytest.mark.parametrize(
    "text",
    [
        "status eq 'x'' or 1 eq 1 --'",
        "status eq 'Active'; drop table incidents",
        "status eq 'Active' or 1 eq 1",
        "status eq 'Active' or 'a' eq 'a'",
        "\"status\" eq 'Active'",
        "status' eq 'Active",
        "[status] eq 'Active'",
        "status eq 'Active' -- comment",
        "status eq 'Active' /* x */",
        "assignedTo eq 'a' or assignedTo eq assignedTo",
        "incidents.status eq 'Active'",
    ],
)
def test_injection_attempts_are_refused(ids: Select, engine: Engine, text: str) -> None:
    with pytest.raises(ODataError):
        ids(text, DEFENDER_FIELDS)
    assert inspect(engine).has_table("incidents")
    assert ids("true", DEFENDER_FIELDS) == ALL_IDS
