"""Whatever text arrives, the only exception is `ODataError`, and what parses prints back."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_mock_engine, select
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

from tests.api.odata.conftest import WIDE_FIELDS, Incident
from xdrlab.api.odata import ODataError, filter_to_sqlalchemy, parse_filter, to_odata

PIECES = [
    "status", "assignedTo", "createdTime", "lastUpdateTime", "id", "hasComments", "severity",
    "classification", "Status", "foo", "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not",
    "in", "(", ")", ",", "'Active'", "'x''y'", "''", "'", "null", "true", "false", "0", "-7",
    "2024-05-01T12:34:56.1234567Z", "2024-05-01", "2024-13-01", "2024-05-01T00:00:00 02:00",
    "microsoft.graph.security.incidentStatus'active'", "contains", "startswith", "endswith",
    "substringof", "tolower", ";", "--", "/", "$", "\"", "99999999999999999999",
]  # fmt: skip

POSTGRES = create_mock_engine("postgresql://", executor=lambda *_: None).dialect

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _translate(text: str) -> None:
    try:
        tree = parse_filter(text)
    except ODataError:
        return
    assert parse_filter(to_odata(tree)) == tree
    try:
        condition = filter_to_sqlalchemy(tree, WIDE_FIELDS)
    except ODataError:
        return
    statement = select(Incident.id).where(condition)
    statement.compile(dialect=SQLiteDialect())
    statement.compile(dialect=POSTGRES)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text(text: str) -> None:
    _translate(text)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join))
def test_token_soup(text: str) -> None:
    _translate(text)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_token_soup_without_spaces(text: str) -> None:
    _translate(text)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["assignedTo eq ", "contains(assignedTo, ", "startswith(assignedTo,"]),
    st.text(max_size=40),
)
def test_any_string_literal_only_narrows(engine: Engine, prefix: str, value: str) -> None:
    literal = "'" + value.replace("'", "''") + "'"
    text = prefix + literal + (")" if prefix.endswith((", ", ",")) else "")
    try:
        condition = filter_to_sqlalchemy(parse_filter(text), WIDE_FIELDS)
    except ODataError:
        assert "\x00" in value  # the only literal refused: NUL would end the string in SQL
        return
    with engine.connect() as connection:
        found = set(connection.scalars(select(Incident.id).where(condition)))
        assigned = {
            row_id: name
            for row_id, name in connection.execute(select(Incident.id, Incident.assigned_to))
        }
    lowered = value.lower()
    for row_id in found:
        stored = assigned[row_id]
        assert stored is not None
        if prefix.startswith("assignedTo"):
            assert stored.lower() == lowered
        elif prefix.startswith("contains"):
            assert lowered in stored.lower()
        else:
            assert stored.lower().startswith(lowered)
