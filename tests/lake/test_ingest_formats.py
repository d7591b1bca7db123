"""Each input format lands in the lake with exact values and the schema's types."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tests.lake.conftest import read_lake, write_csv, write_jsonl, write_parquet
from xdrlab.lake.ingest import ingest_file, ingest_rows
from xdrlab.lake.schema import hunting_table
from xdrlab.lake.store import Lake

TABLE = "DeviceTvmSecureConfigurationAssessment"  # string, datetime, real, bool, dynamic

EXPECTED = [
    {
        "DeviceId": "d1",
        "DeviceName": "host-1",
        "Timestamp": datetime(2024, 5, 1, 12, 34, 56, 123456),  # .1234567Z, last digit cut
        "ConfigurationImpact": 7.5,
        "IsCompliant": True,
        "IsApplicable": False,
        "Context": {"a": [1, "x", None], "b": {"ü": True}},
    },
    {
        "DeviceId": "d2",
        "DeviceName": "",  # missing strings are ''
        "Timestamp": datetime(2024, 5, 2, 1, 0, 0),  # 2024-05-02T03:00:00+02:00
        "ConfigurationImpact": None,
        "IsCompliant": None,
        "IsApplicable": True,
        "Context": None,
    },
]


def _check(lake: Lake, tenant_id: str) -> None:
    rows = read_lake(lake, tenant_id, TABLE)
    table = hunting_table(TABLE)
    assert table is not None
    assert rows.schema == table.arrow_schema
    got = sorted(rows.to_pylist(), key=lambda r: r["DeviceId"])
    for expected, row in zip(EXPECTED, got, strict=True):
        context = row.pop("Context")
        assert (json.loads(context) if context is not None else None) == expected["Context"]
        for name, value in expected.items():
            if name != "Context":
                assert row[name] == value, name
        assert row["ConfigurationId"] == ""


def test_json_lines(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {
                "DeviceId": "d1",
                "DeviceName": "host-1",
                "Timestamp": "2024-05-01T12:34:56.1234567Z",
                "ConfigurationImpact": 7.5,
                "IsCompliant": True,
                "IsApplicable": "false",
                "Context": {"a": [1, "x", None], "b": {"ü": True}},
            },
            {
                "DeviceId": "d2",
                "Timestamp": "2024-05-02T03:00:00+02:00",
                "ConfigurationImpact": None,
                "IsApplicable": 1,
            },
        ],
    )
    report = ingest_file(lake, tenant_id, TABLE, source)
    assert (report.rows_read, report.rows_written, report.problem_count) == (2, 2, 0)
    assert report.committed
    assert report.days == ["2024-05-01", "2024-05-02"]
    assert len(report.files) == 2
    _check(lake, tenant_id)


def test_csv(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    header = ["DeviceId", "DeviceName", "Timestamp", "ConfigurationImpact", "IsCompliant"]
    context = '{"a": [1, "x", null], "b": {"ü": true}}'
    source = write_csv(
        tmp_path / "in.csv",
        [*header, "IsApplicable", "Context"],
        [
            ["d1", "host-1", "2024-05-01T12:34:56.1234567Z", "7.5", "TRUE", "0", context],
            ["d2", "", "2024-05-02T03:00:00+02:00", "", "", "true", ""],
        ],
    )
    report = ingest_file(lake, tenant_id, TABLE, source)
    assert (report.rows_written, report.problem_count, report.format) == (2, 0, "csv")
    _check(lake, tenant_id)


def test_parquet_with_zoned_timestamps_and_nested_dynamic(
    lake: Lake, tenant_id: str, tmp_path: Path
) -> None:
    paris = timezone(timedelta(hours=2))
    source = write_parquet(
        tmp_path / "in.parquet",
        pa.table(
            {
                "DeviceId": ["d1", "d2"],
                "DeviceName": ["host-1", None],
                "Timestamp": pa.array(
                    [
                        datetime(2024, 5, 1, 14, 34, 56, 123456, tzinfo=paris),
                        datetime(2024, 5, 2, 3, 0, tzinfo=paris),
                    ],
                    pa.timestamp("ns", "+02:00"),
                ),
                "ConfigurationImpact": pa.array([7.5, None], pa.float32()),
                "IsCompliant": [True, None],
                "IsApplicable": [False, True],
                "Context": ['{"a": [1, "x", null], "b": {"ü": true}}', None],
            }
        ),
    )
    report = ingest_file(lake, tenant_id, TABLE, source)
    assert (report.rows_written, report.problem_count) == (2, 0)
    _check(lake, tenant_id)


def test_parquet_naive_timestamps_are_utc(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    moment = datetime(2024, 5, 1, 23, 59, 59, 999999)
    source = write_parquet(
        tmp_path / "in.parquet",
        pa.table({"Timestamp": pa.array([moment], pa.timestamp("ms")), "DeviceId": ["d"]}),
    )
    ingest_file(lake, tenant_id, TABLE, source)
    assert read_lake(lake, tenant_id, TABLE).column("Timestamp").to_pylist() == [
        datetime(2024, 5, 1, 23, 59, 59, 999000)
    ]


def test_python_rows(lake: Lake, tenant_id: str) -> None:
    report = ingest_rows(
        lake,
        tenant_id,
        TABLE,
        [
            {
                "DeviceId": "d1",
                "DeviceName": "host-1",
                "Timestamp": datetime(
                    2024, 5, 1, 14, 34, 56, 123456, tzinfo=timezone(timedelta(hours=2))
                ),
                "ConfigurationImpact": 7.5,
                "IsCompliant": True,
                "IsApplicable": False,
                "Context": {"a": [1, "x", None], "b": {"ü": True}},
            },
            {
                "DeviceId": "d2",
                "Timestamp": datetime(2024, 5, 2, 1, 0),
                "IsApplicable": True,
                "Context": None,
            },
        ],
    )
    assert (report.rows_written, report.problem_count) == (2, 0)
    _check(lake, tenant_id)


def test_duckdb_reads_dynamic_as_json(lake: Lake, tenant_id: str) -> None:
    rows: list[dict[str, Any]] = [
        {"Timestamp": "2024-05-01T00:00:00Z", "DeviceId": "d1", "Context": {"k": [10, 20]}},
        {"Timestamp": "2024-05-01T00:00:01Z", "DeviceId": "d2", "Context": '{"k": [30]}'},
        {"Timestamp": "2024-05-01T00:00:02Z", "DeviceId": "d3", "Context": "plain text"},
    ]
    ingest_rows(lake, tenant_id, TABLE, rows)
    table = hunting_table(TABLE)
    assert table is not None
    files = [str(f) for f in lake.files(tenant_id, table)]
    with duckdb.connect() as db:
        result = db.execute(
            "select DeviceId, typeof(Context), Context->>'$.k[0]', Context->>'$' "
            "from read_parquet(?) order by DeviceId",
            [files],
        ).fetchall()
    assert result == [
        ("d1", "JSON", "10", '{"k":[10,20]}'),
        ("d2", "JSON", "30", '{"k":[30]}'),
        ("d3", "JSON", None, "plain text"),
    ]


def test_datetime_forms_all_mean_the_same_instant(lake: Lake, tenant_id: str) -> None:
    forms = [
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.0000000Z",
        "2024-05-01T12:00:00+02:00",
        "2024-05-01T12:00:00+0200",
        "2024-05-01T05:30:00-04:30",
        "2024-05-01 10:00:00",
        "2024-05-01T10:00",
        "2024-05-01T10:00:00z",
    ]
    rows = [{"Timestamp": form, "DeviceId": str(i)} for i, form in enumerate(forms)]
    rows.append({"Timestamp": "2024-05-01", "DeviceId": "date"})
    report = ingest_rows(lake, tenant_id, TABLE, rows)
    assert report.problem_count == 0, report.problems
    stored = {r["DeviceId"]: r["Timestamp"] for r in read_lake(lake, tenant_id, TABLE).to_pylist()}
    assert stored.pop("date") == datetime(2024, 5, 1)
    assert set(stored.values()) == {datetime(2024, 5, 1, 10)}
    assert datetime(2024, 5, 1, 10, tzinfo=UTC).replace(tzinfo=None) in stored.values()


@pytest.mark.parametrize(
    ("value", "stored"),
    [(42, "42"), (1.5, "1.5"), (True, "true"), ("text", "text"), (None, "")],
)
def test_json_scalars_in_string_columns(
    lake: Lake, tenant_id: str, value: object, stored: str
) -> None:
    ingest_rows(lake, tenant_id, TABLE, [{"Timestamp": "2024-05-01T00:00:00Z", "DeviceId": value}])
    assert read_lake(lake, tenant_id, TABLE).column("DeviceId").to_pylist() == [stored]


def test_long_and_int_columns(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "in.csv",
        ["Timestamp", "ApplicationId", "AppInstanceId", "IsAdminOperation"],
        [
            ["2024-05-01T00:00:00Z", "2147483647", "-2147483648", "True"],
            ["2024-05-01T00:00:01Z", "", "007", "false"],
        ],
    )
    report = ingest_file(lake, tenant_id, "CloudAppEvents", source)
    assert report.problem_count == 0, report.problems
    rows = read_lake(lake, tenant_id, "CloudAppEvents")
    assert rows.schema.field("ApplicationId").type == pa.int32()
    assert rows.select(["ApplicationId", "AppInstanceId", "IsAdminOperation"]).to_pylist() == [
        {"ApplicationId": 2147483647, "AppInstanceId": -2147483648, "IsAdminOperation": True},
        {"ApplicationId": None, "AppInstanceId": 7, "IsAdminOperation": False},
    ]


def test_table_without_time_column_goes_to_static(lake: Lake, tenant_id: str) -> None:
    report = ingest_rows(
        lake,
        tenant_id,
        "DeviceTvmSoftwareVulnerabilities",
        [{"DeviceId": "d1", "CveId": "CVE-2024-0001", "CveTags": ["ZeroDay"]}],
    )
    assert report.committed and report.days == []
    assert [Path(f).parent.name for f in report.files] == ["static"]
    stored = read_lake(lake, tenant_id, "DeviceTvmSoftwareVulnerabilities").to_pylist()
    assert stored[0]["CveTags"] == '["ZeroDay"]'


def test_gzipped_json_lines_and_blank_lines(lake: Lake, tenant_id: str, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write('{"Timestamp": "2024-05-01T00:00:00Z"}\n\n{"Timestamp": "bad"}\n')
    report = ingest_file(lake, tenant_id, TABLE, path)
    assert [(p.row, p.column) for p in report.problems] == [(3, "Timestamp")]
