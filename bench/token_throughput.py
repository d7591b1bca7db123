"""Token endpoint throughput versus the raw RS256 signing rate, measured in the same run.

Run from the project root with the project's virtualenv:

    python bench/token_throughput.py                 # HTTPS, defaults
    python bench/token_throughput.py --rounds 5 --duration 10 --no-tls
    python bench/token_throughput.py --workers 2 --processes 2

It measures:

1. in each of `--rounds` rounds, alternately: raw RS256 signatures/s with `cryptography` in one
   process (RSA 2048, PKCS#1 v1.5 + SHA-256 over a payload the size of a token's signing
   input), then client-credentials token requests/s over keep-alive connections against
   `xdrlab serve --demo` started in a temporary state folder (with latency percentiles and the
   server's CPU time). Medians over the rounds are reported, and the median of the rounds'
   ratios token/raw: alternating keeps both sides of each ratio under the same machine load;
2. once: raw signatures/s in `--processes` processes at once, and token requests/s with a new
   connection (a new TLS handshake) per request.

The ratio token/raw says how much of the signing budget the endpoint achieves; the server's CPU
time per token, next to the raw CPU per signature, says where the rest goes.

The load generator runs on the same machine and competes with the server for the cores, so it
should cost as little as possible: `wrk` (one thread, a Lua script for the POST body) is used
when it is on the PATH, else an httpx client in this process (about 1 ms of CPU per request:
it can take a whole core). Its CPU time is printed either way.
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
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
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


def sign_for(duration: float, max_count: int = 10_000_000) -> tuple[int, float, float]:
    """Sign for `duration` seconds on this process's core: (signatures made, seconds taken,
    CPU seconds used)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = _signing_input()
    pad, algorithm = padding.PKCS1v15(), hashes.SHA256()
    key.sign(data, pad, algorithm)  # warm-up: first call sets up the key's blinding state
    count = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    deadline = start + duration
    # Check the clock every 16 signatures: cheap next to ~1 ms per signature, still bounded.
    while count < max_count:
        for _ in range(16):
            key.sign(data, pad, algorithm)
        count += 16
        if time.perf_counter() >= deadline:
            break
    return count, time.perf_counter() - start, time.process_time() - cpu_start


def sign_rate(duration: float, processes: int) -> float:
    """Aggregate signatures/s over `processes` processes signing at once."""
    if processes == 1:
        count, elapsed, _ = sign_for(duration)
        return count / elapsed
    # spawn, not fork: a clean interpreter per worker, nothing inherited from this one.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        results = pool.map(sign_for, [duration] * processes)
    return sum(count / elapsed for count, elapsed, _ in results)


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


# --- the load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    ok: int = 0
    failures: int = 0
    failure_kinds: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    # wrk reports percentiles itself rather than every latency.
    reported_percentiles_ms: dict[float, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        if fraction in self.reported_percentiles_ms:
            return self.reported_percentiles_ms[fraction]
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def fail(self, kind: str, count: int = 1) -> None:
        if count <= 0:
            return
        self.failures += count
        self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + count


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


def check_target(target: Target) -> None:
    """One request by a real client: the endpoint must answer 200 with a token (wrk only
    counts statuses, so this is where the body is checked)."""
    response = httpx.post(target.url, data=target.form, verify=target.verify, timeout=30)
    if response.status_code != 200 or "access_token" not in response.json():
        raise RuntimeError(f"token endpoint answered {response.status_code}: {response.text}")


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


def run_httpx(
    target: Target, *, concurrency: int, duration: float, max_requests: int, keep_alive: bool
) -> tuple[LoadResult, float]:
    """(result, load generator CPU seconds) with the httpx client in this process."""
    before = own_cpu_seconds()
    result = asyncio.run(
        _load(
            target,
            concurrency=concurrency,
            duration=duration,
            max_requests=max_requests,
            keep_alive=keep_alive,
        )
    )
    return result, own_cpu_seconds() - before


# wrk's script: POST the form; at the end, one JSON line with the counts and percentiles.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("XDRLAB_BENCH_BODY")
if os.getenv("XDRLAB_BENCH_CLOSE") == "1" then
  wrk.headers["Connection"] = "close"
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(
    wrk: str,
    script: Path,
    target: Target,
    *,
    concurrency: int,
    duration: float,
    keep_alive: bool,
) -> tuple[LoadResult, float]:
    """(result, wrk's CPU seconds). One wrk thread: the load generator keeps to one core.
    wrk does not verify the server's certificate; `check_target` has done that with httpx."""
    environment = {
        **os.environ,
        "XDRLAB_BENCH_BODY": urllib.parse.urlencode(target.form),
        "XDRLAB_BENCH_CLOSE": "0" if keep_alive else "1",
    }
    seconds = max(1, round(duration))
    command = [
        wrk,
        "--threads",
        "1",
        "--connections",
        str(concurrency),
        "--duration",
        f"{seconds}s",
        "--timeout",
        f"{REQUEST_TIMEOUT_S:.0f}s",
        "--script",
        str(script),
        target.url,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=seconds + 60
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(
            f"wrk failed ({finished.returncode}):\n{finished.stdout}{finished.stderr}"
        )
    summary = json.loads(lines[-1])
    result = LoadResult(elapsed=summary["duration_us"] / 1e6)
    # `status` counts answers other than 2xx/3xx; the others are socket errors.
    result.ok = summary["requests"] - summary["status"]
    for kind in ("status", "connect", "read", "write", "timeout"):
        result.fail("non-2xx" if kind == "status" else kind, summary[kind])
    result.reported_percentiles_ms = {0.5: summary["p50_us"] / 1000, 0.99: summary["p99_us"] / 1000}
    return result, cpu


@dataclass
class LoadGenerator:
    """wrk when available (or asked for), else httpx."""

    wrk: str | None
    script: Path | None
    max_requests: int

    @property
    def name(self) -> str:
        return "wrk (1 thread)" if self.wrk else "httpx (this process)"

    def run(
        self, target: Target, *, concurrency: int, duration: float, keep_alive: bool
    ) -> tuple[LoadResult, float]:
        if self.wrk is not None and self.script is not None:
            return run_wrk(
                self.wrk,
                self.script,
                target,
                concurrency=concurrency,
                duration=duration,
                keep_alive=keep_alive,
            )
        return run_httpx(
            target,
            concurrency=concurrency,
            duration=duration,
            max_requests=self.max_requests,
            keep_alive=keep_alive,
        )


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of (raw signing, keep-alive token phase); medians reported (default 3)",
    )
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds per token phase (default 5)"
    )
    parser.add_argument(
        "--sign-duration", type=float, default=3.0, help="seconds per raw signing run (default 3)"
    )
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)"
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
        help="httpx only: cap on requests per phase, whatever the duration (default 200000)",
    )
    parser.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "httpx"),
        default="auto",
        help="auto: wrk when it is on the PATH, else httpx (default auto)",
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
    if args.duration <= 0 or args.sign_duration <= 0 or args.concurrency < 1 or args.rounds < 1:
        parser.error("durations must be > 0, concurrency and rounds >= 1")
    if args.load_generator == "wrk" and shutil.which("wrk") is None:
        parser.error("--load-generator wrk: no wrk on the PATH (Debian: apt-get install wrk)")
    return args


@dataclass
class Round:
    sign: float  # raw signatures/s, one process
    sign_cpu: float  # CPU seconds per raw signature
    tokens: LoadResult
    server_cpu: float
    main_thread_cpu: float
    threads_used: int
    load_cpu: float

    @property
    def ratio(self) -> float:
        return self.tokens.rate / self.sign


def token_round(
    server: RunningServer, target: Target, generator: LoadGenerator, args: argparse.Namespace
) -> tuple[LoadResult, float, float, int, float]:
    """One keep-alive phase: (result, server CPU s, event-loop thread CPU s, threads that used
    CPU, load generator CPU s)."""
    pid = server.process.pid
    threads_before = thread_cpu_seconds(pid)
    server_before = cpu_seconds(pid)
    result, load_cpu = generator.run(
        target, concurrency=args.concurrency, duration=args.duration, keep_alive=True
    )
    server_cpu = cpu_seconds(pid) - server_before
    threads_after = thread_cpu_seconds(pid)
    used = [t for t in threads_after if threads_after[t] - threads_before.get(t, 0.0) > 0]
    # Thread `pid` is the event loop (HTTP, TLS, routing); the others are mostly the
    # threadpool. With --workers the loops are in the worker processes and this is the parent.
    main_thread = threads_after.get(pid, 0.0) - threads_before.get(pid, 0.0)
    return result, server_cpu, main_thread, len(used), load_cpu


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    print(f"signing input: {len(_signing_input())} bytes", flush=True)
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="xdrlab-bench-") as tmp:
        wrk = shutil.which("wrk") if args.load_generator in ("auto", "wrk") else None
        script = None
        if wrk is not None:
            script = Path(tmp) / "token.lua"
            script.write_text(WRK_SCRIPT)
        generator = LoadGenerator(wrk, script, args.max_requests)
        print(f"load generator: {generator.name}", flush=True)
        state_dir = Path(tmp) / "state"
        state_dir.mkdir()
        server = start_server(
            state_dir,
            tls=args.tls,
            launcher=shlex.split(args.server_launcher),
            workers=args.workers,
        )
        rounds: list[Round] = []
        try:
            target = target_of(server.demo)
            print(f"server pid {server.process.pid} at {server.demo['authority']}", flush=True)
            check_target(target)
            # Warm-up: imports, first DB queries, the key loaded, caches and pools filled.
            warm, _ = generator.run(
                target, concurrency=args.concurrency, duration=args.warmup, keep_alive=True
            )
            if warm.ok == 0:
                raise RuntimeError(f"warm-up got no token: {warm.failure_kinds}")
            for number in range(1, args.rounds + 1):
                # The server idles while raw signing runs, so each ratio's two sides see the
                # same machine load.
                count, sign_elapsed, sign_cpu = sign_for(args.sign_duration)
                sign = count / sign_elapsed
                tokens, server_cpu, main_cpu, threads, load_cpu = token_round(
                    server, target, generator, args
                )
                rounds.append(
                    Round(sign, sign_cpu / count, tokens, server_cpu, main_cpu, threads, load_cpu)
                )
                print(
                    f"  round {number}: raw {sign:,.0f}/s, tokens {tokens.rate:,.0f}/s "
                    f"({100 * tokens.rate / sign:.1f} %), "
                    f"server {1000 * server_cpu / max(tokens.ok, 1):.2f} ms CPU/token",
                    flush=True,
                )
            fresh, _ = generator.run(
                target,
                concurrency=args.new_conn_concurrency,
                duration=args.duration,
                keep_alive=False,
            )
            if server.process.poll() is not None:
                raise RuntimeError(f"server died during the run:\n{_tail(server.log_path)}")
        finally:
            stop_server(server)
        # Last, with the server gone: the parallel signing rate.
        sign_n = sign_rate(args.sign_duration, args.processes)

    load_after = os.getloadavg()
    sign_1 = _median([r.sign for r in rounds])
    rate = _median([r.tokens.rate for r in rounds])
    ratio = _median([r.ratio for r in rounds])
    middle = sorted(rounds, key=lambda r: r.tokens.rate)[len(rounds) // 2]
    elapsed = middle.tokens.elapsed
    cpu_per_token = _median([r.server_cpu / max(r.tokens.ok, 1) for r in rounds])
    cpu_per_signature = _median([r.sign_cpu for r in rounds])
    scheme = "https" if args.tls else "http"
    ok = sum(r.tokens.ok for r in rounds)
    failed = sum(r.tokens.failures for r in rounds)
    rows = [
        ("raw RS256 sign, 1 process (median)", f"{sign_1:,.0f}/s"),
        (f"raw RS256 sign, {args.processes} processes", f"{sign_n:,.0f}/s"),
        (
            f"token endpoint ({scheme}, keep-alive, c={args.concurrency}, "
            f"{args.workers} worker{'s' if args.workers > 1 else ''}, median)",
            f"{rate:,.0f}/s  p50 {middle.tokens.percentile(0.5):.1f} ms  "
            f"p99 {middle.tokens.percentile(0.99):.1f} ms  ({ok} ok, {failed} failed, "
            f"{args.rounds} rounds)",
        ),
        (
            f"token endpoint ({scheme}, new connection per request, c={args.new_conn_concurrency})",
            f"{fresh.rate:,.0f}/s  p50 {fresh.percentile(0.5):.1f} ms  "
            f"p99 {fresh.percentile(0.99):.1f} ms  ({fresh.ok} ok, {fresh.failures} failed)",
        ),
        ("ratio token/raw (1 process, median of rounds)", f"{100 * ratio:.1f} %"),
        (f"ratio token/raw ({args.processes} processes)", f"{100 * rate / sign_n:.1f} %"),
        (
            "server CPU during keep-alive phase (median round)",
            f"{middle.server_cpu:.2f} s over {elapsed:.2f} s = "
            f"{100 * middle.server_cpu / elapsed:.0f} % of one core",
        ),
        (
            "  of which main thread of the server process",
            f"{middle.main_thread_cpu:.2f} s ({100 * middle.main_thread_cpu / elapsed:.0f} % "
            f"of one core); {middle.threads_used} threads used CPU",
        ),
        (
            f"load generator CPU ({generator.name})",
            f"{middle.load_cpu:.2f} s = {100 * middle.load_cpu / elapsed:.0f} % of one core",
        ),
        ("server CPU per token (median)", f"{1000 * cpu_per_token:.2f} ms"),
        ("raw CPU per signature (median)", f"{1000 * cpu_per_signature:.2f} ms"),
        (
            "CPU ratio: raw CPU per signature / server CPU per token",
            f"{100 * cpu_per_signature / cpu_per_token:.1f} %  (the ratio token/raw if the "
            "server had a core to itself)",
        ),
        (
            "load average (1, 5, 15 min) before / after",
            " ".join(f"{x:.2f}" for x in load_before)
            + " / "
            + " ".join(f"{x:.2f}" for x in load_after),
        ),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for name, result in [(f"round {i + 1}", r.tokens) for i, r in enumerate(rounds)] + [
        ("new connection", fresh)
    ]:
        if result.failures:
            print(f"failures ({name}): {result.failure_kinds}")
    return 1 if failed or fresh.failures else 0


if __name__ == "__main__":
    sys.exit(main())
