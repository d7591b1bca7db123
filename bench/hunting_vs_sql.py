"""Advanced hunting through xdrlab versus the same queries written by hand in DuckDB SQL.

Run from the project root with the project's virtualenv:

    python bench/hunting_vs_sql.py                          # 10 million DeviceProcessEvents
    python bench/hunting_vs_sql.py --events 200000 --repeat 3
    python bench/hunting_vs_sql.py --explain recon_tools_has_any

The data is the demo tenant's lake, generated once into `--state` (a marker makes later runs
with the same size reuse it). Queries run as of `--hours-after` (default 1) hours after the moment
the data was generated, so every run over the same lake sees the same window, however long ago it
was made. Not 0: the generator starts its data exactly 30 days before that moment, so with 0 the
30-day window would start just before the oldest row and DuckDB, which knows every file's
Timestamp range when the view reads them with `union_by_name`, would drop the window's lower bound
on the xdrlab side only: a served lake, read later than it was written, has no such luck.

For each of 8 typical hunting queries over DeviceProcessEvents it measures, in the same run:

- xdrlab: `compile_query` + `EmbeddedEngine.execute`, in process: a fresh sandboxed DuckDB
  connection, the tenant's views over the query window, the query, the Arrow fetch. That is
  everything the API does for a query except the HTTP layer and JSON (timed separately);
- SQL: the same question written by hand for DuckDB over the same Parquet files with the same
  time bounds, on one plain connection with the same thread count, fetched into Arrow the
  same way;
- compile: `compile_query` alone (median of `--compiles` runs), and rendering its tree to SQL
  text.

Both sides are run once unmeasured first (and must return the same rows, or the run stops:
timing different answers means nothing), then alternately `--repeat` times; medians are
reported. Targets: median ratio xdrlab/SQL <= 1.2, every compile < 5 ms. The exit status is 0
whether or not a target is met (this is a measurement); 2 when the two sides disagree.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import sqlglot

from xdrlab.demo.data import seed_demo_data
from xdrlab.demo.seed import seed_demo
from xdrlab.engine import EmbeddedEngine, HuntingWindow
from xdrlab.engine.deadline import Deadline
from xdrlab.engine.sandbox import EngineSettings, TableBinding, sandbox, settle
from xdrlab.kql import CompiledQuery, compile_query
from xdrlab.lake.schema import hunting_tables
from xdrlab.lake.store import Lake
from xdrlab.server.state import open_state
from xdrlab.settings import Settings

TABLE = "DeviceProcessEvents"
RATIO_TARGET = 1.2
COMPILE_TARGET_MS = 5.0
BATCH_ROWS = 100_000  # what the engine asks DuckDB for per Arrow batch
DKQL_SECONDS = 120.0  # duckdb-kql's limit per run


# --- the queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    kql: str
    # Hand-written DuckDB SQL; {source} is read_parquet over the window's files, {end} the end
    # of the window, {since_7d}/{since_30d} the instants ago(7d)/ago(30d) stand for.
    sql: str


QUERIES: tuple[Query, ...] = (
    Query(
        "encoded_powershell",
        """DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName =~ "powershell.exe" and ProcessCommandLine has "-EncodedCommand"
| project Timestamp, DeviceName, AccountName, ProcessCommandLine""",
        # `has`: the needle ends with a letter, so it must be followed by a non-alphanumeric.
        r"""SELECT Timestamp, DeviceName, AccountName, ProcessCommandLine
FROM {source}
WHERE Timestamp > {since_7d} AND Timestamp < {end}
  AND lower(FileName) = 'powershell.exe'
  AND regexp_matches(ProcessCommandLine, '(?i)-encodedcommand(?:$|[^\pL\pN])')""",
    ),
    Query(
        "top_devices",
        """DeviceProcessEvents
| where Timestamp > ago(7d)
| summarize ProcessCount = count() by DeviceName
| top 10 by ProcessCount desc, DeviceName asc""",
        """SELECT DeviceName, count(*) AS ProcessCount
FROM {source}
WHERE Timestamp > {since_7d} AND Timestamp < {end}
GROUP BY DeviceName
ORDER BY ProcessCount DESC, DeviceName
LIMIT 10""",
    ),
    Query(
        "powershell_devices_join",
        """DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName =~ "powershell.exe"
| summarize PowerShell = count() by DeviceId
| join kind=inner (
    DeviceProcessEvents
    | where Timestamp > ago(7d)
    | summarize Processes = count() by DeviceId
) on DeviceId
| project DeviceId, PowerShell, Processes""",
        """WITH ps AS (
  SELECT DeviceId, count(*) AS PowerShell FROM {source}
  WHERE Timestamp > {since_7d} AND Timestamp < {end} AND lower(FileName) = 'powershell.exe'
  GROUP BY DeviceId),
all_processes AS (
  SELECT DeviceId, count(*) AS Processes FROM {source}
  WHERE Timestamp > {since_7d} AND Timestamp < {end}
  GROUP BY DeviceId)
SELECT ps.DeviceId, ps.PowerShell, all_processes.Processes
FROM ps JOIN all_processes ON ps.DeviceId = all_processes.DeviceId""",
    ),
    Query(
        "drive_parse",
        """DeviceProcessEvents
| where Timestamp > ago(30d)
| parse FolderPath with Drive ":\\\\" *
| summarize Executions = count() by Drive""",
        # parse: the text before the first ':\' (the whole value must match, else '').
        r"""SELECT CASE WHEN strpos(FolderPath, ':\') > 0
    THEN substr(FolderPath, 1, strpos(FolderPath, ':\') - 1) ELSE '' END AS Drive,
  count(*) AS Executions
FROM {source}
WHERE Timestamp > {since_30d} AND Timestamp < {end}
GROUP BY 1""",
    ),
    Query(
        "last_process_per_device",
        """DeviceProcessEvents
| where Timestamp > ago(30d)
| summarize arg_max(Timestamp, FileName, ProcessCommandLine, AccountName) by DeviceId""",
        """SELECT DeviceId, max(Timestamp) AS Timestamp,
  arg_max(FileName, Timestamp) AS FileName,
  arg_max(ProcessCommandLine, Timestamp) AS ProcessCommandLine,
  arg_max(AccountName, Timestamp) AS AccountName
FROM {source}
WHERE Timestamp > {since_30d} AND Timestamp < {end}
GROUP BY DeviceId""",
    ),
    Query(
        "recon_tools_has_any",
        """let ReconTools = dynamic(["whoami", "nltest", "ipconfig", "systeminfo", "tasklist", "net"]);
DeviceProcessEvents
| where Timestamp > ago(30d)
| where ProcessCommandLine has_any (ReconTools)
| summarize Executions = count() by FileName, AccountName""",
        # Whole terms: bounded by non-alphanumerics (letters and digits of any script) or ends.
        r"""SELECT FileName, AccountName, count(*) AS Executions
FROM {source}
WHERE Timestamp > {since_30d} AND Timestamp < {end}
  AND regexp_matches(ProcessCommandLine,
    '(?i)(?:^|[^\pL\pN])(?:whoami|nltest|ipconfig|systeminfo|tasklist|net)(?:$|[^\pL\pN])')
GROUP BY FileName, AccountName""",
    ),
    Query(
        "office_spawns_shell",
        """DeviceProcessEvents
| where Timestamp > ago(30d)
| where InitiatingProcessFileName in~ ("winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe")
| where FileName in~ ("cmd.exe", "powershell.exe", "pwsh.exe", "wscript.exe", "cscript.exe",
    "mshta.exe", "rundll32.exe", "regsvr32.exe")
| summarize Shells = make_set(FileName), CommandLines = make_set(ProcessCommandLine),
    Count = count() by DeviceName, InitiatingProcessFileName""",
        """SELECT DeviceName, InitiatingProcessFileName,
  list(DISTINCT FileName) AS Shells,
  list(DISTINCT ProcessCommandLine) AS CommandLines,
  count(*) AS Count
FROM {source}
WHERE Timestamp > {since_30d} AND Timestamp < {end}
  AND lower(InitiatingProcessFileName) IN ('winword.exe', 'excel.exe', 'powerpnt.exe', 'outlook.exe')
  AND lower(FileName) IN ('cmd.exe', 'powershell.exe', 'pwsh.exe', 'wscript.exe', 'cscript.exe',
    'mshta.exe', 'rundll32.exe', 'regsvr32.exe')
GROUP BY DeviceName, InitiatingProcessFileName""",
    ),
    Query(
        "path_parts_mv_expand",
        """DeviceProcessEvents
| where Timestamp > ago(1d)
| extend Parts = split(FolderPath, "\\\\")
| mv-expand Part = Parts to typeof(string)
| summarize Occurrences = count() by Part""",
        r"""SELECT Part, count(*) AS Occurrences
FROM (
  SELECT unnest(string_split(FolderPath, '\')) AS Part
  FROM {source}
  WHERE Timestamp > {since_1d} AND Timestamp < {end})
GROUP BY Part""",
    ),
)


# --- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    lake: Lake
    tenant_id: str
    generated_at: datetime
    now: datetime  # what ago() and the window are relative to
    window: HuntingWindow
    files: list[Path]
    generated: bool
    generation_seconds: float
    table_rows: int  # DeviceProcessEvents rows in the whole lake (generator's count)
    lake_bytes: int


def prepare(state_dir: Path, events: int, seed: int, hours_after: float) -> Dataset:
    state = open_state(Settings(state_dir=state_dir))
    tenant_id = seed_demo(state).tenant_id
    started = time.perf_counter()
    data = seed_demo_data(state, tenant_id, seed=seed, events=events)
    elapsed = time.perf_counter() - started
    generated_at = datetime.fromisoformat(data.generated_at.removesuffix("Z"))
    now = generated_at + timedelta(hours=hours_after)
    window = HuntingWindow.default(now)
    files = state.lake.files(tenant_id, hunting_tables()[TABLE], window.start, window.end)
    if not files:
        raise SystemExit(f"no {TABLE} files in the lake under {state_dir}")
    size = sum(p.stat().st_size for p in files)
    return Dataset(
        state.lake,
        tenant_id,
        generated_at,
        now,
        window,
        files,
        data.generated,
        elapsed,
        int(data.row_counts.get(TABLE, 0)),
        size,
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMP {_literal(moment.isoformat(sep=' '))}"


def hand_sql(query: Query, data: Dataset) -> str:
    files = ", ".join(_literal(str(p)) for p in data.files)
    return query.sql.format(
        source=f"read_parquet([{files}])",
        end=_timestamp(data.window.end),
        since_1d=_timestamp(data.now - timedelta(days=1)),
        since_7d=_timestamp(data.now - timedelta(days=7)),
        since_30d=_timestamp(data.now - timedelta(days=30)),
    )


# --- the two sides -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds, and CPU seconds of this process (every thread, DuckDB's included):
    CPU time barely moves when other work on the machine competes for the cores."""

    wall: float
    cpu: float


class Stopwatch:
    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def stop(self) -> Timing:
        return Timing(time.perf_counter() - self.wall, time.process_time() - self.cpu)


@dataclass
class XdrlabRun:
    table: pa.Table
    timing: Timing
    json_seconds: float


class XdrlabSide:
    """What the hunting API does for one query, minus HTTP: compile, then execute."""

    def __init__(self, data: Dataset, settings: EngineSettings) -> None:
        self.data = data
        self.tables = hunting_tables()
        self.lake = data.lake
        self.settings = settings

    def compile(self, query: Query) -> CompiledQuery:
        return compile_query(query.kql, self.tables, now=self.data.now)

    def run(self, query: Query) -> XdrlabRun:
        watch = Stopwatch()
        compiled = compile_query(query.kql, self.tables, now=self.data.now)
        engine = EmbeddedEngine(self.lake, self.settings, self.tables)
        result = engine.execute(compiled, self.data.tenant_id, self.data.window)
        timing = watch.stop()
        # The engine closes the query's database and prepares the next one in the background:
        # off the query's path, so not in its wall time, but its CPU time is the query's, and
        # it must not run while the other side is being timed.
        background = Stopwatch()
        settle()
        timing = Timing(timing.wall, timing.cpu + background.stop().cpu)
        # What the API adds on top (the Defender surface's body; HTTP itself is not counted).
        started = time.perf_counter()
        orjson.dumps({"Schema": result.schema_json(), "Results": result.json_rows()})
        json_seconds = time.perf_counter() - started
        if result.stats.truncated:
            raise SystemExit(f"{query.name}: the result was truncated; pick a narrower query")
        return XdrlabRun(result.rows, timing, json_seconds)

    def explain(self, query: Query) -> str:
        """EXPLAIN ANALYZE of the compiled SQL in a sandbox bound like the engine binds it."""
        compiled = self.compile(query)
        sql = compiled.tree.sql(dialect="duckdb")
        window = self.data.window
        bindings = [
            TableBinding(
                table,
                self.lake.files(self.data.tenant_id, table, window.start, window.end),
                window.start,
                window.end,
            )
            for table in (self.tables[name] for name in sorted(compiled.tables))
        ]
        with sandbox(bindings, self.settings) as connection:
            return _explain(connection, sql)


class SqlSide:
    """The hand-written SQL on one plain DuckDB connection."""

    def __init__(self, threads: int) -> None:
        self.connection = duckdb.connect(":memory:", config={"threads": threads})
        self.connection.execute("SET TimeZone = 'UTC'")

    def run(self, sql: str) -> tuple[pa.Table, Timing]:
        watch = Stopwatch()
        reader = self.connection.sql(sql).to_arrow_reader(BATCH_ROWS)
        table = reader.read_all()
        return table, watch.stop()

    def explain(self, sql: str) -> str:
        return _explain(self.connection, sql)


class DuckdbKqlSide:
    """The same KQL on the `duckdb-kql` package (installed only for this comparison): a plain
    DuckDB connection with DeviceProcessEvents as a view over the same files and window."""

    def __init__(self, data: Dataset, threads: int) -> None:
        import duckdb_kql  # optional: only when the comparison is asked for

        self.module = duckdb_kql
        self.now = data.now
        self.connection = duckdb.connect(":memory:", config={"threads": threads})
        self.connection.execute("SET TimeZone = 'UTC'")
        files = ", ".join(_literal(str(p)) for p in data.files)
        self.connection.execute(
            f"CREATE VIEW {TABLE} AS SELECT * FROM read_parquet([{files}]) "  # noqa: S608
            f"WHERE Timestamp >= {_timestamp(data.window.start)} "
            f"AND Timestamp < {_timestamp(data.window.end)}"
        )

    def run(self, query: Query) -> tuple[pa.Table, Timing]:
        watch = Stopwatch()
        with Deadline(DKQL_SECONDS) as deadline:  # a slow plan is reported, not waited out
            deadline.watch(self.connection)
            relation = self.module.kql(self.connection, query.kql, query_now=self.now)
            table = relation.to_arrow_reader(BATCH_ROWS).read_all()
        return table, watch.stop()


def _explain(connection: duckdb.DuckDBPyConnection, sql: str) -> str:
    rows = connection.execute(f"EXPLAIN ANALYZE {sql}").fetchall()
    return "\n".join(str(row[-1]) for row in rows)


# --- comparing results -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value both sides can agree on: sets (make_set, JSON or list) as sorted tuples."""
    if isinstance(value, str) and value[:1] == "[":
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return tuple(sorted((_plain(v) for v in value), key=repr))
    return value


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [tuple(_plain(v) for v in row) for row in zip(*columns, strict=True)]
    return sorted(rows, key=repr)


def difference(ours: pa.Table, theirs: pa.Table) -> str | None:
    """Why two results differ (columns, then rows in any order), or None when they agree."""
    if ours.column_names != theirs.column_names:
        return f"columns differ: xdrlab {ours.column_names}, other {theirs.column_names}"
    if ours.num_rows != theirs.num_rows:
        return f"row counts differ: xdrlab {ours.num_rows}, other {theirs.num_rows}"
    for index, (a, b) in enumerate(zip(_rows(ours), _rows(theirs), strict=True)):
        if a != b:
            return f"row {index} (sorted) differs: xdrlab {a!r}, other {b!r}"
    return None


def same_result(name: str, ours: pa.Table, theirs: pa.Table, sql: str, kql_sql: str) -> None:
    """Exit unless both sides returned the same columns and rows (every value, in any order)."""
    problem = None
    if ours.column_names != theirs.column_names:
        problem = f"columns differ: xdrlab {ours.column_names}, SQL {theirs.column_names}"
    elif ours.num_rows != theirs.num_rows:
        problem = f"row counts differ: xdrlab {ours.num_rows}, SQL {theirs.num_rows}"
    else:
        left, right = _rows(ours), _rows(theirs)
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            if a != b:
                problem = f"row {index} (sorted) differs:\n  xdrlab {a!r}\n  SQL    {b!r}"
                break
    if problem is None:
        return
    sys.stderr.write(
        f"\n{name}: xdrlab and the hand-written SQL return different results; timing them "
        f"would compare different work.\n{problem}\n\n--- compiled SQL ---\n{kql_sql}\n\n"
        f"--- hand-written SQL ---\n{_short(sql)}\n"
    )
    raise SystemExit(2)


def _short(sql: str) -> str:
    """The SQL with its file list elided (it holds one path per day file)."""
    start = sql.find("read_parquet([")
    if start < 0:
        return sql
    end = sql.find("])", start)
    return sql[: start + len("read_parquet([")] + "...files..." + sql[end:]


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class QueryResult:
    name: str
    rows: int
    xdrlab_ms: float
    sql_ms: float
    ratio: float
    cpu_ratio: float  # the same ratio in CPU time (median over runs of each side)
    compile_ms: float
    render_ms: float
    json_ms: float
    xdrlab_runs_ms: list[float]
    sql_runs_ms: list[float]
    xdrlab_cpu_ms: list[float]
    sql_cpu_ms: list[float]
    # duckdb-kql on the same query: its median ms and xdrlab/duckdb-kql, or why it has none
    dkql_ms: float | None = None
    dkql_ratio: float | None = None
    dkql_note: str = "not run"


def _median_ms(function: Callable[[], object], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def measure_dkql(
    query: Query,
    result: QueryResult,
    ours: pa.Table,
    dkql: DuckdbKqlSide,
    xdrlab: XdrlabSide,
    repeat: int,
) -> None:
    """duckdb-kql's time for `query` when it runs it and returns the same rows as xdrlab, and
    the ratio to xdrlab's times taken alternately with it (as the SQL side is), so drifting
    load on the machine weighs on both alike."""
    try:
        theirs, _ = dkql.run(query)
    except Exception as error:  # its refusals and failures are what is being measured
        first = str(error).strip().split("\n", 1)[0][:150]
        result.dkql_note = f"cannot run: {type(error).__name__}: {first}"
        return
    problem = difference(ours, theirs)
    if problem is not None:
        result.dkql_note = f"runs, different result: {problem[:150]}"
        return
    theirs_s: list[float] = []
    ours_s: list[float] = []
    for index in range(repeat):
        if index % 2 == 0:
            ours_s.append(xdrlab.run(query).timing.wall)
            theirs_s.append(dkql.run(query)[1].wall)
        else:
            theirs_s.append(dkql.run(query)[1].wall)
            ours_s.append(xdrlab.run(query).timing.wall)
    result.dkql_ms = 1000 * statistics.median(theirs_s)
    result.dkql_ratio = statistics.median(ours_s) / statistics.median(theirs_s)
    result.dkql_note = "same result"


def measure(
    query: Query, data: Dataset, xdrlab: XdrlabSide, baseline: SqlSide, repeat: int, compiles: int
) -> QueryResult:
    sql = hand_sql(query, data)
    compiled = xdrlab.compile(query)
    # Warm-up, both sides (caches, page cache, lazy imports), and the same answer from both.
    ours = xdrlab.run(query)
    theirs, _ = baseline.run(sql)
    kql_sql = compiled.tree.sql(dialect="duckdb", pretty=True)
    same_result(query.name, ours.table, theirs, sql, kql_sql)

    ours_t: list[Timing] = []
    theirs_t: list[Timing] = []
    json_s: list[float] = []
    for index in range(repeat):
        # Alternate which side goes first, so drifting load on the machine hits both alike.
        if index % 2 == 0:
            run = xdrlab.run(query)
            theirs_t.append(baseline.run(sql)[1])
        else:
            theirs_t.append(baseline.run(sql)[1])
            run = xdrlab.run(query)
        ours_t.append(run.timing)
        json_s.append(run.json_seconds)

    compile_ms = _median_ms(lambda: xdrlab.compile(query), compiles)
    render_ms = _median_ms(lambda: compiled.tree.sql(dialect="duckdb"), compiles)

    def ms(timings: list[Timing], cpu: bool = False) -> list[float]:
        return [1000 * (t.cpu if cpu else t.wall) for t in timings]

    x_ms, s_ms = statistics.median(ms(ours_t)), statistics.median(ms(theirs_t))
    x_cpu, s_cpu = statistics.median(ms(ours_t, True)), statistics.median(ms(theirs_t, True))
    return QueryResult(
        query.name,
        ours.table.num_rows,
        x_ms,
        s_ms,
        x_ms / s_ms,
        x_cpu / s_cpu if s_cpu > 0 else float("nan"),
        compile_ms,
        render_ms,
        1000 * statistics.median(json_s),
        [round(v, 2) for v in ms(ours_t)],
        [round(v, 2) for v in ms(theirs_t)],
        [round(v, 2) for v in ms(ours_t, True)],
        [round(v, 2) for v in ms(theirs_t, True)],
    )


# --- output ------------------------------------------------------------------------------------


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def print_table(results: Sequence[QueryResult]) -> None:
    header = (
        "query",
        "rows",
        "xdrlab ms",
        "SQL ms",
        "ratio",
        "CPU ratio",
        "compile ms",
        "render ms",
        "json ms",
        "duckdb-kql ms",
        "xdrlab/dkql",
    )
    body = [
        (
            r.name,
            f"{r.rows:,}",
            f"{r.xdrlab_ms:,.1f}",
            f"{r.sql_ms:,.1f}",
            f"{r.ratio:.2f}",
            f"{r.cpu_ratio:.2f}",
            f"{r.compile_ms:.2f}",
            f"{r.render_ms:.2f}",
            f"{r.json_ms:.2f}",
            "-" if r.dkql_ms is None else f"{r.dkql_ms:,.1f}",
            "-" if r.dkql_ratio is None else f"{r.dkql_ratio:.2f}",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = (f"{cell:>{width}}" for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join((first, *rest))

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in body:
        print(line(row))
    notes = [r for r in results if r.dkql_note not in ("same result", "not run")]
    if notes:
        print("\nduckdb-kql, where it has no time:")
        for r in notes:
            print(f"  {r.name}: {r.dkql_note}")


def summary(results: Sequence[QueryResult]) -> dict[str, Any]:
    median_ratio = statistics.median(r.ratio for r in results)
    both = [r for r in results if r.dkql_ratio is not None]
    worst = max(results, key=lambda r: r.compile_ms)
    return {
        "median_ratio": round(median_ratio, 3),
        "median_cpu_ratio": round(statistics.median(r.cpu_ratio for r in results), 3),
        "ratio_target": RATIO_TARGET,
        "ratio_pass": median_ratio <= RATIO_TARGET,
        "max_compile_ms": round(worst.compile_ms, 3),
        "max_compile_query": worst.name,
        "compile_target_ms": COMPILE_TARGET_MS,
        "compile_pass": worst.compile_ms < COMPILE_TARGET_MS,
        "duckdb_kql_ran": len(both),
        "duckdb_kql_xdrlab_faster_on_all": bool(both) and all(r.dkql_ratio < 1 for r in both),
    }


# --- main --------------------------------------------------------------------------------------


def _has_duckdb_kql() -> bool:
    return importlib.util.find_spec("duckdb_kql") is not None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--state",
        type=Path,
        default=Path(".bench-state/hunting"),
        help="state folder holding the demo lake (default .bench-state/hunting)",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=10_000_000,
        help="DeviceProcessEvents rows to generate (default 10000000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (default 1)")
    parser.add_argument(
        "--hours-after",
        type=float,
        default=1.0,
        help="run the queries this many hours after the data's generation (default 1)",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per query and side (default 5)"
    )
    parser.add_argument(
        "--compiles", type=int, default=200, help="compiles per query for compile time"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="DuckDB threads, both sides (default: the number of cores)",
    )
    parser.add_argument(
        "--engine-profile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="collect DuckDB's profile in the engine, as the server does (default on)",
    )
    parser.add_argument(
        "--query",
        action="append",
        choices=[q.name for q in QUERIES],
        help="run only this query (repeatable)",
    )
    parser.add_argument(
        "--explain",
        metavar="QUERY",
        choices=[q.name for q in QUERIES],
        help="print EXPLAIN ANALYZE of both sides for one query, then stop",
    )
    parser.add_argument(
        "--duckdb-kql",
        action=argparse.BooleanOptionalAction,
        default=_has_duckdb_kql(),
        help="also run each query on the duckdb-kql package (default: when it is installed)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.compiles < 1 or args.threads < 1 or args.events < 1:
        parser.error("--repeat, --compiles, --threads and --events must be >= 1")
    if not 0 <= args.hours_after < 24 * 7:
        parser.error("--hours-after must be between 0 and 168")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say: Callable[[str], None] = (
        (lambda text: print(text, file=sys.stderr, flush=True))
        if args.json
        else (lambda text: print(text, flush=True))
    )
    say(
        f"machine: {os.cpu_count()} cores, load average {_load()}; Python "
        f"{sys.version.split()[0]}, DuckDB {duckdb.__version__}, sqlglot {sqlglot.__version__}"
    )
    started = time.perf_counter()
    data = prepare(args.state, args.events, args.seed, args.hours_after)
    made = (
        f"generated in {data.generation_seconds:.1f} s"
        if data.generated
        else f"reused (generated {data.generated_at.isoformat(timespec='seconds')}Z)"
    )
    say(
        f"data: {data.table_rows:,} {TABLE} rows, {len(data.files)} files, "
        f"{data.lake_bytes / 1e6:,.0f} MB; {made}; queries run {args.hours_after:g} h later"
    )
    settings = EngineSettings(threads=args.threads, profile=args.engine_profile)
    xdrlab = XdrlabSide(data, settings)
    baseline = SqlSide(args.threads)
    queries = [q for q in QUERIES if args.query is None or q.name in args.query]

    if args.explain:
        query = next(q for q in QUERIES if q.name == args.explain)
        print(f"=== xdrlab (compiled) ===\n{xdrlab.explain(query)}\n")
        print(f"=== hand-written SQL ===\n{baseline.explain(hand_sql(query, data))}")
        return 0

    say(
        f"threads {args.threads} both sides; engine profiling "
        f"{'on' if args.engine_profile else 'off'}; {args.repeat} timed runs per side after one "
        f"warm-up; {args.compiles} compiles per query"
    )
    dkql = DuckdbKqlSide(data, args.threads) if args.duckdb_kql else None
    results = []
    for query in queries:
        result = measure(query, data, xdrlab, baseline, args.repeat, args.compiles)
        say(f"  {query.name}: {result.rows:,} rows, same on both sides, ratio {result.ratio:.2f}")
        if dkql is not None:
            measure_dkql(query, result, xdrlab.run(query).table, dkql, xdrlab, args.repeat)
            say(f"    duckdb-kql: {result.dkql_note}")
        results.append(result)
    totals = summary(results)

    if args.json:
        document = {
            "events": args.events,
            "table_rows": data.table_rows,
            "files": len(data.files),
            "lake_bytes": data.lake_bytes,
            "generated": data.generated,
            "hours_after": args.hours_after,
            "generation_seconds": round(data.generation_seconds, 3) if data.generated else None,
            "threads": args.threads,
            "repeat": args.repeat,
            "cores": os.cpu_count(),
            "duckdb": duckdb.__version__,
            "queries": [
                {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(r).items()}
                for r in results
            ],
            **totals,
            "seconds": round(time.perf_counter() - started, 1),
        }
        print(json.dumps(document, indent=2))
        return 0

    print()
    print_table(results)
    print()
    ratio_verdict = "PASS" if totals["ratio_pass"] else "MISS"
    compile_verdict = "PASS" if totals["compile_pass"] else "MISS"
    print(
        f"median ratio xdrlab/SQL {totals['median_ratio']:.2f} "
        f"(target <= {RATIO_TARGET}): {ratio_verdict}"
    )
    print(
        f"median CPU-time ratio {totals['median_cpu_ratio']:.2f} (for reference: less sensitive "
        "to other load on the machine)"
    )
    print(
        f"max compile {totals['max_compile_ms']:.2f} ms ({totals['max_compile_query']}) "
        f"(target < {COMPILE_TARGET_MS:.0f} ms): {compile_verdict}"
    )
    if args.duckdb_kql:
        verdict = "PASS" if totals["duckdb_kql_xdrlab_faster_on_all"] else "MISS"
        print(
            f"duckdb-kql ran {totals['duckdb_kql_ran']} of {len(results)} queries with the same "
            f"result; xdrlab faster on every one of them: {verdict}"
        )
    print(f"load average at the end {_load()}; whole run {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
