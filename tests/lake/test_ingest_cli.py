"""`xdrlab ingest` end to end: a real state folder, real files, exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.lake.conftest import write_jsonl
from xdrlab.cli.main import app as cli

runner = CliRunner()
GOOD = [
    {"Timestamp": "2024-05-01T12:00:00.1234567Z", "DeviceName": "ws-1", "ProcessId": 4},
    {"Timestamp": "2024-05-02T12:00:00Z", "DeviceName": "ws-2", "ProcessId": 8},
]


def invoke(state: Path, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(cli, [*args, "--state", str(state)], input=stdin)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    folder = tmp_path / "state"
    created = invoke(folder, "tenant", "create", "Contoso", "--domain", "contoso.example.com")
    assert created.exit_code == 0, created.output
    return folder


def tenant_id(state: Path) -> str:
    listed = invoke(state, "tenant", "list", "--json")
    tenants: list[dict[str, Any]] = json.loads(listed.stdout)
    return next(t["tenant_id"] for t in tenants if "contoso.example.com" in t["domains"])


def lake_files(state: Path) -> list[Path]:
    return sorted((state / "lake").rglob("*.parquet"))


def test_ingest_json_report(state: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "events.jsonl", GOOD)
    result = invoke(state, "ingest", "DeviceProcessEvents", str(source), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tenant_id"] == tenant_id(state)
    assert (report["rows_read"], report["rows_written"], report["problems"]) == (2, 2, [])
    assert report["days"] == ["2024-05-01", "2024-05-02"]
    assert [Path(f) for f in report["files"]] == lake_files(state)
    rows = pq.read_table(lake_files(state)[0]).to_pylist()
    assert (rows[0]["DeviceName"], rows[0]["ProcessId"]) == ("ws-1", 4)
    assert Path(report["files"][0]).parts[-4:-2] == (report["tenant_id"], "DeviceProcessEvents")

    audit = json.loads(invoke(state, "audit", "list", "--json").stdout)
    assert any(e.get("activity") == "Ingest rows" for e in audit)


def test_rejected_input_exits_1_and_writes_nothing(state: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "events.jsonl", [*GOOD, {"Timestamp": "2024-13-01"}])
    result = invoke(state, "ingest", "DeviceProcessEvents", str(source), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["problems"] == [
        {
            "row": 3,
            "column": "Timestamp",
            "reason": "not a valid datetime: '2024-13-01' (month must be in 1..12)",
        }
    ]
    assert report["committed"] is False and lake_files(state) == []

    result = invoke(state, "ingest", "DeviceProcessEvents", str(source), "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    assert "rows written" in result.stdout and "month must be in" in result.stdout
    assert len(lake_files(state)) == 2


def test_human_output_lists_problems(state: Path, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "events.jsonl", [{"Timestamp": "x", "Bogus": 1}])
    result = invoke(state, "ingest", "DeviceProcessEvents", str(source))
    assert result.exit_code == 1
    assert "Problems" in result.stdout and "Bogus" in result.stdout
    assert "Nothing written" in result.stderr


def test_stdin_needs_a_format(state: Path) -> None:
    lines = "".join(json.dumps(row) + "\n" for row in GOOD)
    result = invoke(state, "ingest", "DeviceProcessEvents", "-", "--json", stdin=lines)
    assert result.exit_code == 2 and "needs a format" in result.stderr
    result = invoke(
        state, "ingest", "DeviceProcessEvents", "-", "--format", "jsonl", "--json", stdin=lines
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_written"] == 2


def test_stdin_csv(state: Path) -> None:
    text = "Timestamp,DeviceName\n2024-05-01T00:00:00Z,ws-9\n"
    result = invoke(
        state, "ingest", "DeviceProcessEvents", "-", "--format", "csv", "--json", stdin=text
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_written"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deviceprocessevents", "x.jsonl"], "did you mean DeviceProcessEvents"),
        (["DeviceProcessEvents", "missing.jsonl"], "no such file: missing.jsonl"),
        (["DeviceProcessEvents", "x.jsonl", "--format", "xml"], "unknown format 'xml'"),
        (["DeviceProcessEvents", "x.jsonl", "--tenant", "nowhere.example"], "no tenant"),
    ],
)
def test_usage_errors_exit_2(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "x.jsonl", GOOD)
    result = invoke(state, "ingest", *args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert lake_files(state) == []


def test_tenant_is_required_when_there_are_several(state: Path, tmp_path: Path) -> None:
    source = str(write_jsonl(tmp_path / "x.jsonl", GOOD))
    invoke(state, "tenant", "create", "Fabrikam", "--domain", "fabrikam.example.com")
    result = invoke(state, "ingest", "DeviceProcessEvents", source)
    assert result.exit_code == 2 and "--tenant" in result.stderr
    result = invoke(
        state, "ingest", "DeviceProcessEvents", source, "--tenant", "contoso.example.com", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tenant_id"] == tenant_id(state)


def test_no_tenant_yet(tmp_path: Path) -> None:
    source = str(write_jsonl(tmp_path / "x.jsonl", GOOD))
    result = invoke(tmp_path / "empty", "ingest", "DeviceProcessEvents", source)
    assert result.exit_code == 2 and "xdrlab tenant create" in result.stderr


def test_list_tables() -> None:
    result = runner.invoke(cli, ["ingest", "--list-tables"])
    assert result.exit_code == 0
    assert "DeviceProcessEvents" in result.stdout.split()
