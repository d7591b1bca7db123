"""Every diagnostic code, produced by a query, with its message and position."""

from __future__ import annotations

import pytest

from tests.kql.conftest import NOW
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql import diagnostics as diag
from xdrlab.kql.operators import LOWERERS
from xdrlab.kql.operators.where import Where
from xdrlab.lake.schema import hunting_tables

CASES = [
    # (code, query, line, column, message)
    (
        diag.SYNTAX_ERROR,
        "DeviceInfo\n| where )",
        2,
        9,
        "Query could not be parsed at ')' on line [2,9]",
    ),
    (
        diag.SYNTAX_ERROR,
        "DeviceInfo | where",
        1,
        19,
        "Query could not be parsed at '<end of query>' on line [1,19]",
    ),
    (
        diag.SYNTAX_ERROR,
        "DeviceInfo | frobnicate",
        1,
        14,
        "Query could not be parsed at 'frobnicate' on line [1,14]",
    ),
    (diag.SYNTAX_ERROR, "DeviceInfo | where x == 'open", 1, 25, None),
    (diag.SYNTAX_ERROR, "DeviceInfo | where `x` == 1", 1, 20, None),
    (
        diag.UNKNOWN_TABLE,
        "EmailEventz\n| take 10",
        1,
        1,
        "'take' operator: Failed to resolve table or column expression named 'EmailEventz'",
    ),
    (
        diag.UNKNOWN_COLUMN,
        "DeviceInfo\n| project Timestamp, Foo",
        2,
        22,
        "'project' operator: Failed to resolve scalar expression named 'Foo'",
    ),
    (
        diag.UNKNOWN_COLUMN,
        "DeviceInfo | where deviceName == 'x'",
        1,
        20,
        "'where' operator: Failed to resolve scalar expression named 'deviceName'",
    ),
    (
        diag.UNKNOWN_FUNCTION,
        "DeviceInfo | extend x = frob(1)",
        1,
        25,
        "'extend' operator: Unknown function: 'frob'",
    ),
    (
        diag.UNSUPPORTED_OPERATOR,
        "DeviceInfo\n| facet by DeviceName",
        2,
        3,
        "The 'facet' operator is not supported yet",
    ),
    (
        diag.UNSUPPORTED_OPERATOR,
        "DeviceInfo | fork (take 1) (take 2)",
        1,
        14,
        "The 'fork' operator is not supported yet",
    ),
    (
        diag.UNSUPPORTED_OPERATOR,
        'evaluate python(typeof(*), "x")',
        1,
        1,
        "The 'evaluate' operator is not supported yet",
    ),
    (
        diag.UNSUPPORTED_FUNCTION,
        "DeviceInfo | extend u = parse_xml(DeviceName)",
        1,
        25,
        "The function 'parse_xml' is not supported yet",
    ),
    (
        diag.UNSUPPORTED_FEATURE,
        "set truncationmaxrecords = 10;\nDeviceInfo",
        1,
        1,
        "The 'set' statement is not supported yet",
    ),
    (
        diag.UNSUPPORTED_FEATURE,
        "DeviceInfo\n| join DeviceEvents on $left.DeviceId != $right.DeviceId",
        2,
        39,
        "A 'join' condition other than equality of a $left and a $right column is not "
        "supported yet",
    ),
    (
        diag.EXTERNAL_DATA,
        "let x = externaldata(a:string) [@'https://example.com/x.csv'] with (format='csv');\n"
        "x | take 1",
        1,
        9,
        "'externaldata' cannot be used here: queries read only the advanced hunting tables "
        "(no network or file access)",
    ),
    (
        diag.TYPE_MISMATCH,
        "DeviceInfo | where DeviceName > 5",
        1,
        31,
        "'where' operator: Cannot compare values of types string and long. Try adding explicit casts",
    ),
    (diag.TYPE_MISMATCH, "DeviceInfo | where OSBuild", 1, 20, None),
    (
        diag.ARGUMENT_COUNT,
        "DeviceInfo | extend x = tolower()",
        1,
        25,
        "'extend' operator: Function 'tolower': expected 1 argument(s)",
    ),
    (diag.ARGUMENT_TYPE, "DeviceInfo | extend x = ago('1d')", 1, 29, None),
    (
        diag.EXPECTED_CONSTANT,
        "DeviceInfo | take OSBuild",
        1,
        19,
        "'take' operator: The number of rows must be a constant",
    ),
    (
        diag.INVALID_LITERAL,
        "DeviceInfo\n| where Timestamp > datetime(2024-13-45)",
        2,
        21,
        "Invalid datetime literal: '2024-13-45'",
    ),
    (diag.AGGREGATE_CONTEXT, "DeviceInfo | extend c = count()", 1, 25, None),
    (diag.NOT_AGGREGATE, "DeviceInfo | summarize DeviceName", 1, 24, None),
    (
        diag.DUPLICATE_COLUMN,
        "DeviceInfo | project a = 1, a = 2",
        1,
        29,
        "'project' operator: A column named 'a' is declared twice",
    ),
    (diag.NO_TABULAR_RESULT, "let x = 1;\n", 2, 1, None),
    (diag.TOO_COMPLEX, "DeviceInfo | where " + "(" * 400 + "true" + ")" * 400, 1, 1, None),
]


@pytest.mark.parametrize(
    ("code", "query", "line", "column", "message"),
    CASES,
    ids=[f"{c[0]}:{c[1][:30]}" for c in CASES],
)
def test_diagnostic(code: str, query: str, line: int, column: int, message: str | None) -> None:
    with pytest.raises(KqlError) as caught:
        compile_query(query, hunting_tables(), now=NOW)
    d = caught.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column), d
    if message is not None:
        assert d.message == message
    assert "SELECT" not in d.message


def test_every_code_is_covered() -> None:
    covered = {c[0] for c in CASES} | {diag.INTERNAL_ERROR}
    assert covered == set(diag.ALL_CODES)


def test_internal_errors_are_still_kql_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise ValueError("boom")

    monkeypatch.setitem(LOWERERS, Where, broken)
    with pytest.raises(KqlError) as caught:
        compile_query("DeviceInfo | where true", hunting_tables(), now=NOW)
    assert caught.value.diagnostic.code == diag.INTERNAL_ERROR
    assert "boom" not in str(caught.value)
