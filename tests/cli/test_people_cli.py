"""The people's commands (`login`, `hunt`, `incidents`, `token`, `logout`, `profiles`) driven as a
user drives them: the installed `xdrlab` entry point in a subprocess, against the live server
over HTTPS, checking what it prints, what it stores and how it exits."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from tests.api.conftest import daemon_app
from tests.conftest import Live
from tests.partner.conftest import lake_rows
from xdrlab.cli.reference import render_reference
from xdrlab.identity import tenants
from xdrlab.identity.catalogue import DEFENDER_XDR
from xdrlab.store.models import Incident, IncidentComment

XDRLAB = Path(sys.executable).parent / "xdrlab"
REPO = Path(__file__).resolve().parents[2]
TRIAGE_INCIDENTS = 130  # more than one page of the Defender API's 100


@dataclass
class Cli:
    config_dir: Path
    demo_json: Path
    env: dict[str, str]

    def run(
        self, *args: str, input: str | None = None, expect: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(XDRLAB), *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=180,
            check=False,
        )
        if expect is not None:
            assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
        return done

    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.json"


@pytest.fixture
def cli(live: Live, tmp_path: Path) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDRLAB_")}
    env.update(
        XDRLAB_CONFIG_DIR=str(tmp_path / "config"),
        COLUMNS="200",
        PYTHONPATH=str(REPO),
    )
    return Cli(tmp_path / "config", live.state.settings.state_dir / "demo.json", env)


@pytest.fixture
def signed_in(cli: Cli) -> Cli:
    cli.run("login", "--demo", str(cli.demo_json))
    return cli


@dataclass
class TriageTenant:
    tenant_id: str
    client_id: str
    client_secret: str
    incident_ids: list[int]


@pytest.fixture(scope="module")
def triage(live: Live) -> TriageTenant:
    """A tenant of its own with 130 incidents, so updates do not disturb the demo tenant."""
    state = live.state
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)
    with state.sessions.begin() as session:
        domain = f"triage-{uuid.uuid4().hex[:6]}.onmicrosoft.com"
        tenant = tenants.create_tenant(session, state.clock, "Triage", domain)
        roles = {DEFENDER_XDR: ["Incident.ReadWrite.All"]}
        client_id, secret = daemon_app(session, state, tenant, "triage tool", roles)
        rows = []
        for number in range(TRIAGE_INCIDENTS):
            created = start + dt.timedelta(minutes=number)
            incident = Incident(
                tenant_id=tenant.id,
                display_name=f"Triage incident {number}",
                severity=("Low", "Medium", "High")[number % 3],
                status="Active" if number % 2 else "Resolved",
                created_at=created,
                last_update_at=created,
            )
            session.add(incident)
            rows.append(incident)
        session.flush()
        return TriageTenant(tenant.id, client_id, secret, [r.id for r in rows])


@pytest.fixture
def triage_cli(cli: Cli, live: Live, triage: TriageTenant) -> Cli:
    cli.run(
        "login",
        "--profile",
        "triage",
        "--tenant",
        triage.tenant_id,
        "--client-id",
        triage.client_id,
        "--authority",
        live.base_url,
        "--api-base",
        live.base_url,
        "--graph-base",
        live.base_url,
        "--ca-file",
        str(live.ca_file),
        "--client-secret-stdin",
        input=triage.client_secret + "\n",
    )
    return cli


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


# --- login and profiles ------------------------------------------------------------------------


def test_login_keeps_the_secret_out_of_the_profile_file(cli: Cli, live: Live) -> None:
    done = cli.run("login", "--demo", str(cli.demo_json))
    assert "Signed in" in done.stdout and live.tenant_id in done.stdout
    assert "AdvancedHunting.Read.All" in done.stdout

    profile_text = (cli.config_dir / "profiles.toml").read_text()
    assert live.demo.client_secret not in profile_text
    assert live.demo.client_id in profile_text
    # No OS keyring here: the secret sits in a file only its owner may read.
    assert live.demo.client_secret in cli.credentials_file().read_text()
    assert cli.credentials_file().stat().st_mode & 0o077 == 0
    assert (cli.config_dir / "profiles.toml").stat().st_mode & 0o077 == 0

    listed = json.loads(cli.run("profiles", "--json").stdout)
    assert [(p["name"], p["default"], p["context"]) for p in listed] == [
        ("default", True, "app-secret")
    ]
    assert live.demo.client_secret not in json.dumps(listed)


def test_login_stores_secrets_in_the_os_keyring_when_there_is_one(
    cli: Cli, live: Live, tmp_path: Path
) -> None:
    keyring_file = tmp_path / "keyring.json"
    cli.env.update(
        PYTHON_KEYRING_BACKEND="tests.cli.keyring_backend.FileKeyring",
        XDRLAB_TEST_KEYRING=str(keyring_file),
    )
    done = cli.run("login", "--demo", str(cli.demo_json))
    assert "OS keyring" in done.stdout
    assert not cli.credentials_file().exists()
    assert json.loads(keyring_file.read_text()) == {
        "xdrlab/default:client-secret": live.demo.client_secret
    }
    assert cli.run("hunt", "DeviceInfo | count", "--format", "json").returncode == 0

    cli.run("logout")
    assert json.loads(keyring_file.read_text()) == {}


def test_a_failed_login_keeps_the_working_profile(cli: Cli) -> None:
    cli.run("login", "--demo", str(cli.demo_json))
    document = json.loads(cli.demo_json.read_text())
    done = cli.run(
        "login",
        "--demo",
        str(cli.demo_json),
        "--client-id",
        document["client_id"],
        "--client-secret-stdin",
        input="not-the-secret\n",
        expect=1,
    )
    assert "AADSTS7000215" in done.stderr  # invalid client secret, production's code
    assert "Traceback" not in done.stderr
    assert document["client_secret"] in cli.credentials_file().read_text()
    assert cli.run("hunt", "DeviceInfo | count", "--format", "json").returncode == 0


def test_logout_forgets_the_profile_and_its_secret(signed_in: Cli, live: Live) -> None:
    signed_in.run("logout")
    assert live.demo.client_secret not in signed_in.credentials_file().read_text()
    done = signed_in.run("hunt", "DeviceInfo | count", expect=3)
    assert "xdrlab login" in done.stderr


def test_certificate_login(cli: Cli, live: Live) -> None:
    cli.run("login", "--demo", str(cli.demo_json), "--context", "app-certificate")
    claims = claims_of(cli.run("token").stdout.strip())
    assert claims["appid"] == live.demo.client_id and claims["appidacr"] == "2"
    assert not cli.credentials_file().exists()  # nothing secret to keep: the key stays a file


def test_password_login_acts_as_the_user(cli: Cli, live: Live) -> None:
    cli.run("login", "--demo", str(cli.demo_json), "--context", "password", "--surface", "graph")
    user = live.demo_json["users"][0]
    decoded = json.loads(cli.run("token", "--decode").stdout)
    assert decoded["claims"]["upn"] == user["upn"]
    assert decoded["claims"]["aud"] == "https://graph.microsoft.com"
    assert "scp" in decoded["claims"] and "roles" not in decoded["claims"]
    assert decoded["header"]["alg"] == "RS256"


def test_partner_login_gets_tokens_for_the_customer_tenant(cli: Cli, live: Live) -> None:
    partner = live.demo_json["partner"]
    customer = next(t for t, ok in partner["consented"].items() if ok)
    cli.run("login", "--demo", str(cli.demo_json), "--partner")  # the consented customer
    refused = next(t for t, ok in partner["consented"].items() if not ok)
    claims = claims_of(cli.run("token").stdout.strip())
    assert claims["tid"] == customer and claims["appid"] == partner["client_id"]
    result = json.loads(cli.run("hunt", "DeviceInfo | take 1", "--format", "json").stdout)
    assert len(result) == 1

    # A customer whose admin never consented: the sign-in fails with production's AADSTS code.
    done = cli.run(
        "login",
        "--demo",
        str(cli.demo_json),
        "--partner",
        "--customer-tenant",
        refused,
        "--profile",
        "other",
        expect=1,
    )
    assert "AADSTS7000229" in done.stderr or "AADSTS700016" in done.stderr, done.stderr


def test_device_code_login_completed_by_a_second_process(cli: Cli, live: Live) -> None:
    upn = live.demo_json["users"][0]["upn"]
    password = live.demo_json["users"][0]["password"]
    login = subprocess.Popen(
        [str(XDRLAB), "login", "--demo", str(cli.demo_json), "--context", "device-code"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
    )
    try:
        assert login.stderr is not None
        message = ""
        while "enter the code" not in message:
            line = login.stderr.readline()
            assert line, "the login command ended without showing a code"
            message += line
        found = re.search(r"open the page (\S+) and enter the code (\S+)", message)
        assert found, message
        approver = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.cli.device_approver",
                live.base_url,
                str(live.ca_file),
                found.group(1),
                found.group(2),
                upn,
                password,
            ],
            env=cli.env,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        assert approver.returncode == 0
        stdout, stderr = login.communicate(timeout=120)
    finally:
        if login.poll() is None:
            login.kill()
    assert login.returncode == 0, stderr
    assert "Signed in as" in stdout and upn in stdout

    # The next command runs on the kept refresh token: no second sign-in.
    done = cli.run("hunt", "DeviceInfo | count", "--format", "json")
    assert "enter the code" not in done.stderr
    assert json.loads(done.stdout)[0]["Count"] > 0
    assert claims_of(cli.run("token").stdout.strip())["upn"] == upn
    assert live.demo_json["users"][0]["password"] not in cli.credentials_file().read_text()


def test_browser_login_through_the_users_browser(cli: Cli, live: Live) -> None:
    user = next(u for u in live.demo_json["users"] if "Security Operator" in u["roles"])
    cli.env.update(
        BROWSER=f"{sys.executable} -m tests.cli.browser_signin %s",
        XDRLAB_TEST_BASE=live.base_url,
        XDRLAB_TEST_CA=str(live.ca_file),
        XDRLAB_TEST_UPN=user["upn"],
        XDRLAB_TEST_PASSWORD=user["password"],
    )
    done = cli.run("login", "--demo", str(cli.demo_json), "--context", "browser")
    assert user["upn"] in done.stdout and "Incident.ReadWrite" in done.stdout
    # Later commands renew silently: the browser is not opened again.
    cli.env["BROWSER"] = "false"
    listed = json.loads(cli.run("incidents", "list", "--limit", "2", "--json").stdout)
    assert len(listed) == 2
    assert claims_of(cli.run("token").stdout.strip())["upn"] == user["upn"]


# --- hunt --------------------------------------------------------------------------------------

TYPED_QUERY = (
    "DeviceProcessEvents | top 5 by Timestamp desc"
    " | project Timestamp, DeviceName, ProcessId, IsLocal = true, Extra = pack('n', 1)"
)


def test_hunt_prints_a_table_and_counts_what_the_lake_holds(signed_in: Cli, live: Live) -> None:
    done = signed_in.run("hunt", "DeviceProcessEvents | count")
    assert "Count" in done.stdout and "1 row" in done.stdout
    expected = lake_rows(live, live.tenant_id, "DeviceProcessEvents")
    assert f"{expected}" in done.stdout
    as_json = json.loads(signed_in.run("hunt", "DeviceProcessEvents | count", "-o", "json").stdout)
    assert as_json == [{"Count": expected}]


def test_hunt_formats(signed_in: Cli, tmp_path: Path) -> None:
    rows = json.loads(signed_in.run("hunt", TYPED_QUERY, "-o", "json").stdout)
    assert len(rows) == 5 and list(rows[0]) == [
        "Timestamp",
        "DeviceName",
        "ProcessId",
        "IsLocal",
        "Extra",
    ]
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", r["Timestamp"]) for r in rows
    )
    assert rows[0]["Extra"] == {"n": 1} and rows[0]["IsLocal"] is True
    assert [r["Timestamp"] for r in rows] == sorted((r["Timestamp"] for r in rows), reverse=True)

    lines = signed_in.run("hunt", TYPED_QUERY, "-o", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows

    table = list(csv.reader(io.StringIO(signed_in.run("hunt", TYPED_QUERY, "-o", "csv").stdout)))
    assert table[0] == ["Timestamp", "DeviceName", "ProcessId", "IsLocal", "Extra"]
    assert [r[1] for r in table[1:]] == [r["DeviceName"] for r in rows]
    assert table[1][3] == "true" and json.loads(table[1][4]) == {"n": 1}

    target = tmp_path / "rows.parquet"
    done = signed_in.run("hunt", TYPED_QUERY, "-o", "parquet", "--output", str(target))
    assert "5 rows written" in done.stderr
    parquet = pq.read_table(target)
    assert parquet.schema.field("Timestamp").type == pa.timestamp("us", tz="UTC")
    assert parquet.schema.field("ProcessId").type == pa.int64()
    assert parquet.schema.field("IsLocal").type == pa.bool_()
    assert parquet.column("DeviceName").to_pylist() == [r["DeviceName"] for r in rows]

    refused = signed_in.run("hunt", TYPED_QUERY, "-o", "parquet", expect=2)
    assert "--output" in refused.stderr


def test_hunt_reads_the_query_from_stdin_or_a_file(signed_in: Cli, tmp_path: Path) -> None:
    query = "DeviceInfo\n| summarize Devices = dcount(DeviceId)\n"
    from_stdin = signed_in.run("hunt", "-o", "json", input=query).stdout
    query_file = tmp_path / "devices.kql"
    query_file.write_text(query)
    from_file = signed_in.run("hunt", "--file", str(query_file), "-o", "json").stdout
    assert json.loads(from_stdin) == json.loads(from_file)
    assert json.loads(from_file)[0]["Devices"] > 0


def test_a_bad_query_exits_non_zero_with_the_diagnostic(signed_in: Cli) -> None:
    done = signed_in.run("hunt", "DeviceInfo\n| where NoSuchColumn == 1", expect=1)
    assert done.stdout == ""
    assert "Failed to resolve scalar expression named 'NoSuchColumn'" in done.stderr
    assert "line 2" in done.stderr and "Traceback" not in done.stderr


def test_explain_shows_the_sql_without_a_profile(cli: Cli) -> None:
    done = cli.run("hunt", "--explain", "DeviceInfo | where OSPlatform =~ 'Windows10' | count")
    assert 'FROM "DeviceInfo"' in done.stdout and "LOWER" in done.stdout.upper()
    assert "COUNT(*)" in done.stdout.upper()
    assert not (cli.config_dir / "profiles.toml").exists()

    spark = cli.run("hunt", "--explain", "--dialect", "spark", "DeviceInfo | take 3")
    assert "LIMIT 3" in spark.stdout and "`DeviceInfo`" in spark.stdout

    bad = cli.run("hunt", "--explain", "DeviceInfo | wher x", expect=1)
    assert "KQL_" in bad.stderr and "line 1" in bad.stderr


# --- incidents ---------------------------------------------------------------------------------


def test_incidents_list_pages_through_everything(
    triage_cli: Cli, triage: TriageTenant, live: Live
) -> None:
    listed = json.loads(triage_cli.run("incidents", "list", "--json").stdout)
    assert sorted(i["id"] for i in listed) == sorted(triage.incident_ids)
    created = [i["created"] for i in listed]
    assert created == sorted(created, reverse=True)

    active = json.loads(triage_cli.run("incidents", "list", "--status", "active", "--json").stdout)
    with live.state.sessions() as session:
        expected = set(
            session.scalars(
                select(Incident.id).where(
                    Incident.tenant_id == triage.tenant_id, Incident.status == "Active"
                )
            )
        )
    assert {i["id"] for i in active} == expected

    table = triage_cli.run("incidents", "list", "--limit", "3").stdout
    assert "3 incidents" in table and "Triage incident" in table

    refused = triage_cli.run("incidents", "list", "--severity", "high", expect=2)
    assert "cannot filter on 'severity'" in refused.stderr


def test_incidents_show_and_update(triage_cli: Cli, triage: TriageTenant, live: Live) -> None:
    incident_id = triage.incident_ids[7]
    shown = triage_cli.run("incidents", "show", str(incident_id)).stdout
    assert "Triage incident 7" in shown

    updated = json.loads(
        triage_cli.run(
            "incidents",
            "update",
            str(incident_id),
            "--status",
            "inProgress",
            "--assigned-to",
            "analyst@contoso.com",
            "--classification",
            "truePositive",
            "--determination",
            "malware",
            "--tag",
            "cli",
            "--comment",
            "taken from the CLI",
            "--json",
        ).stdout
    )
    assert updated["status"] == "inProgress" and updated["assigned_to"] == "analyst@contoso.com"
    with live.state.sessions() as session:
        row = session.get(Incident, incident_id)
        assert row is not None
        assert (row.status, row.assigned_to, row.classification, row.determination) == (
            "InProgress",
            "analyst@contoso.com",
            "TruePositive",
            "Malware",
        )
        comments = session.scalars(
            select(IncidentComment.comment).where(IncidentComment.incident_id == incident_id)
        ).all()
        assert "taken from the CLI" in comments

    missing = triage_cli.run("incidents", "show", "999999", expect=1)
    assert "404" in missing.stderr and "request id" in missing.stderr
    nothing = triage_cli.run("incidents", "update", str(incident_id), expect=2)
    assert "nothing to change" in nothing.stderr


# --- token and completion ---------------------------------------------------------------------


def test_token_prints_a_token_or_its_claims(signed_in: Cli, live: Live) -> None:
    token = signed_in.run("token").stdout.strip()
    assert token.count(".") == 2
    decoded = json.loads(signed_in.run("token", "--decode", "--resource", "graph").stdout)
    assert decoded["claims"]["aud"] == "https://graph.microsoft.com"
    assert decoded["claims"]["tid"] == live.tenant_id
    assert decoded["header"]["kid"]
    assert claims_of(token)["aud"] == "https://api.security.microsoft.com"


def test_shell_completion_installs_and_completes(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # Typer finds the shell from the process tree, which a test runner started without a shell
    # above it does not show; with detection off, `--install-completion` takes the shell's name
    cli.env.update(
        HOME=str(home), SHELL="/bin/bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1"
    )
    cli.run("--install-completion", "bash")
    script = home / ".bash_completions" / "xdrlab.sh"
    assert script.exists() and str(script) in (home / ".bashrc").read_text()
    completion = dict(
        cli.env, _XDRLAB_COMPLETE="complete_bash", COMP_WORDS="xdrlab inc", COMP_CWORD="1"
    )
    done = subprocess.run(
        [str(XDRLAB)], env=completion, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.split() == ["incidents"]


def test_the_peoples_commands_start_without_the_server(cli: Cli) -> None:
    """They only talk HTTPS: the entry point runs them without importing the server, the store
    or the demo generator, which is most of the whole command line's start-up time."""
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted({m.split('.')[1] for m in sys.modules"
        " if m.startswith('xdrlab.')}), file=sys.stderr))\n"
        "sys.argv = ['xdrlab', 'hunt', '--explain', 'DeviceInfo | take 1']\n"
        "from xdrlab.cli.entry import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=cli.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and 'FROM "DeviceInfo"' in done.stdout, done.stderr
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"')))
    assert loaded.isdisjoint({"server", "store", "identity", "api", "demo", "engine"}), loaded
    assert {"cli", "sdk", "kql"} <= loaded


def test_cli_reference_is_current() -> None:
    page = REPO / "docs" / "cli.md"
    assert page.read_text() == render_reference(), (
        "docs/cli.md is out of date: python -m xdrlab.cli.reference docs/cli.md"
    )
