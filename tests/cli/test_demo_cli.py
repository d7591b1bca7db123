"""`xdrlab demo` builds the demo tenant with its data, reuses it on a second run, and regenerates
it on request; the same seed gives the same rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.clocks import MovableClock
from xdrlab.cli import demo as demo_command
from xdrlab.cli.main import app as cli
from xdrlab.server.state import ServerState, open_state
from xdrlab.settings import Settings

runner = CliRunner()


def _demo(state: Path, *args: str) -> str:
    result = runner.invoke(cli, ["demo", "--state", str(state), "--events", "2000", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _process_rows(state: Path) -> list[tuple[object, ...]]:
    files = sorted(str(p) for p in (state / "lake").glob("*/DeviceProcessEvents/*/*.parquet"))
    assert files
    query = (
        f"SELECT DeviceName, FileName, ProcessCommandLine FROM read_parquet({files}) ORDER BY ALL"  # noqa: S608 - file paths the test listed itself
    )
    return duckdb.sql(query).fetchall()


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's data is laid out relative to the current time, down to its 10-minute activity
    slots; the runs below must see one instant to compare rows."""
    clock = MovableClock(dt.datetime.now(dt.UTC))

    def open_state_at_that_instant(settings: Settings) -> ServerState:
        return open_state(settings, clock)

    monkeypatch.setattr(demo_command, "open_state", open_state_at_that_instant)


@pytest.mark.usefixtures("frozen_time")
def test_demo_generates_then_reuses_then_resets(tmp_path: Path) -> None:
    state = tmp_path / "state"
    output = _demo(state)
    assert "Demo data generated" in output
    marker = json.loads((state / "demo-data.json").read_text())
    demo = json.loads((state / "demo.json").read_text())
    assert marker["tenant_id"] == demo["tenant_id"] and marker["events"] == 2000
    assert marker["incidents"] >= 3
    msticpy = (state / "msticpyconfig.yaml").read_text()  # beside demo.json
    assert f'ClientId: "{demo["client_id"]}"' in msticpy
    assert f'TenantId: "{demo["tenant_id"]}"' in msticpy
    first = _process_rows(state)
    assert len(first) >= 2000

    assert "reused" in _demo(state)
    assert json.loads((state / "demo-data.json").read_text()) == marker

    assert "Demo data generated" in _demo(state, "--reset")
    assert _process_rows(state) == first  # same seed, same rows

    _demo(state, "--seed", "2")
    assert _process_rows(state) != first
