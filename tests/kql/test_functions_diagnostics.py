"""Wrong calls are refused with a stable code, the production-style message and the position
of the offending argument (or of the call, for counts)."""

from __future__ import annotations

import pytest

from tests.kql.conftest import NOW
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql import diagnostics as diag
from xdrlab.lake.schema import hunting_tables

TABLES = hunting_tables()

CASES: list[tuple[str, str, int, int, str]] = [
    # code, query, line, column, message
    (
        diag.ARGUMENT_TYPE,
        'DeviceInfo | where Timestamp > ago("x")',
        1,
        36,
        "'where' operator: Function 'ago': argument 1 must be of type timespan, not string",
    ),
    (
        diag.ARGUMENT_COUNT,
        "DeviceInfo | extend x = strlen()",
        1,
        25,
        "'extend' operator: Function 'strlen': expected 1 argument(s)",
    ),
    (
        diag.ARGUMENT_COUNT,
        "DeviceInfo | extend x = substring(DeviceName)",
        1,
        25,
        "'extend' operator: Function 'substring': expected 2 to 3 argument(s)",
    ),
    (
        diag.ARGUMENT_COUNT,
        "DeviceInfo | extend x = strcat()",
        1,
        25,
        "'extend' operator: Function 'strcat': expected 1 to 64 argument(s)",
    ),
    (
        diag.ARGUMENT_COUNT,
        "DeviceInfo\n| extend x = set_union(dynamic([1]))",
        2,
        14,
        "'extend' operator: Function 'set_union': expected 2 to 64 argument(s)",
    ),
    (
        diag.ARGUMENT_COUNT,
        "DeviceInfo | extend x = bag_pack('a', 1, 'b')",
        1,
        25,
        "'extend' operator: Function 'bag_pack': expected an even number of argument(s)",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = array_length(DeviceName)",
        1,
        38,
        "'extend' operator: Function 'array_length': argument 1 must be of type dynamic, not string",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo\n| extend x = substring(DeviceName, '1')",
        2,
        36,
        "'extend' operator: Function 'substring': argument 2 must be of type long, not string",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = startofday(DeviceName)",
        1,
        36,
        "'extend' operator: Function 'startofday': argument 1 must be of type datetime, not string",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = datetime_diff('day', Timestamp, 1)",
        1,
        57,
        "'extend' operator: Function 'datetime_diff': argument 3 must be of type datetime, not long",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = sqrt('4')",
        1,
        30,
        "'extend' operator: Function 'sqrt': argument 1 must be of type real, not string",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = iff(1, 'a', 'b')",
        1,
        29,
        "'extend' operator: Function 'iff': argument 1 must be of type bool, not long",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | summarize countif(OSBuild)",
        1,
        32,
        "'summarize' operator: Function 'countif': argument 1 must be of type bool, not long",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = ipv4_is_in_range(OSBuild, '10.0.0.0/8')",
        1,
        42,
        "'extend' operator: Function 'ipv4_is_in_range': argument 1 must be of type string, not long",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = countof(DeviceName, 'a', 'fuzzy')",
        1,
        50,
        "'extend' operator: Function 'countof': argument 3 must be of type 'normal' or 'regex', "
        "not 'fuzzy'",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = extract('(a)', 1, DeviceName, 42)",
        1,
        55,
        "'extend' operator: Function 'extract': argument 4 must be of type typeof(<type>), "
        "not expression",
    ),
    (
        diag.ARGUMENT_TYPE,
        "DeviceInfo | extend x = parse_command_line(DeviceName, 'linux')",
        1,
        56,
        "'extend' operator: Function 'parse_command_line': argument 2 must be of type 'windows', "
        "not 'linux'",
    ),
    (
        diag.EXPECTED_CONSTANT,
        "DeviceInfo | extend x = extract(DeviceName, 1, DeviceName)",
        1,
        33,
        "'extend' operator: Argument 1 (regex) of 'extract' must be a constant",
    ),
    (
        diag.EXPECTED_CONSTANT,
        "DeviceInfo | extend x = format_datetime(Timestamp, DeviceName)",
        1,
        52,
        "'extend' operator: Argument 2 (format) of 'format_datetime' must be a constant",
    ),
    (
        diag.EXPECTED_CONSTANT,
        "DeviceInfo | summarize percentile(OSBuild, OSBuild)",
        1,
        44,
        "'summarize' operator: Argument 2 (percentile) of 'percentile' must be a constant",
    ),
    (
        diag.EXPECTED_CONSTANT,
        "DeviceInfo | extend x = datetime_add('fortnight', 1, Timestamp)",
        1,
        38,
        "'extend' operator: The part of 'datetime_add' (year, month, day, ...) must be a constant",
    ),
    (
        diag.AGGREGATE_CONTEXT,
        "DeviceInfo | extend x = percentile(OSBuild, 50)",
        1,
        25,
        "'extend' operator: The aggregate function 'percentile' can only be used in summarize",
    ),
    (
        diag.UNSUPPORTED_FUNCTION,
        "DeviceInfo | extend x = series_fir(OSBuild)",
        1,
        25,
        "The function 'series_fir' is not supported yet",
    ),
    (
        diag.UNKNOWN_FUNCTION,
        "DeviceInfo | extend x = no_such_function(1)",
        1,
        25,
        "'extend' operator: Unknown function: 'no_such_function'",
    ),
    (
        diag.TYPE_MISMATCH,
        "DeviceInfo | extend x = iff(true, 1, 'a')",
        1,
        25,
        "'extend' operator: The results of 'iff' have different types (long, string)",
    ),
]


@pytest.mark.parametrize(
    ("code", "query", "line", "column", "message"), CASES, ids=[c[1][13:60] for c in CASES]
)
def test_wrong_call(code: str, query: str, line: int, column: int, message: str) -> None:
    with pytest.raises(KqlError) as caught:
        compile_query(query, TABLES, now=NOW)
    d = caught.value.diagnostic
    assert (d.code, d.message, d.line, d.column) == (code, message, line, column)


@pytest.mark.parametrize(
    "query",
    [
        "DeviceInfo | extend x = strlen(parse_json(AdditionalFields).a)",  # dynamic for a string
        "DeviceInfo | extend x = substring(DeviceName, toint(parse_json('1')))",
        "DeviceInfo | extend x = startofday(todynamic(DeviceName))",
        "DeviceInfo | extend x = tostring(pack_array(1))",
        "DeviceInfo | extend x = split(DeviceName, ',', null)",
    ],
)
def test_dynamic_and_null_arguments_are_accepted(query: str) -> None:
    compile_query(query, TABLES, now=NOW)
