"""`xdrlab ingest TABLE FILE` with Parquet and CSV files on disk, run as its own process against
a running server's state folder; the rows then come back from the server's advanced hunting API.

Each test writes into a tenant of its own, so what hunting returns is exactly what the test
ingested.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.api.conftest import daemon_app
from tests.conftest import Live
from tests.servers import app_tokens
from xdrlab.identity import tenants
from xdrlab.identity.catalogue import DEFENDER_XDR, MICROSOFT_GRAPH

XDRLAB = str(Path(sys.executable).with_name("xdrlab"))
QUERY = (
    "DeviceProcessEvents "
    "| project Timestamp, DeviceName, FileName, ProcessId, ProcessCommandLine "
    "| order by DeviceName asc"
)
_numbers = itertools.count(1)


@dataclass
class Tenant:
    live: Live
    domain: str
    tenant_id: str
    client_id: str
    client_secret: str

    def ingest(self, table: str, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                XDRLAB,
                "ingest",
                table,
                str(path),
                "--state",
                str(self.live.state.settings.state_dir),
                "--tenant",
                self.domain,
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
            check=False,
        )

    def hunt(self, query: str, surface: str = "defender") -> list[dict[str, Any]]:
        resource = (
            "https://graph.microsoft.com"
            if surface == "graph"
            else ("https://api.security.microsoft.com")
        )
        path = (
            "/v1.0/security/runHuntingQuery" if surface == "graph" else ("/api/advancedhunting/run")
        )
        with self.live.client() as client:
            token = app_tokens(
                client, self.tenant_id, self.client_id, self.client_secret, [resource]
            )[resource]
            response = client.post(
                path, json={"Query": query}, headers={"Authorization": f"Bearer {token}"}
            )
        assert response.status_code == 200, response.text
        rows = response.json()["results" if surface == "graph" else "Results"]
        assert isinstance(rows, list)
        return rows


@pytest.fixture
def tenant(live: Live) -> Tenant:
    """A new tenant on the live server with an app that may run hunting queries."""
    state = live.state
    domain = f"ingest{next(_numbers)}.onmicrosoft.com"
    with state.sessions.begin() as session:
        created = tenants.create_tenant(session, state.clock, "Ingest", domain)
        roles = {
            DEFENDER_XDR: ["AdvancedHunting.Read.All"],
            MICROSOFT_GRAPH: ["ThreatHunting.Read.All"],
        }
        client_id, secret = daemon_app(session, state, created, "ingest test app", roles)
        return Tenant(live, domain, created.id, client_id, secret)


def _recent(hours_ago: int) -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return now - dt.timedelta(hours=hours_ago)


def _iso(moment: dt.datetime) -> str:
    """As the API answers a datetime: seven fractional digits and `Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    report = json.loads(result.stdout)
    assert isinstance(report, dict)
    return report


def test_ingest_a_parquet_file_then_hunt_it(tenant: Tenant, tmp_path: Path) -> None:
    stamps = [_recent(30), _recent(5), _recent(2)]
    table = pa.table(
        {
            "Timestamp": pa.array(stamps, type=pa.timestamp("us", tz="UTC")),
            "DeviceName": ["ws-3", "ws-1", "ws-2"],
            "FileName": ["cmd.exe", "powershell.exe", "rundll32.exe"],
            "ProcessId": pa.array([300, 100, 200], type=pa.int64()),
            "ProcessCommandLine": ["cmd /c whoami", "powershell -enc SQBFAFgA", None],
        }
    )
    source = tmp_path / "processes.parquet"
    pq.write_table(table, source)

    result = tenant.ingest("DeviceProcessEvents", source, "--json")
    assert result.returncode == 0, result.stderr
    report = _report(result)
    assert report["tenant_id"] == tenant.tenant_id
    assert (report["rows_read"], report["rows_written"], report["problems"]) == (3, 3, [])
    assert report["committed"] is True

    expected = [
        {
            "Timestamp": _iso(stamps[1]),
            "DeviceName": "ws-1",
            "FileName": "powershell.exe",
            "ProcessId": 100,
            "ProcessCommandLine": "powershell -enc SQBFAFgA",
        },
        {
            "Timestamp": _iso(stamps[2]),
            "DeviceName": "ws-2",
            "FileName": "rundll32.exe",
            "ProcessId": 200,
            "ProcessCommandLine": "",  # a missing string is ''
        },
        {
            "Timestamp": _iso(stamps[0]),
            "DeviceName": "ws-3",
            "FileName": "cmd.exe",
            "ProcessId": 300,
            "ProcessCommandLine": "cmd /c whoami",
        },
    ]
    assert tenant.hunt(QUERY) == expected
    assert tenant.hunt(QUERY, "graph") == expected


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Timestamp", "DeviceName", "FileName", "ProcessId", "ProcessCommandLine"])
        writer.writerows(rows)
    return path


def test_ingest_a_csv_file_then_hunt_it(tenant: Tenant, tmp_path: Path) -> None:
    first, second = _recent(26), _recent(1)
    source = _write_csv(
        tmp_path / "processes.csv",
        [
            [first.isoformat(), "ws-7", "net.exe", "17", 'net user "a b" /add'],
            [second.strftime("%Y-%m-%dT%H:%M:%SZ"), "ws-8", "whoami.exe", "18", "whoami, /all"],
        ],
    )
    result = tenant.ingest("DeviceProcessEvents", source, "--json")
    assert result.returncode == 0, result.stderr
    report = _report(result)
    assert (report["rows_read"], report["rows_written"], report["problems"]) == (2, 2, [])
    assert report["source"].endswith("processes.csv")

    assert tenant.hunt(QUERY) == [
        {
            "Timestamp": _iso(first),
            "DeviceName": "ws-7",
            "FileName": "net.exe",
            "ProcessId": 17,
            "ProcessCommandLine": 'net user "a b" /add',
        },
        {
            "Timestamp": _iso(second),
            "DeviceName": "ws-8",
            "FileName": "whoami.exe",
            "ProcessId": 18,
            "ProcessCommandLine": "whoami, /all",
        },
    ]
    counted = tenant.hunt("DeviceProcessEvents | summarize n = count() by FileName | order by n")
    assert sorted(r["FileName"] for r in counted) == ["net.exe", "whoami.exe"]


def test_a_bad_csv_row_is_reported_and_nothing_is_written(tenant: Tenant, tmp_path: Path) -> None:
    good = [_recent(3).isoformat(), "ws-1", "cmd.exe", "1", "cmd"]
    source = _write_csv(
        tmp_path / "bad.csv",
        [good, good, [_recent(3).isoformat(), "ws-2", "cmd.exe", "x12", "cmd"], good],
    )
    result = tenant.ingest("DeviceProcessEvents", source, "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    report = _report(result)
    assert report["problems"] == [
        {"row": 3, "column": "ProcessId", "reason": "expected an integer, got 'x12'"}
    ]
    assert report["committed"] is False
    assert (report["rows_read"], report["rows_written"]) == (4, 0)
    assert tenant.hunt("DeviceProcessEvents | count") == [{"Count": 0}]
    tenant_lake = tenant.live.state.settings.state_dir / "lake" / tenant.tenant_id
    assert not tenant_lake.exists() or not [f for f in tenant_lake.rglob("*") if f.is_file()]

    # The human report names the row, the column and the reason, and says nothing was written.
    human = tenant.ingest("DeviceProcessEvents", source)
    assert human.returncode == 1
    problem_line = next(line for line in human.stdout.splitlines() if "x12" in line)
    cells = [cell.strip() for cell in problem_line.strip().strip("│").split("│")]
    assert cells == ["3", "ProcessId", "expected an integer, got 'x12'"]
    assert "Nothing written" in human.stderr
    assert tenant.hunt("DeviceProcessEvents | count") == [{"Count": 0}]
