"""`xdrlab lake stats` counts what ingestion wrote; `xdrlab lake prune` removes whole old days
and nothing newer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from xdrlab.cli.main import app as cli

runner = CliRunner()


def _run(state: Path, *args: str) -> Any:
    result = runner.invoke(cli, [*args, "--state", str(state), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stats_and_prune(tmp_path: Path) -> None:
    state = tmp_path / "state"
    _run(state, "tenant", "create", "Tailspin", "--domain", "tailspin.onmicrosoft.com")
    today = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    events = tmp_path / "logons.jsonl"
    days_ago = [0, 1, 40, 41, 41]
    events.write_text(
        "".join(
            json.dumps(
                {
                    "Timestamp": (today - dt.timedelta(days=d)).isoformat(),
                    "DeviceName": f"ws-{i}",
                    "ActionType": "LogonSuccess",
                }
            )
            + "\n"
            for i, d in enumerate(days_ago)
        )
    )
    _run(state, "ingest", "DeviceLogonEvents", str(events))
    stats = _run(state, "lake", "stats")
    assert stats == [
        {
            "tenant": "tailspin.onmicrosoft.com",
            "table": "DeviceLogonEvents",
            "rows": 5,
            "files": 4,
            "first_day": (today - dt.timedelta(days=41)).date().isoformat(),
            "last_day": today.date().isoformat(),
        }
    ]
    pruned = _run(state, "lake", "prune", "--keep-days", "30")
    assert pruned == [
        {"tenant": pruned[0]["tenant"], "table": "DeviceLogonEvents", "files_removed": 2}
    ]
    after = _run(state, "lake", "stats")
    assert after[0]["rows"] == 2 and after[0]["files"] == 2
    assert after[0]["first_day"] == (today - dt.timedelta(days=1)).date().isoformat()
