"""Bad rows are reported by row, column and reason; by default they stop the whole input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tests.lake.conftest import (
    read_lake,
    staged_files,
    visible_files,
    write_csv,
    write_jsonl,
    write_parquet,
)
from xdrlab.lake.ingest import (
    MAX_REPORTED_PROBLEMS,
    IngestError,
    RowProblem,
    UnknownTable,
    find_table,
    ingest_file,
    ingest_rows,
)
from xdrlab.lake.store import Lake

OK = {"Timestamp": "2024-05-01T00:00:00Z"}

BAD_JSON_VALUES: list[tuple[str, str, Any, str]] = [
    ("DeviceProcessEvents", "FileSize", 1.5, "expected an integer, got 1.5"),
    ("DeviceProcessEvents", "FileSize", "abc", "expected an integer, got 'abc'"),
    ("DeviceProcessEvents", "FileSize", True, "expected an integer, got true"),
    ("DeviceProcessEvents", "FileSize", 2**63, "out of range for long"),
    ("CloudAppEvents", "ApplicationId", 2**31, "2147483648 is out of range for int"),
    ("CloudAppEvents", "IsAdminOperation", "yes", "expected true or false, got 'yes'"),
    ("CloudAppEvents", "IsAdminOperation", 2, "expected true or false, got 2"),
    ("DeviceTvmSecureConfigurationAssessment", "ConfigurationImpact", "high", "expected a number"),
    ("DeviceTvmSecureConfigurationAssessment", "ConfigurationImpact", False, "expected a number"),
    ("DeviceProcessEvents", "DeviceName", {"a": 1}, "expected a string, got a JSON object"),
    ("DeviceProcessEvents", "DeviceName", [1], "expected a string, got a JSON array"),
    ("DeviceProcessEvents", "ProcessCreationTime", "yesterday", "not an ISO 8601 datetime"),
    (
        "DeviceProcessEvents",
        "ProcessCreationTime",
        1714521600,
        "expected a datetime, got 1714521600",
    ),
    ("DeviceProcessEvents", "ProcessCreationTime", "2024-02-30T00:00:00Z", "day is out of range"),
    ("DeviceProcessEvents", "ProcessCreationTime", "2024-05-01T25:00:00Z", "hour must be in 0..23"),
    ("CloudAppEvents", "RawEventData", '{"unclosed": ', "not valid JSON"),
    ("DeviceProcessEvents", "Timestamp", "", "Timestamp is empty"),
    ("DeviceProcessEvents", "Timestamp", None, "Timestamp is empty"),
    ("DeviceProcessEvents", "Bogus", "x", "DeviceProcessEvents has no column Bogus"),
    ("DeviceProcessEvents", "filename", "x", "no column filename; did you mean FileName?"),
]


@pytest.mark.parametrize(("table", "column", "value", "reason"), BAD_JSON_VALUES)
def test_bad_json_value(
    lake: Lake, tenant_id: str, tmp_path: Path, table: str, column: str, value: Any, reason: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [OK, OK, {**OK, column: value}])
    report = ingest_file(lake, tenant_id, table, source)
    assert len(report.problems) == 1, report.problems
    problem = report.problems[0]
    assert (problem.row, problem.column) == (3, column)
    assert reason in problem.reason
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (3, 0, 1)
    assert not report.committed
    assert visible_files(lake) == [] and staged_files(lake) == []


BAD_CSV_CELLS = [
    ("FileSize", "1.5", "expected an integer, got '1.5'"),
    ("FileSize", "0x1F", "expected an integer, got '0x1F'"),
    ("FileSize", " 12", "expected an integer, got ' 12'"),
    ("ProcessId", "99999999999999999999", "out of range for long"),
    ("Timestamp", "01/05/2024", "not an ISO 8601 datetime"),
    ("Timestamp", "", "Timestamp is empty"),
]


@pytest.mark.parametrize(("column", "cell", "reason"), BAD_CSV_CELLS)
def test_bad_csv_cell(
    lake: Lake, tenant_id: str, tmp_path: Path, column: str, cell: str, reason: str
) -> None:
    header = ["Timestamp", "FileSize", "ProcessId"]
    good = ["2024-05-01T00:00:00Z", "1", "2"]
    bad = list(good)
    bad[header.index(column)] = cell
    source = write_csv(tmp_path / "in.csv", header, [good, bad, good])
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", source)
    assert [(p.row, p.column) for p in report.problems] == [(2, column)]
    assert reason in report.problems[0].reason
    assert visible_files(lake) == []


def test_bad_csv_bool_and_dynamic(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "in.csv",
        ["Timestamp", "IsAdminOperation", "RawEventData"],
        [
            ["2024-05-01T00:00:00Z", "maybe", "{}"],
            ["2024-05-01T00:00:00Z", "1", "[1, 2"],
            ["2024-05-01T00:00:00Z", "FALSE", "bare words are a JSON string"],
        ],
    )
    report = ingest_file(lake, tenant_id, "CloudAppEvents", source, skip_bad_rows=True)
    assert [(p.row, p.column) for p in report.problems] == [
        (1, "IsAdminOperation"),
        (2, "RawEventData"),
    ]
    stored = read_lake(lake, tenant_id, "CloudAppEvents").to_pylist()
    assert [(r["IsAdminOperation"], r["RawEventData"]) for r in stored] == [
        (False, '"bare words are a JSON string"')
    ]


def test_csv_row_numbers_count_records_not_lines(
    lake: Lake, tenant_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "Timestamp,ProcessCommandLine,FileSize\n"
        '2024-05-01T00:00:00Z,"cmd /c\necho two lines",1\n'  # record 1 spans two lines
        "2024-05-01T00:00:00Z,too,many,fields\n"  # record 2
        "2024-05-01T00:00:00Z,ok,1\n"  # record 3
        "2024-05-01T00:00:00Z,ok,x\n",  # record 4
        encoding="utf-8",
    )
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", path, skip_bad_rows=True)
    assert report.problems == [
        RowProblem(2, None, "expected 3 fields, found 4"),
        RowProblem(4, "FileSize", "expected an integer, got 'x'"),
    ]
    assert (report.rows_read, report.rows_written) == (4, 2)
    commands = read_lake(lake, tenant_id, "DeviceProcessEvents").column("ProcessCommandLine")
    assert sorted(commands.to_pylist()) == ["cmd /c\necho two lines", "ok"]


def test_unreadable_json_lines(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"Timestamp": "2024-05-01T00:00:00Z"}\n{nope\n[1, 2]\n"x"\n\xff\xfe\n')
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", path)
    assert [(p.row, p.column) for p in report.problems] == [
        (2, None),
        (3, None),
        (4, None),
        (5, None),
    ]
    reasons = [p.reason for p in report.problems]
    assert reasons[0].startswith("not valid JSON")
    assert reasons[1:] == [
        "expected a JSON object, got an array",
        "expected a JSON object, got a single value",
        "not valid UTF-8 text",
    ]
    assert report.rows_read == 5 and report.rows_rejected == 4


def test_one_bad_row_at_the_end_writes_nothing(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"Timestamp": f"2024-05-{1 + i % 20:02d}T00:00:00Z", "ProcessId": i} for i in range(120_000)
    ]
    rows.append({"Timestamp": "2024-05-01T00:00:00Z", "ProcessId": "not a number"})
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", source)
    assert report.problems == [
        RowProblem(120_001, "ProcessId", "expected an integer, got 'not a number'")
    ]
    assert (report.rows_read, report.rows_written, report.committed) == (120_001, 0, False)
    assert visible_files(lake) == [] and staged_files(lake) == []

    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", source, skip_bad_rows=True)
    assert (report.rows_written, report.rows_rejected, report.committed) == (120_000, 1, True)
    assert len(report.days) == 20 and len(report.files) == 20  # one file per day, many batches
    stored = read_lake(lake, tenant_id, "DeviceProcessEvents")
    assert sorted(stored.column("ProcessId").to_pylist()) == list(range(120_000))
    assert staged_files(lake) == []


def test_problem_list_is_capped_but_counted(lake: Lake, tenant_id: str) -> None:
    rows = [{"Timestamp": "nope"} for _ in range(250)]
    report = ingest_rows(lake, tenant_id, "DeviceProcessEvents", rows)
    assert len(report.problems) == MAX_REPORTED_PROBLEMS
    assert report.problem_count == 250 and report.rows_rejected == 250
    assert [p.row for p in report.problems] == list(range(1, 101))


def test_missing_time_column(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    source = write_parquet(tmp_path / "in.parquet", pa.table({"DeviceName": ["a", "b"]}))
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", source)
    assert [(p.row, p.column) for p in report.problems] == [(1, "Timestamp"), (2, "Timestamp")]
    assert "every DeviceProcessEvents row needs one" in report.problems[0].reason


def test_parquet_values_that_do_not_fit(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    source = write_parquet(
        tmp_path / "in.parquet",
        pa.table(
            {
                "Timestamp": pa.array([0, 1, 2], pa.timestamp("s")),
                "FileSize": pa.array([1.0, 2.5, None]),
                "ProcessId": pa.array([1, 2**64 - 1, 3], pa.uint64()),
                "DeviceName": pa.array([{"a": 1}, None, {"a": 2}]),
            }
        ),
    )
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", source, skip_bad_rows=True)
    assert [(p.row, p.column) for p in report.problems] == [
        (1, "DeviceName"),
        (2, "FileSize"),
        (2, "ProcessId"),
        (3, "DeviceName"),
    ]
    assert report.rows_written == 0 and report.rows_rejected == 3


def test_unknown_columns_can_be_ignored(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "in.csv", ["Timestamp", "Extra", "FileSize"], [["2024-05-01", "x", "5"]]
    )
    report = ingest_file(lake, tenant_id, "DeviceProcessEvents", source)
    assert [(p.row, p.column) for p in report.problems] == [(1, "Extra")]
    report = ingest_file(
        lake, tenant_id, "DeviceProcessEvents", source, ignore_unknown_columns=True
    )
    assert report.rows_written == 1 and report.problem_count == 0


def test_empty_unknown_columns_are_harmless(lake: Lake, tenant_id: str) -> None:
    rows = [{**OK, "Extra": None}, {**OK, "Extra": ""}]
    assert ingest_rows(lake, tenant_id, "DeviceProcessEvents", rows).rows_written == 2


def test_unknown_table_suggests_close_names() -> None:
    with pytest.raises(UnknownTable) as caught:
        find_table("deviceprocessevents")
    assert caught.value.suggestions[0] == "DeviceProcessEvents"
    assert "did you mean DeviceProcessEvents" in str(caught.value)
    with pytest.raises(UnknownTable) as caught:
        find_table("DeviceProcesEvent")
    assert "DeviceProcessEvents" in caught.value.suggestions
    with pytest.raises(UnknownTable) as caught:
        find_table("Zebra")
    assert caught.value.suggestions == [] and str(caught.value) == "no hunting table 'Zebra'"


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("missing.jsonl", None, "no such file"),
        ("events.txt", None, "cannot tell the format"),
        ("events.jsonl", "xml", "unknown format 'xml'"),
        ("-", None, "reading standard input needs a format"),
    ],
)
def test_inputs_that_cannot_start(
    lake: Lake, tenant_id: str, tmp_path: Path, name: str, fmt: str | None, message: str
) -> None:
    path = tmp_path / name if name != "-" else name
    if name == "events.txt":
        (tmp_path / name).write_text("{}\n")
    with pytest.raises(IngestError, match=message):
        ingest_file(lake, tenant_id, "DeviceProcessEvents", path, format=fmt)


def test_not_a_parquet_file(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    path.write_text("not parquet")
    with pytest.raises(IngestError, match="not a readable Parquet file"):
        ingest_file(lake, tenant_id, "DeviceProcessEvents", path)
