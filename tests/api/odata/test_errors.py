"""Every refusal is an `ODataError` whose message says what is wrong and where."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.api.odata.conftest import DEFENDER_FIELDS, GRAPH_FIELDS, WIDE_FIELDS
from xdrlab.api.odata import FilterField, ODataError, filter_to_sqlalchemy, parse_filter


def refusal(text: str, fields: Mapping[str, FilterField] = DEFENDER_FIELDS) -> ODataError:
    with pytest.raises(ODataError) as caught:
        filter_to_sqlalchemy(parse_filter(text), fields)
    return caught.value


def test_message_code_and_status_follow_the_defender_error_model() -> None:
    error = refusal("severity eq 'High'")
    assert error.code == "ODataError"
    assert error.status_code == 400
    assert error.message == (
        "Invalid OData URI query Property 'severity' is not filterable; "
        "filterable properties are: assignedTo, createdTime, lastUpdateTime, status"
    )
    assert str(error) == error.message


SYNTAX = [
    (
        "status eq 'Active' and",
        "Syntax error at position 22 in 'status eq 'Active' and': "
        "expected a value but found the end of the filter",
    ),
    (
        "(status eq 'Active'",
        "Syntax error at position 19 in '(status eq 'Active'': "
        "expected ')' but found the end of the filter",
    ),
    (
        "status eq 'Active')",
        "Syntax error at position 18 in 'status eq 'Active')': "
        "unexpected ')'; expected 'and', 'or' or the end",
    ),
    (
        "status eq 'Active",
        "Syntax error at position 10 in 'status eq 'Active': unterminated string literal",
    ),
    (
        'status eq "Active"',
        "Syntax error at position 10 in 'status eq \"Active\"': "
        "string literals take single quotes, not double quotes",
    ),
    (
        "status == 'Active'",
        "Syntax error at position 7 in 'status == 'Active'': unexpected character '='; "
        "OData operators are words: eq, ne, gt, ge, lt, le, and, or, not",
    ),
    (
        "status eq 'Active'; drop table incidents",
        "Syntax error at position 18 in 'status eq 'Active'; drop table incidents': "
        "unexpected character ';'",
    ),
    (
        "tolower(status) eq 'active'",
        "Syntax error at position 0 in 'tolower(status) eq 'active'': unknown function "
        "'tolower'; supported functions are contains, startswith and endswith",
    ),
    (
        "contains(assignedTo)",
        "Syntax error at position 0 in 'contains(assignedTo)': "
        "the function 'contains' takes 2 arguments, not 1",
    ),
    (
        "status eq 'Active' 'x'",
        "Syntax error at position 19 in 'status eq 'Active' 'x'': "
        "unexpected 'x'; expected 'and', 'or' or the end",
    ),
    (
        "status in ()",
        "Syntax error at position 11 in 'status in ()': expected a value but found ')'",
    ),
    (
        "status in 'Active'",
        "Syntax error at position 10 in 'status in 'Active'': "
        "expected '(' to open a list of values but found 'Active'",
    ),
    ("id eq 1.5", "Syntax error at position 6 in 'id eq 1.5': '1.5' is not a valid literal"),
    (
        "alerts/any(a: a/severity eq 'High')",
        "Syntax error at position 6 in 'alerts/any(a: a/severity eq 'High')': "
        "unexpected character '/'",
    ),
    ("", "Syntax error at position 0 in '': the filter is empty"),
    (
        "not",
        "Syntax error at position 3 in 'not': expected a value but found the end of the filter",
    ),
    (
        "status eq 'Active' and and",
        "Syntax error at position 23 in 'status eq 'Active' and and': "
        "expected a value but found 'and'",
    ),
]


@pytest.mark.parametrize(("text", "detail"), SYNTAX)
def test_syntax_errors_say_where(text: str, detail: str) -> None:
    assert refusal(text, WIDE_FIELDS).detail == detail


MEANING = [
    (
        "status eq Active",
        DEFENDER_FIELDS,
        "Could not find a property named 'Active'; string and enum values need single quotes, "
        "as in status eq 'Active'",
    ),
    (
        "status eq 'Bogus'",
        DEFENDER_FIELDS,
        "The value 'Bogus' is not valid for property 'status'; "
        "valid values are: Active, InProgress, Resolved, Redirected",
    ),
    (
        "status gt 'Active'",
        DEFENDER_FIELDS,
        "The operator 'gt' is not supported for property 'status' of type enum; use eq, ne or in",
    ),
    (
        "createdTime gt 2024-13-01",
        DEFENDER_FIELDS,
        "The value '2024-13-01' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 2024-02-30T00:00:00Z",
        DEFENDER_FIELDS,
        "The value '2024-02-30T00:00:00Z' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 2024-01-01T24:00:00Z",
        DEFENDER_FIELDS,
        "The value '2024-01-01T24:00:00Z' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 2024-01-01T00:00:00+15:00",
        DEFENDER_FIELDS,
        "The value '2024-01-01T00:00:00+15:00' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 0001-01-01T00:00:00+01:00",
        DEFENDER_FIELDS,
        "The value '0001-01-01T00:00:00+01:00' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 2024-01-01T00:00:00Zjunk",
        DEFENDER_FIELDS,
        "The value '2024-01-01T00:00:00Zjunk' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 'yesterday'",
        DEFENDER_FIELDS,
        "The value 'yesterday' is not a valid DateTimeOffset",
    ),
    (
        "createdTime gt 5",
        DEFENDER_FIELDS,
        "Cannot compare property 'createdTime' of type Edm.DateTimeOffset with '5'",
    ),
    (
        "assignedTo eq 2024-01-01",
        DEFENDER_FIELDS,
        "Cannot compare property 'assignedTo' of type Edm.String with '2024-01-01'",
    ),
    (
        "contains(status, 'Act')",
        DEFENDER_FIELDS,
        "The function contains needs a string property; 'status' is of type enum",
    ),
    (
        "contains(assignedTo, 5)",
        DEFENDER_FIELDS,
        "The second argument of contains must be a string in single quotes",
    ),
    (
        "contains('x', assignedTo)",
        DEFENDER_FIELDS,
        "Expected a property as the first argument of contains but found 'x'",
    ),
    (
        "assignedTo gt null",
        DEFENDER_FIELDS,
        "The operator 'gt' cannot compare property 'assignedTo' with null",
    ),
    (
        "status",
        DEFENDER_FIELDS,
        "Property 'status' of type enum is not a condition; compare it with a value",
    ),
    ("'Active'", DEFENDER_FIELDS, "The value 'Active' is not a condition"),
    ("1 eq 1", DEFENDER_FIELDS, "Expected a property as the left side of 'eq' but found '1'"),
    (
        "status eq createdTime",
        DEFENDER_FIELDS,
        "Comparing property 'status' with another property ('createdTime') is not supported",
    ),
    (
        "hasComments eq 1",
        WIDE_FIELDS,
        "Cannot compare property 'hasComments' of type Edm.Boolean with '1'",
    ),
    (
        "hasComments gt true",
        WIDE_FIELDS,
        "The operator 'gt' is not supported for property 'hasComments' of type Edm.Boolean; "
        "use eq, ne or in",
    ),
    (
        "id eq 99999999999999999999",
        WIDE_FIELDS,
        "The value '99999999999999999999' is not a valid Int64",
    ),
    ("id eq '1'", WIDE_FIELDS, "Cannot compare property 'id' of type Edm.Int64 with '1'"),
    (
        "status eq microsoft.graph.security.alertSeverity'high'",
        GRAPH_FIELDS,
        "The enum type 'microsoft.graph.security.alertSeverity' does not match property "
        "'status' of type microsoft.graph.security.incidentStatus",
    ),
    (
        "status eq microsoft.graph.security.incidentStatus'closed'",
        GRAPH_FIELDS,
        "The value 'closed' is not valid for property 'status'; "
        "valid values are: active, inProgress, resolved, redirected",
    ),
    (
        "assignedTo eq microsoft.graph.security.incidentStatus'active'",
        DEFENDER_FIELDS,
        "Cannot compare property 'assignedTo' of type Edm.String with "
        "microsoft.graph.security.incidentStatus'active'",
    ),
    (
        "lastUpdateTime gt '2024-05-01T12:34:56.1234567Z'",
        DEFENDER_FIELDS,
        "The value '2024-05-01T12:34:56.1234567Z' is more precise than a microsecond; "
        "write it without quotes",
    ),
]


@pytest.mark.parametrize(("text", "fields", "detail"), MEANING)
def test_meaning_errors_name_the_property_and_value(
    text: str, fields: Mapping[str, FilterField], detail: str
) -> None:
    assert refusal(text, fields).detail == detail


def test_nesting_and_size_are_capped() -> None:
    deep = "(" * 40 + "true" + ")" * 40
    assert refusal(deep).detail.endswith("the filter is nested deeper than 32 levels")
    deep_not = "not " * 40 + "true"
    assert refusal(deep_not).detail.endswith("the filter is nested deeper than 32 levels")
    wide = " or ".join(["status eq 'Active'"] * 200)
    assert refusal(wide).detail == "The node count limit of '500' has been exceeded"


def test_long_filters_are_shortened_in_messages() -> None:
    text = "status eq 'Active' and " + "x" * 1000 + " ="
    detail = refusal(text).detail
    assert len(detail) < 500
    assert "..." in detail


def test_ambiguous_case_insensitive_property_is_refused() -> None:
    fields = {
        "status": DEFENDER_FIELDS["status"],
        "Status": DEFENDER_FIELDS["status"],
    }
    assert refusal("STATUS eq 'Active'", fields).detail.startswith(
        "Property 'STATUS' is not filterable"
    )
