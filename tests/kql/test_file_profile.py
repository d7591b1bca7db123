"""`invoke FileProfile()`: file enrichment from the tenant's file profiles, run end to end on
a real lake (Parquet files, the embedded engine's sandbox), profiles loaded the way an
operator loads them (`xdrlab ingest FileProfile ...`) or written by the demo."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from xdrlab.cli.main import app as cli
from xdrlab.demo.telemetry import generate_demo_telemetry
from xdrlab.engine.hunting import run_hunting_query
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import (
    ARGUMENT_COUNT,
    EXPECTED_CONSTANT,
    TYPE_MISMATCH,
    UNKNOWN_COLUMN,
)
from xdrlab.lake.schema import FILE_PROFILE
from xdrlab.lake.store import Lake

NOW = datetime(2024, 5, 1, 12, 0, 0)
TENANT = "6f1c2a9e-0000-4000-8000-00000000c0de"
OTHER = "0b5e9c1d-0000-4000-8000-0000000000b2"
INPUT = (
    "datatable(DeviceName:string, SHA1:string, SHA256:string)["
    '"ws-1", "AAAA", "x1", "ws-2", "bbbb", "x2", "ws-3", "cccc", "x3", "ws-4", "", "x4"]'
)


def profile(sha1: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c.name: None for c in FILE_PROFILE.columns}
    row.update(SHA1=sha1, SHA256=f"sha256-of-{sha1}", MD5="", Signer="", Issuer="")
    row.update(values)
    return row


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lake = Lake(tmp_path / "lake")
    rows = [
        profile("aaaa", GlobalPrevalence=3, ThreatName="Trojan:Win32/Demo", IsExecutable=True,
                SignatureState="Unsigned", GlobalLastSeen=datetime(2024, 4, 1)),
        # the same file profiled twice: the most recent sighting wins
        profile("bbbb", GlobalPrevalence=10, Publisher="Old", GlobalLastSeen=datetime(2023, 1, 1)),
        profile("bbbb", GlobalPrevalence=900_000, Publisher="Contoso Ltd",
                SignatureState="SignedValid", GlobalLastSeen=datetime(2024, 4, 30)),
    ]  # fmt: skip
    lake.write(TENANT, FILE_PROFILE, pa.Table.from_pylist(rows, schema=FILE_PROFILE.arrow_schema))
    return lake


def run(lake: Lake, query: str, tenant: str = TENANT) -> list[dict[str, Any]]:
    result = run_hunting_query(lake, tenant, query, now=NOW)
    return sorted(result.rows.to_pylist(), key=lambda r: r["DeviceName"])


def test_rows_are_enriched_by_sha1(lake: Lake) -> None:
    rows = run(
        lake,
        f"{INPUT} | invoke FileProfile()"
        " | project DeviceName, SHA256, GlobalPrevalence, ThreatName, Publisher, ProfileAvailability",
    )
    assert rows == [
        # the input's own SHA256 is kept; hashes match whatever their case
        {"DeviceName": "ws-1", "SHA256": "x1", "GlobalPrevalence": 3,
         "ThreatName": "Trojan:Win32/Demo", "Publisher": "", "ProfileAvailability": "Available"},
        {"DeviceName": "ws-2", "SHA256": "x2", "GlobalPrevalence": 900_000, "ThreatName": "",
         "Publisher": "Contoso Ltd", "ProfileAvailability": "Available"},
        # looked up, no profile: Missing; no hash at all: empty
        {"DeviceName": "ws-3", "SHA256": "x3", "GlobalPrevalence": None, "ThreatName": "",
         "Publisher": "", "ProfileAvailability": "Missing"},
        {"DeviceName": "ws-4", "SHA256": "x4", "GlobalPrevalence": None, "ThreatName": "",
         "Publisher": "", "ProfileAvailability": ""},
    ]  # fmt: skip


def test_columns_and_types(lake: Lake) -> None:
    result = run_hunting_query(lake, TENANT, f"{INPUT} | invoke FileProfile()", now=NOW)
    names = [c.name for c in result.columns]
    # the input's columns, then the profile's it did not have, then the availability
    assert names[:3] == ["DeviceName", "SHA1", "SHA256"]
    assert names[3:] == [
        "MD5", "FileSize", "GlobalPrevalence", "GlobalFirstSeen", "GlobalLastSeen", "Signer",
        "Issuer", "SignerHash", "IsCertificateValid", "IsRootSignerMicrosoft", "SignatureState",
        "IsExecutable", "ThreatName", "Publisher", "SoftwareName", "ProfileAvailability",
    ]  # fmt: skip
    types = {c.name: c.type.value for c in result.columns}
    assert (types["GlobalPrevalence"], types["GlobalFirstSeen"], types["IsExecutable"]) == (
        "int", "datetime", "bool",
    )  # fmt: skip


def test_another_id_column_and_the_file_limit(lake: Lake) -> None:
    query = (
        'datatable(DeviceName:string, InitiatingProcessSHA256:string)["ws-1", "SHA256-OF-AAAA",'
        ' "ws-2", "sha256-of-bbbb"] | invoke FileProfile("InitiatingProcessSHA256", 1)'
        " | summarize Available = countif(ProfileAvailability == 'Available'),"
        " Empty = countif(ProfileAvailability == '')"
    )
    result = run_hunting_query(lake, TENANT, query, now=NOW)
    # one file looked up, the other over the limit
    assert result.rows.to_pylist() == [{"Available": 1, "Empty": 1}]


def test_profiles_belong_to_their_tenant(lake: Lake) -> None:
    rows = run(
        lake, f"{INPUT} | invoke FileProfile() | project DeviceName, ProfileAvailability", OTHER
    )
    assert [r["ProfileAvailability"] for r in rows] == ["Missing", "Missing", "Missing", ""]


@pytest.mark.parametrize(
    ("call", "code"),
    [
        ("FileProfile(FileName)", TYPE_MISMATCH),
        ("FileProfile(SHA1, 0)", TYPE_MISMATCH),
        ("FileProfile(SHA1, 1001)", TYPE_MISMATCH),
        ("FileProfile(SHA1, strlen(DeviceName))", EXPECTED_CONSTANT),
        ("FileProfile(InitiatingProcessSHA1)", UNKNOWN_COLUMN),
        ("FileProfile(SHA1, 5, 6)", ARGUMENT_COUNT),
    ],
)
def test_refusals(lake: Lake, call: str, code: str) -> None:
    with pytest.raises(KqlError) as caught:
        run_hunting_query(lake, TENANT, f"{INPUT} | invoke {call}", now=NOW)
    assert caught.value.diagnostic.code == code


def test_profiles_loaded_with_the_ingest_command(tmp_path: Path) -> None:
    runner = CliRunner()
    state = tmp_path / "state"
    created = runner.invoke(
        cli,
        ["tenant", "create", "Contoso", "--domain", "contoso.example.com", "--state", str(state)],
    )
    assert created.exit_code == 0, created.output
    source = tmp_path / "profiles.jsonl"
    source.write_text(
        json.dumps({"SHA1": "cccc", "GlobalPrevalence": 42, "Signer": "Fabrikam",
                    "GlobalFirstSeen": "2023-02-03T04:05:06Z", "IsExecutable": True}) + "\n"
    )  # fmt: skip
    ingested = runner.invoke(
        cli, ["ingest", "FileProfile", str(source), "--json", "--state", str(state)]
    )
    assert ingested.exit_code == 0, ingested.output
    report = json.loads(ingested.stdout)
    assert report["rows_written"] == 1
    rows = run(
        Lake(state / "lake"),
        f"{INPUT} | invoke FileProfile() | where isnotempty(Signer)",
        report["tenant_id"],
    )
    assert [(r["DeviceName"], r["Signer"], r["GlobalPrevalence"]) for r in rows] == [
        ("ws-3", "Fabrikam", 42)
    ]


def test_demo_profiles_every_file_of_its_telemetry(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    generate_demo_telemetry(lake, TENANT, now=NOW, events=3_000)
    query = (
        "DeviceProcessEvents | invoke FileProfile(SHA1, 1000)"
        " | summarize Files = dcount(SHA1), Missing = countif(ProfileAvailability != 'Available'),"
        " MicrosoftSigned = dcountif(SHA1, IsRootSignerMicrosoft),"
        " Rare = dcountif(SHA1, GlobalPrevalence < 1000)"
    )
    (summary,) = run_hunting_query(lake, TENANT, query, now=NOW).rows.to_pylist()
    assert summary["Missing"] == 0
    assert 0 < summary["MicrosoftSigned"] < summary["Files"]
    assert 0 < summary["Rare"] < summary["Files"] // 2  # the attack's own tools, not the OS
    detected = run_hunting_query(
        lake,
        TENANT,
        "DeviceEvents | where ActionType == 'AntivirusDetection' | invoke FileProfile()"
        " | project ThreatName, SignatureState",
        now=NOW,
    ).rows.to_pylist()
    assert detected and all(r["ThreatName"] and r["SignatureState"] == "Unsigned" for r in detected)
