"""Token endpoint throughput versus the raw RS256 signing rate, measured in the same run.

Run from the project root with the project's virtualenv:

    python bench/token_throughput.py                 # HTTPS, defaults
    python bench/token_throughput.py --duration 10 --concurrency 16 --no-tls

It measures, in order:

1. raw RS256 signatures/s with `cryptography` (RSA 2048, PKCS#1 v1.5 + SHA-256 over a payload
   the size of a token's signing input), in 1 process and in 2 processes;
2. client-credentials token requests/s against `xdrlab serve --demo` started in a temporary
   state folder: over keep-alive connections (with latency percentiles and the server's CPU
   time), then with a new connection (a new TLS handshake) per request.

The ratio token/raw says how much of the signing budget the endpoint achieves; the server's CPU
time says whether it is bound by one core (one Python process, so one GIL).

The load generator runs on the same machine, so it competes with the server for the cores:
its own CPU time is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import resource
import shlex
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SCOPE = "https://api.security.microsoft.com/.default"
PAYLOAD_SIZE = 700
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 10.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- raw signing -------------------------------------------------------------------------------


def _signing_input(size: int = PAYLOAD_SIZE) -> bytes:
    """A JWT-shaped `header.claims` of about `size` bytes, so the hash part costs what it will."""

    def b64(data: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    header = b64({"typ": "JWT", "alg": "RS256", "kid": "k" * 27, "x5t": "x" * 27})
    claims: dict[str, Any] = {
        "aud": "https://api.security.microsoft.com",
        "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
        "iat": 1_700_000_000,
        "nbf": 1_700_000_000,
        "exp": 1_700_003_599,
        "appid": "11111111-1111-1111-1111-111111111111",
        "roles": ["Alert.Read.All", "Incident.Read.All"],
        "tid": "00000000-0000-0000-0000-000000000000",
        "pad": "",
    }
    # Grow the padding claim until the base64 form reaches the wanted size.
    while len(signing := header + b"." + b64(claims)) < size:
        claims["pad"] += "p"
    return signing


def sign_for(duration: float, max_count: int = 10_000_000) -> tuple[int, float]:
    """Sign for `duration` seconds on this process's core: (signatures made, seconds taken)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = _signing_input()
    pad, algorithm = padding.PKCS1v15(), hashes.SHA256()
    key.sign(data, pad, algorithm)  # warm-up: first call sets up the key's blinding state
    count = 0
    start = time.perf_counter()
    deadline = start + duration
    # Check the clock every 16 signatures: cheap next to ~1 ms per signature, still bounded.
    while count < max_count:
        for _ in range(16):
            key.sign(data, pad, algorithm)
        count += 16
        if time.perf_counter() >= deadline:
            break
    return count, time.perf_counter() - start


def sign_rate(duration: float, processes: int) -> float:
    """Aggregate signatures/s over `processes` processes signing at once."""
    if processes == 1:
        count, elapsed = sign_for(duration)
        return count / elapsed
    # spawn, not fork: a clean interpreter per worker, nothing inherited from this one.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        results = pool.map(sign_for, [duration] * processes)
    return sum(count / elapsed for count, elapsed in results)


# --- the server --------------------------------------------------------------------------------


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    demo: dict[str, Any]
    log_path: Path


def start_server(
    state_dir: Path, *, tls: bool, launcher: list[str], workers: int = 1
) -> RunningServer:
    """Start `xdrlab serve --demo` on a free port; return once demo.json is written."""
    log_path = state_dir / "server.log"
    command = [
        *launcher,
        "serve",
        "--demo",
        "--state",
        str(state_dir),
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--tls" if tls else "--no-tls",
        "--workers",
        str(workers),
        # Warnings only: logging each request would measure the logger, not the endpoint.
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = RunningServer(process, {}, log_path)
    demo_path = state_dir / "demo.json"
    deadline = time.monotonic() + READY_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before it was ready")
            if demo_path.exists():
                # demo.json is written atomically (tmp + rename), so a present file is whole.
                server.demo = json.loads(demo_path.read_text())
                return server
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {READY_TIMEOUT_S:.0f} s (no {demo_path})")
    except BaseException:
        stop_server(server)
        sys.stderr.write(f"--- server log ({log_path}) ---\n{_tail(log_path)}\n")
        raise


def stop_server(server: RunningServer) -> None:
    """Terminate the server; kill it if it has not gone within STOP_TIMEOUT_S."""
    if server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=STOP_TIMEOUT_S)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def cpu_seconds(pid: int) -> float:
    """utime + stime of process `pid` and its child processes (the workers, with --workers),
    all their threads, from /proc (no psutil needed)."""
    total = _stat_cpu(Path(f"/proc/{pid}/stat").read_text())
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_file.read_text()
        except OSError:  # the process ended while we looked
            continue
        # Fields after the command name: state, ppid, ...
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            total += _stat_cpu(stat)
    return total


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """utime + stime per thread of `pid`, keyed by thread id."""
    result: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            result[int(task.name)] = _stat_cpu((task / "stat").read_text())
        except (OSError, ValueError):
            continue  # the thread ended between listing and reading
    return result


def _stat_cpu(stat: str) -> float:
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLK_TCK


# --- the load ----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    ok: int = 0
    failures: int = 0
    failure_kinds: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def fail(self, kind: str) -> None:
        self.failures += 1
        self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + 1


@dataclass(frozen=True)
class Target:
    url: str
    form: dict[str, str]
    verify: ssl.SSLContext | bool


def target_of(demo: dict[str, Any]) -> Target:
    verify: ssl.SSLContext | bool = False
    if demo["authority"].startswith("https:"):
        # One context for the whole run: loading the CA per connection would be measured too.
        verify = ssl.create_default_context(cafile=demo["ca_file"])
    return Target(
        url=f"{demo['authority']}/{demo['tenant_id']}/oauth2/v2.0/token",
        form={
            "grant_type": "client_credentials",
            "client_id": demo["client_id"],
            "client_secret": demo["client_secret"],
            "scope": SCOPE,
        },
        verify=verify,
    )


async def _one(client: httpx.AsyncClient, target: Target, result: LoadResult) -> None:
    start = time.perf_counter()
    try:
        response = await client.post(target.url, data=target.form)
    except httpx.HTTPError as error:
        result.fail(type(error).__name__)
        return
    if response.status_code != 200:
        result.fail(f"HTTP {response.status_code}")
    elif "access_token" not in response.json():
        result.fail("200 without access_token")
    else:
        result.ok += 1
        result.latencies_ms.append((time.perf_counter() - start) * 1000)


async def _load(
    target: Target,
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    keep_alive: bool,
) -> LoadResult:
    """`concurrency` workers sending requests back to back until the time or count runs out."""
    result = LoadResult()
    limits = httpx.Limits(
        max_connections=concurrency,
        # 0 kept-alive connections: httpx closes each after its response, so every request
        # opens a new TCP connection and TLS handshake.
        max_keepalive_connections=concurrency if keep_alive else 0,
    )
    headers = {} if keep_alive else {"Connection": "close"}
    async with httpx.AsyncClient(
        verify=target.verify,
        limits=limits,
        headers=headers,
        timeout=REQUEST_TIMEOUT_S,
    ) as client:
        sent = 0
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            nonlocal sent
            while sent < max_requests and time.perf_counter() < deadline:
                sent += 1
                await _one(client, target, result)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - start
    return result


def run_load(
    target: Target,
    *,
    concurrency: int,
    duration: float,
    max_requests: int,
    keep_alive: bool,
) -> LoadResult:
    return asyncio.run(
        _load(
            target,
            concurrency=concurrency,
            duration=duration,
            max_requests=max_requests,
            keep_alive=keep_alive,
        )
    )


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds per token phase (default 5)"
    )
    parser.add_argument(
        "--sign-duration", type=float, default=3.0, help="seconds per raw signing run (default 3)"
    )
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of unmeasured load first (default 1)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="keep-alive clients in flight (default 8)"
    )
    parser.add_argument(
        "--new-conn-concurrency",
        type=int,
        default=4,
        help="clients in flight with a new connection per request (default 4)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="cap on requests per phase, whatever the duration (default 200000)",
    )
    parser.add_argument(
        "--tls", action=argparse.BooleanOptionalAction, default=True, help="HTTPS (default)"
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="processes for the parallel signing run"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server worker processes (xdrlab serve --workers)"
    )
    parser.add_argument(
        "--server-launcher",
        default=f"{sys.executable} -m xdrlab",
        help="command that takes `serve ...` (default: this Python's `-m xdrlab`); "
        "to compare a patched server, e.g. 'python my_patched_cli.py'",
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.sign_duration <= 0 or args.concurrency < 1:
        parser.error("durations must be > 0 and concurrency >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    print(f"signing input: {len(_signing_input())} bytes", flush=True)

    # Raw signing first, while nothing else runs, so the server does not disturb it.
    sign_1 = sign_rate(args.sign_duration, 1)
    print(f"  raw 1 process done: {sign_1:,.0f}/s", flush=True)
    sign_n = sign_rate(args.sign_duration, args.processes)
    print(f"  raw {args.processes} processes done: {sign_n:,.0f}/s", flush=True)

    with tempfile.TemporaryDirectory(prefix="xdrlab-bench-") as tmp:
        server = start_server(
            Path(tmp),
            tls=args.tls,
            launcher=shlex.split(args.server_launcher),
            workers=args.workers,
        )
        try:
            pid = server.process.pid
            target = target_of(server.demo)
            print(f"server pid {pid} at {server.demo['authority']}", flush=True)
            # Warm-up: imports, first DB queries, the key loaded, connection pools filled.
            warm = run_load(
                target,
                concurrency=args.concurrency,
                duration=args.warmup,
                max_requests=args.max_requests,
                keep_alive=True,
            )
            if warm.ok == 0:
                raise RuntimeError(f"warm-up got no token: {warm.failure_kinds}")

            threads_before = thread_cpu_seconds(pid)
            server_cpu_before, own_cpu_before = cpu_seconds(pid), own_cpu_seconds()
            keep = run_load(
                target,
                concurrency=args.concurrency,
                duration=args.duration,
                max_requests=args.max_requests,
                keep_alive=True,
            )
            server_cpu = cpu_seconds(pid) - server_cpu_before
            own_cpu = own_cpu_seconds() - own_cpu_before
            threads_after = thread_cpu_seconds(pid)

            fresh = run_load(
                target,
                concurrency=args.new_conn_concurrency,
                duration=args.duration,
                max_requests=args.max_requests,
                keep_alive=False,
            )
            if server.process.poll() is not None:
                raise RuntimeError(f"server died during the run:\n{_tail(server.log_path)}")
        finally:
            stop_server(server)

    # Thread pid is the event loop (HTTP, TLS, routing); others are mostly the threadpool.
    per_thread = sorted(
        (
            (threads_after[tid] - threads_before.get(tid, 0.0), tid)
            for tid in threads_after
            if threads_after[tid] - threads_before.get(tid, 0.0) > 0
        ),
        reverse=True,
    )
    main_thread = threads_after.get(pid, 0.0) - threads_before.get(pid, 0.0)

    scheme = "https" if args.tls else "http"
    rows = [
        ("raw RS256 sign, 1 process", f"{sign_1:,.0f}/s"),
        (f"raw RS256 sign, {args.processes} processes", f"{sign_n:,.0f}/s"),
        (
            f"token endpoint ({scheme}, keep-alive, c={args.concurrency})",
            f"{keep.rate:,.0f}/s  p50 {keep.percentile(0.5):.1f} ms  "
            f"p99 {keep.percentile(0.99):.1f} ms  ({keep.ok} ok, {keep.failures} failed)",
        ),
        (
            f"token endpoint ({scheme}, new connection per request, c={args.new_conn_concurrency})",
            f"{fresh.rate:,.0f}/s  p50 {fresh.percentile(0.5):.1f} ms  "
            f"p99 {fresh.percentile(0.99):.1f} ms  ({fresh.ok} ok, {fresh.failures} failed)",
        ),
        ("ratio token/raw (1 process)", f"{100 * keep.rate / sign_1:.1f} %"),
        (f"ratio token/raw ({args.processes} processes)", f"{100 * keep.rate / sign_n:.1f} %"),
        (
            "server CPU during keep-alive phase",
            f"{server_cpu:.2f} s over {keep.elapsed:.2f} s = "
            f"{100 * server_cpu / keep.elapsed:.0f} % of one core",
        ),
        (
            "  of which event-loop thread",
            f"{main_thread:.2f} s ({100 * main_thread / keep.elapsed:.0f} % of one core); "
            f"{len(per_thread)} threads used CPU",
        ),
        (
            "load generator CPU (same phase)",
            f"{own_cpu:.2f} s = {100 * own_cpu / keep.elapsed:.0f} % of one core",
        ),
        ("server CPU per token", f"{1000 * server_cpu / max(keep.ok, 1):.2f} ms"),
        ("raw CPU per signature", f"{1000 / sign_1:.2f} ms"),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for name, result in (("keep-alive", keep), ("new connection", fresh)):
        if result.failures:
            print(f"failures ({name}): {result.failure_kinds}")
    return 1 if keep.failures or fresh.failures else 0


if __name__ == "__main__":
    sys.exit(main())
