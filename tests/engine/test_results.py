"""JSON rendering, type by type, against hand-written expected values."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pytest

from tests.engine.conftest import NOW, TENANT_A, Lab, arrow_rows, compiled, table
from xdrlab.engine.results import format_timespan, json_values
from xdrlab.lake.schema import KustoType


def render(lab: Lab, kind: KustoType, *expressions: str) -> list[Any]:
    """Each SQL expression as one row of a one-column result of Kusto type `kind`."""
    values = " UNION ALL ".join(
        f"SELECT {i} AS i, {expression} AS v" for i, expression in enumerate(expressions)
    )
    query = compiled(f"SELECT v FROM ({values}) ORDER BY i", [("v", kind)])  # noqa: S608
    result = lab.engine.execute(query, TENANT_A, lab.window())
    rows = result.json_rows()
    json.dumps(rows, allow_nan=False)  # every value is plain JSON
    return [row["v"] for row in rows]


def test_datetimes(lab: Lab) -> None:
    assert render(
        lab,
        KustoType.DATETIME,
        "TIMESTAMP '2020-08-30 06:38:35.766435'",
        "TIMESTAMP '2020-01-01 00:00:00'",
        "TIMESTAMPTZ '2020-08-30 08:38:35.5+02:00'",
        "TIMESTAMP_NS '2021-03-04 05:06:07.123456789'",
        "TIMESTAMP_S '1999-12-31 23:59:59'",
        "NULL::TIMESTAMP",
    ) == [
        "2020-08-30T06:38:35.7664350Z",
        "2020-01-01T00:00:00.0000000Z",
        "2020-08-30T06:38:35.5000000Z",
        "2021-03-04T05:06:07.1234567Z",
        "1999-12-31T23:59:59.0000000Z",
        None,
    ]


def test_dates_render_as_midnight(lab: Lab) -> None:
    assert render(lab, KustoType.DATETIME, "DATE '2024-02-29'") == ["2024-02-29T00:00:00.0000000Z"]


def test_timespans(lab: Lab) -> None:
    assert render(
        lab,
        KustoType.TIMESPAN,
        "INTERVAL '1 day 2 hours 3 minutes 4.5 seconds'",
        "INTERVAL '5 seconds'",
        "-INTERVAL '90 minutes'",
        "INTERVAL '1 microsecond'",
        "INTERVAL '12 days'",
        "TIMESTAMP '2024-01-02 00:00:00' - TIMESTAMP '2024-01-01 12:00:00'",
        "INTERVAL '0 seconds'",
        "NULL::INTERVAL",
    ) == [
        "1.02:03:04.5000000",
        "00:00:05",
        "-01:30:00",
        "00:00:00.0000010",
        "12.00:00:00",
        "12:00:00",
        "00:00:00",
        None,
    ]


def test_timespan_text_at_tick_precision() -> None:
    assert format_timespan(1) == "00:00:00.0000001"
    assert format_timespan(-36_000_000_000 - 5) == "-01:00:00.0000005"
    assert format_timespan(864_000_000_000 * 400) == "400.00:00:00"


def test_dynamic_values_are_embedded_as_json(lab: Lab) -> None:
    assert render(
        lab,
        KustoType.DYNAMIC,
        """'{"a":[1,2,{"b":null}],"c":"d"}'::JSON""",
        """'[1,"x",true,2.5]'::JSON""",
        """'"text"'::JSON""",
        "'42'::JSON",
        "'null'::JSON",
        "NULL::JSON",
    ) == [
        {"a": [1, 2, {"b": None}], "c": "d"},
        [1, "x", True, 2.5],
        "text",
        42,
        None,
        None,
    ]


def test_dynamic_values_from_nested_sql_types(lab: Lab) -> None:
    assert render(lab, KustoType.DYNAMIC, "[1, 2, 3]") == [[1, 2, 3]]
    assert render(lab, KustoType.DYNAMIC, "{'k': 'v', 'n': [TIMESTAMP '2020-01-01 00:00:00']}") == [
        {"k": "v", "n": ["2020-01-01T00:00:00.0000000Z"]}
    ]
    assert render(lab, KustoType.DYNAMIC, "MAP {'x': 1.5, 'y': 2}") == [{"x": 1.5, "y": 2}]


def test_dynamic_columns_read_from_the_lake(lab: Lab) -> None:
    identities = table("IdentityLogonEvents")
    fields = {"Count": 3, "Spn": ["a", "b"], "Nested": {"Ok": True}}
    rows = [{"Timestamp": NOW - timedelta(hours=2), "AdditionalFields": json.dumps(fields)}]
    lab.lake.write(TENANT_A, identities, arrow_rows(identities, rows))
    query = compiled(
        'SELECT "AdditionalFields" FROM "IdentityLogonEvents"',
        [("AdditionalFields", KustoType.DYNAMIC)],
        ["IdentityLogonEvents"],
    )
    result = lab.engine.execute(query, TENANT_A, lab.window())
    assert result.json_rows() == [{"AdditionalFields": fields}]


def test_strings_are_never_null(lab: Lab) -> None:
    assert render(lab, KustoType.STRING, "'abc'", "''", "NULL::VARCHAR", "'ünï 漢字'") == [
        "abc",
        "",
        "",
        "ünï 漢字",
    ]


def test_longs_and_ints(lab: Lab) -> None:
    assert render(lab, KustoType.LONG, "9223372036854775807", "-1", "NULL::BIGINT") == [
        9223372036854775807,
        -1,
        None,
    ]
    assert render(lab, KustoType.INT, "2147483647::INTEGER", "NULL::INTEGER") == [2147483647, None]


def test_integer_sums_widened_by_duckdb_are_still_integers(lab: Lab) -> None:
    query = compiled(
        "SELECT sum(x) AS total FROM (VALUES (9223372036854775807), (1)) t(x)",
        [("total", KustoType.LONG)],
    )
    result = lab.engine.execute(query, TENANT_A, lab.window())
    assert result.json_rows() == [{"total": 9223372036854775808}]


def test_booleans(lab: Lab) -> None:
    assert render(lab, KustoType.BOOL, "true", "false", "NULL::BOOLEAN") == [True, False, None]


def test_reals(lab: Lab) -> None:
    assert render(
        lab,
        KustoType.REAL,
        "1.5::DOUBLE",
        "1::DOUBLE",
        "'NaN'::DOUBLE",
        "'Infinity'::DOUBLE",
        "'-Infinity'::DOUBLE",
        "NULL::DOUBLE",
    ) == [1.5, 1.0, "NaN", "Infinity", "-Infinity", None]


def test_finite_reals_stay_numbers(lab: Lab) -> None:
    values = render(lab, KustoType.REAL, "0.1::DOUBLE", "-2.5e300::DOUBLE")
    assert values == [0.1, -2.5e300]
    assert all(isinstance(v, float) for v in values)


def test_guids(lab: Lab) -> None:
    assert render(
        lab,
        KustoType.GUID,
        "'6f3c1a52-1d1e-4f7b-9d55-1c0f3d2b8a01'::UUID",
        "'0b7e9c44-8a2f-4c1d-b3e6-5d4f2a1c9e02'",
        "NULL::UUID",
    ) == ["6f3c1a52-1d1e-4f7b-9d55-1c0f3d2b8a01", "0b7e9c44-8a2f-4c1d-b3e6-5d4f2a1c9e02", None]


def test_decimals_are_strings(lab: Lab) -> None:
    assert render(lab, KustoType.DECIMAL, "1.25::DECIMAL(10, 2)", "NULL::DECIMAL(10, 2)") == [
        "1.25",
        None,
    ]
    assert render(lab, KustoType.DECIMAL, "0.1::DOUBLE") == ["0.1"]


def test_rows_are_objects_in_column_order(lab: Lab) -> None:
    query = compiled(
        "SELECT TIMESTAMP '2020-08-30 06:38:35.766435' AS t, 'conhost.exe' AS f, 7 AS n",
        [("Timestamp", KustoType.DATETIME), ("FileName", KustoType.STRING), ("N", KustoType.LONG)],
    )
    rows = lab.engine.execute(query, TENANT_A, lab.window()).json_rows()
    assert rows == [
        {"Timestamp": "2020-08-30T06:38:35.7664350Z", "FileName": "conhost.exe", "N": 7}
    ]
    assert list(rows[0]) == ["Timestamp", "FileName", "N"]


@pytest.mark.parametrize(
    ("kind", "array", "expected"),
    [
        (KustoType.STRING, pa.array([1, None], pa.int64()), ["1", ""]),
        (KustoType.LONG, pa.array([1.0, None], pa.float64()), [1, None]),
        (KustoType.BOOL, pa.array([1, 0], pa.int8()), [True, False]),
        (KustoType.TIMESPAN, pa.array([1_500_000], pa.int64()), ["00:00:01.5000000"]),
        (KustoType.TIMESPAN, pa.array([timedelta(minutes=1)], pa.duration("us")), ["00:01:00"]),
        (KustoType.REAL, pa.array([3], pa.int32()), [3.0]),
    ],
)
def test_columns_of_an_unexpected_arrow_type_still_render(
    kind: KustoType, array: pa.Array, expected: list[Any]
) -> None:
    assert json_values(kind, pa.chunked_array([array])) == expected
