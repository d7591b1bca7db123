"""A real `xdrlab serve --demo --hostnames` in its own process, and a way to run programs
through a real `xdrlab run`, recording what each program looked up and connected to (an audit
hook loaded through PYTHONPATH) and what xdrlab logged for it (the server's request log)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
SAMPLES = HERE / "samples"
AUDIT_PATH = HERE / "audit"
SYSTEM_HOSTS = Path("/etc/hosts")


def hosts_fingerprint() -> tuple[str, list[str]]:
    """The machine's hosts file (its bytes' hash) and how it is mounted in this process."""
    digest = hashlib.sha256(SYSTEM_HOSTS.read_bytes()).hexdigest()
    mounts = [
        line
        for line in Path("/proc/self/mountinfo").read_text().splitlines()
        if " /etc/hosts " in line
    ]
    return digest, mounts


def free_loopback_address() -> str:
    """A 127.0.0.x whose port 443 is free now: tests of other suites running at the same time
    use 127.0.0.1:443 and other addresses, so each server takes its own."""
    candidates = list(range(100, 250))
    random.shuffle(candidates)
    for last in candidates:
        address = f"127.0.0.{last}"
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.bind((address, 443))
        except OSError:
            continue
        finally:
            probe.close()
        return address
    raise RuntimeError("no loopback address with a free port 443")


# Runs "$@" as nobody. First, in a mount namespace of the test's own, a directory only root may
# enter that lies on the way to this Python (pyenv under /root, say) is covered by an empty
# tmpfs holding just the one entry the interpreter needs, so nobody can start it.
AS_NOBODY = """set -e
if [ -n "$1" ]; then
    mount --bind "$2" "$3"
    mount -t tmpfs -o mode=755 xdrlab-test "$1"
    mkdir -p "$2"
    mount --bind "$3" "$2"
fi
shift 3
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
"""


def as_nobody(stash: Path) -> list[str]:
    """A command prefix running the rest as the unprivileged user `nobody`."""
    closed, entry = "", ""
    parts = Path(os.path.realpath(sys.executable)).parts
    for depth in range(1, len(parts) - 1):
        directory = Path(*parts[: depth + 1])
        if not directory.stat().st_mode & 0o001:
            closed, entry = str(directory), str(Path(*parts[: depth + 2]))
            break
    stash.mkdir(exist_ok=True)
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        AS_NOBODY,
        "sh",
        closed,
        entry,
        str(stash),
    ]


@dataclass
class Ran:
    """What one `xdrlab run` did."""

    returncode: int
    stdout: str
    stderr: str
    audit: list[dict[str, Any]]
    requests: list[dict[str, Any]]

    def output(self) -> Any:
        assert self.returncode == 0, self.stderr
        return json.loads(self.stdout.strip().splitlines()[-1])

    def calls(self) -> list[tuple[str, str, str, int]]:
        return [(r["method"], r["host"], r["path"], r["status"]) for r in self.requests]

    def table(self) -> str:
        """The calls as xdrlab logged them, as a Markdown table (the issue's figures)."""
        rows = [
            "| method | host | path | status | notable headers |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in self.requests:
            headers = ", ".join(f"{k}: {v}" for k, v in r["headers"].items())
            path = r["path"] + ("?" + "&".join(r["query"]) if r["query"] else "")
            rows.append(f"| {r['method']} | {r['host']} | {path} | {r['status']} | {headers} |")
        return "\n".join(rows)


@dataclass
class HostnamesServer:
    address: str
    state_dir: Path
    demo: dict[str, Any]
    process: subprocess.Popen[bytes]
    log_file: Path
    home: Path
    _log_offset: int = field(default=0)

    @property
    def tenant_id(self) -> str:
        return str(self.demo["tenant_id"])

    @property
    def local_base(self) -> str:
        return str(self.demo["authority"])

    def logged_lines(self) -> list[str]:
        return self.log_file.read_text(errors="replace").splitlines()

    def _new_requests(self) -> list[dict[str, Any]]:
        """Request-log lines written since the last call, once the log has settled (a line is
        written when its response is complete, which the client may see first)."""
        size, deadline = -1, time.monotonic() + 5
        while time.monotonic() < deadline:
            current = self.log_file.stat().st_size
            if current == size:
                break
            size = current
            time.sleep(0.3)
        with self.log_file.open("rb") as handle:
            handle.seek(self._log_offset)
            chunk = handle.read()
        self._log_offset += len(chunk)
        entries = []
        for line in chunk.decode(errors="replace").splitlines():
            if line.startswith("{"):
                entries.append(json.loads(line))
        return entries

    def run(
        self,
        command: Sequence[str],
        env: dict[str, str] | None = None,
        *,
        audit: bool = True,
        prefix: Sequence[str] = (),
        state_dir: Path | None = None,
    ) -> Ran:
        """`xdrlab run --state STATE -- COMMAND` with a clean environment: PATH, HOME, LANG and
        `env` only (none of the CA variables the rest of the suite sets)."""
        self._new_requests()
        audit_file = Path(tempfile.mkstemp(prefix="audit-", dir=self.home)[1])
        os.chmod(audit_file, 0o666)  # noqa: S103 - written by a program run as nobody
        run_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            **(env or {}),
        }
        if audit:
            run_env["PYTHONPATH"] = str(AUDIT_PATH)
            run_env["XDRLAB_TEST_AUDIT"] = str(audit_file)
        done = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-m",
                "xdrlab",
                "run",
                "--state",
                str(state_dir or self.state_dir),
                "--",
                *command,
            ],
            capture_output=True,
            text=True,
            env=run_env,
            timeout=300,
            check=False,
        )
        records = [json.loads(line) for line in audit_file.read_text().splitlines() if line]
        audit_file.unlink()
        return Ran(done.returncode, done.stdout, done.stderr, records, self._new_requests())

    def python(self, script: str, *args: str, env: dict[str, str] | None = None) -> Ran:
        return self.run([sys.executable, str(SAMPLES / script), *args], env)


def start_server(root: Path, *extra: str) -> HostnamesServer:
    """`xdrlab serve --demo --hostnames` on a free loopback address, with the request log on."""
    address = free_loopback_address()
    state_dir = root / "state"
    home = root / "home"
    home.mkdir(mode=0o777)
    os.chmod(home, 0o777)  # noqa: S103 - a home for programs run as nobody
    log_file = root / "server.log"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xdrlab",
                "serve",
                "--demo",
                "--events",
                "2000",
                "--state",
                str(state_dir),
                "--port",
                "0",
                "--hostnames",
                "--hostnames-address",
                address,
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "200", "XDRLAB_REQUEST_LOG": "1"},
        )
    demo_file = state_dir / "demo.json"
    deadline = time.monotonic() + 180
    while True:
        assert process.poll() is None, log_file.read_text()
        assert time.monotonic() < deadline, log_file.read_text()
        if demo_file.exists() and (state_dir / "hostnames" / "listener.json").exists():
            try:
                socket.create_connection((address, 443), timeout=1).close()
                break
            except OSError:
                pass
        time.sleep(0.2)
    server = HostnamesServer(
        address, state_dir, json.loads(demo_file.read_text()), process, log_file, home
    )
    server._new_requests()  # skip what the start logged
    return server


def stop_server(server: HostnamesServer) -> str:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    return server.log_file.read_text(errors="replace")


@pytest.fixture(scope="session")
def hosts_before() -> tuple[str, list[str]]:
    return hosts_fingerprint()


@pytest.fixture(scope="session")
def hostnames_server(hosts_before: tuple[str, list[str]]) -> Iterator[HostnamesServer]:
    # A folder others can enter: one test runs `xdrlab run` as an unprivileged user.
    root = Path(tempfile.mkdtemp(prefix="xdrlab-hostnames-"))
    os.chmod(root, 0o755)  # noqa: S103
    server = start_server(root)
    try:
        yield server
    finally:
        output = stop_server(server)
        shutil.rmtree(root, ignore_errors=True)
    assert "Traceback" not in output, output
    assert hosts_fingerprint() == hosts_before
