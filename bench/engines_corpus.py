"""The public hunting corpus on both engines: which queries Spark answers like DuckDB, and how fast.

Run from the project root with the project's virtualenv:

    python bench/engines_corpus.py                          # every corpus query, 20,000 events
    python bench/engines_corpus.py --query m365d-e2ef71f257 --query m365d-41878df4e5
    python bench/engines_corpus.py --json                   # machine-readable

One demo lake (`--events` DeviceProcessEvents rows, fixed seed and `now`, in a temporary folder
removed afterwards) is read by the embedded DuckDB engine and by the Spark engine, built the way
the two-engine tests build them. Each query of `tests/kql/corpus/hunting-queries.jsonl` is
compiled once (`compile_query` with the run's `now`; operators whose columns depend on the data
probe it on DuckDB, as the hunting API does) and run on DuckDB. When DuckDB runs it, it runs on
Spark, and the outcome is one of:

- same: the same columns, column types, truncation and rows, compared as the two-engine test
  compares them (the API's JSON rows; in order when the outermost ORDER BY tells every row
  apart, as multisets otherwise; reals to nine significant digits);
- refused: `NotSupportedBySpark`, with the construct it names;
- failed: any other error (the first line of the error Spark reported);
- different: the engines return different rows (the first differing row is shown).

Each engine's wall time per query is `execute` alone (the compiled query in, the Arrow result
out), taken `--repeat` times, engines alternating; the median is kept. The ratio Spark/DuckDB is
reported for the queries that give the same rows. The exit status is 0 whatever the outcomes
(this is a measurement).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import sqlglot

from xdrlab.demo.telemetry import generate_demo_telemetry
from xdrlab.engine import (
    EmbeddedEngine,
    EngineSettings,
    HuntingError,
    HuntingResult,
    HuntingWindow,
)
from xdrlab.engine.agreement import canonical_row, totally_ordered
from xdrlab.kql import CompiledQuery, KqlError, compile_query
from xdrlab.lake.schema import hunting_tables
from xdrlab.lake.store import Lake

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "kql" / "corpus" / "hunting-queries.jsonl"
TENANT = "0b7d9f4e-3c55-4a7e-9a51-5d2f0e6c1a11"
NOW = datetime(2025, 3, 14, 15, 30, 0)  # what ago()/now() fold to and the window ends at
ROW_LIMIT = 100_000  # the API's default row limit, on both engines
PROBE_ROW_LIMIT = 10_000  # as the hunting API's probe
SPARK_LOGGER = "xdrlab.engine.distributed"
# Run once on both engines before the corpus, unmeasured: Spark's first queries pay for loading
# and compiling its classes, which would otherwise land on whichever corpus query comes first.
WARM_UP = """DeviceProcessEvents
| where Timestamp > ago(7d)
| summarize Processes = count() by DeviceName
| join kind=inner (DeviceNetworkEvents | summarize Connections = count() by DeviceName)
    on DeviceName
| top 5 by Processes desc"""

SAME = "same"
REFUSED = "refused"
FAILED = "failed"
DIFFERENT = "different"
NOT_COMPILED = "not compiled"
DUCKDB_FAILED = "DuckDB failed"

# Constructs whose rows Kusto leaves open: which rows a `take` keeps, which tied rows a `top`
# keeps at its cut, which left row per key a `join` of the default kind (innerunique) keeps,
# the order of a `make_set`, which row `any`/`arg_max` picks among ties. Two engines can then
# both be right with different rows. Found by their words in the query text (comments
# included) and shown next to a difference as a hint only: the outcome stays "different".
OPEN_ENDED: dict[str, re.Pattern[str]] = {
    label: re.compile(pattern)
    for label, pattern in {
        "take": r"\b(take|limit|sample)\b",
        "top": r"\btop\b",
        "join (innerunique)": r"\bjoin\b(?!\s+kind\s*=\s*+(?!innerunique\b))",
        "make_set": r"\bmake_(set|list|bag)(_if)?\b",
        "any/arg_max": r"\b(take_any|any|arg_max|arg_min)\b",
    }.items()
}


# --- the engines -------------------------------------------------------------------------------


@dataclass
class Engines:
    lake: Lake
    duckdb: EmbeddedEngine
    spark: Any  # xdrlab.engine.distributed.SparkEngine (imported once Java is known to exist)
    window: HuntingWindow
    tables: dict[str, Any]
    events: int
    generation_seconds: float
    spark_start_seconds: float
    warm_up_seconds: float


def spark_settings(master: str, partitions: int) -> Any:
    """The two-engine tests' settings: no UI, few shuffle partitions for small data, and on a
    local master the driver bound to the loopback."""
    from xdrlab.engine.distributed import SparkSettings

    conf = {
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": str(partitions),
        "spark.default.parallelism": str(partitions),
    }
    if master.startswith("local"):
        conf |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    return SparkSettings(master=master, conf=conf)


def build(folder: Path, args: argparse.Namespace) -> Engines:
    from xdrlab.engine.distributed import SparkEngine
    from xdrlab.engine.distributed import session as spark_session

    lake = Lake(folder / "lake")
    started = time.perf_counter()
    generate_demo_telemetry(lake, TENANT, seed=args.seed, events=args.events, now=NOW)
    generated = time.perf_counter() - started

    settings = spark_settings(args.spark_master, args.partitions)
    started = time.perf_counter()
    spark_session.root_session(settings).sql("SELECT 1").collect()
    spark_started = time.perf_counter() - started
    tables = hunting_tables()
    engines = Engines(
        lake,
        EmbeddedEngine(lake, EngineSettings(threads=args.threads), tables),
        SparkEngine(lake, settings, tables),
        HuntingWindow.default(NOW),
        tables,
        args.events,
        generated,
        spark_started,
        0.0,
    )
    started = time.perf_counter()
    warm_up = compile_query(WARM_UP, tables, now=NOW)
    for engine in (engines.duckdb, engines.spark):
        engine.execute(warm_up, TENANT, engines.window, timeout_seconds=args.timeout)
    engines.warm_up_seconds = time.perf_counter() - started
    return engines


def stop_spark() -> None:
    from xdrlab.engine.distributed import session as spark_session

    spark_session.stop()


class SparkLog(logging.Handler):
    """What the Spark engine logs while a query runs: the construct it refuses, or the first line
    of the error Spark raised (the exception callers get carries a generic message only)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @contextmanager
    def listening(self) -> Iterator[None]:
        logger = logging.getLogger(SPARK_LOGGER)
        level, propagate = logger.level, logger.propagate
        self.records.clear()
        logger.addHandler(self)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # kept here, not printed between the table's lines
        try:
            yield
        finally:
            logger.removeHandler(self)
            logger.setLevel(level)
            logger.propagate = propagate

    def last_error(self) -> str | None:
        errors = [r for r in self.records if r.levelno >= logging.WARNING]
        return errors[-1].getMessage() if errors else None


# --- comparing results (xdrlab.engine.agreement, as the two-engine tests do) -----------------


def difference(compiled: CompiledQuery, duck: HuntingResult, spark: HuntingResult) -> str | None:
    """Why Spark's result is not DuckDB's (the first differing row), or None when they agree."""
    duck_types = [c.type.value for c in duck.columns]
    spark_types = [c.type.value for c in spark.columns]
    if spark_types != duck_types:
        return f"column types: DuckDB {duck_types}, Spark {spark_types}"
    if spark.rows.column_names != duck.rows.column_names:
        return f"columns: DuckDB {duck.rows.column_names}, Spark {spark.rows.column_names}"
    if spark.stats.truncated != duck.stats.truncated:
        return f"truncated: DuckDB {duck.stats.truncated}, Spark {spark.stats.truncated}"
    duck_rows = duck.json_rows()
    expected = [canonical_row(row) for row in duck_rows]
    actual = [canonical_row(row) for row in spark.json_rows()]
    counts = f"{len(expected)} rows on DuckDB, {len(actual)} on Spark"
    if totally_ordered(compiled, duck_rows):
        if actual == expected:
            return None
        for index, (a, b) in enumerate(zip(expected, actual, strict=False)):
            if a != b:
                return f"{counts}; row {index} (ordered): DuckDB {a}, Spark {b}"
        index = min(len(expected), len(actual))
        extra = expected[index] if len(expected) > index else actual[index]
        side = "DuckDB" if len(expected) > index else "Spark"
        return f"{counts}; row {index} (ordered) only on {side}: {extra}"
    missing = Counter(expected) - Counter(actual)
    extra = Counter(actual) - Counter(expected)
    if not missing and not extra:
        return None
    parts = [counts]
    if missing:
        parts.append(f"only on DuckDB: {next(r for r in expected if r in missing)}")
    if extra:
        parts.append(f"only on Spark: {next(r for r in actual if r in extra)}")
    return "; ".join(parts)


# --- running one query -------------------------------------------------------------------------


@dataclass
class Outcome:
    id: str
    outcome: str
    rows: int | None = None  # DuckDB's rows
    duckdb_ms: float | None = None
    spark_ms: float | None = None
    ratio: float | None = None  # Spark / DuckDB, when both give the same rows
    construct: str | None = None  # what Spark refused
    detail: str | None = None  # the error's first line, or the first differing row
    open_ended: list[str] = field(default_factory=list)  # OPEN_ENDED labels of the query


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _timed(run: Callable[[], HuntingResult]) -> tuple[HuntingResult, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def run_query(
    query_id: str, text: str, engines: Engines, log: SparkLog, args: argparse.Namespace
) -> Outcome:
    window = engines.window

    def probe(query: CompiledQuery) -> list[tuple[Any, ...]]:
        # Columns that depend on the data: a small query on DuckDB, as the hunting API does.
        result = engines.duckdb.execute(
            query, TENANT, window, row_limit=PROBE_ROW_LIMIT, timeout_seconds=args.timeout
        )
        return [tuple(row.values()) for row in result.rows.to_pylist()]

    try:
        compiled = compile_query(text, engines.tables, now=NOW, probe=probe)
    except KqlError as error:
        return Outcome(query_id, NOT_COMPILED, detail=error.diagnostic.code)
    except HuntingError as error:  # the probe's DuckDB query failed
        return Outcome(query_id, DUCKDB_FAILED, detail=f"{error.code} (probe): {error}")

    def on_duckdb() -> HuntingResult:
        return engines.duckdb.execute(
            compiled, TENANT, window, row_limit=ROW_LIMIT, timeout_seconds=args.timeout
        )

    def on_spark() -> HuntingResult:
        with log.listening():
            result: HuntingResult = engines.spark.execute(
                compiled, TENANT, window, row_limit=ROW_LIMIT, timeout_seconds=args.timeout
            )
        return result

    try:
        duck, duck_s = _timed(on_duckdb)
    except HuntingError as error:
        return Outcome(query_id, DUCKDB_FAILED, detail=f"{error.code}: {first_line(str(error))}")
    outcome = Outcome(
        query_id,
        SAME,
        rows=duck.num_rows,
        open_ended=[label for label, word in OPEN_ENDED.items() if word.search(text)],
    )

    from xdrlab.engine.distributed import NotSupportedBySpark

    try:
        spark, spark_s = _timed(on_spark)
    except NotSupportedBySpark as error:
        outcome.outcome, outcome.construct = REFUSED, error.construct
        return outcome
    except Exception as error:  # what Spark could not run is what is being measured
        logged = log.last_error()
        context = error.__context__  # the engine raises its generic error `from None`
        if logged is None and context is not None:
            logged = f"{type(context).__name__}: {first_line(str(context))}"
        code = getattr(error, "code", type(error).__name__)
        outcome.outcome = FAILED
        outcome.detail = f"{code}: {first_line(logged or str(error))}"
        outcome.duckdb_ms = 1000 * duck_s
        return outcome

    try:
        problem = difference(compiled, duck, spark)
    except Exception as error:  # Spark's values could not be rendered as the API's JSON
        outcome.outcome = FAILED
        outcome.detail = f"rendering Spark's rows: {type(error).__name__}: {first_line(str(error))}"
        return outcome
    duck_runs, spark_runs = [duck_s], [spark_s]
    for index in range(1, args.repeat):
        # Alternate which engine goes first, so drifting load on the machine weighs on both.
        if index % 2 == 0:
            duck_runs.append(_timed(on_duckdb)[1])
            spark_runs.append(_timed(on_spark)[1])
        else:
            spark_runs.append(_timed(on_spark)[1])
            duck_runs.append(_timed(on_duckdb)[1])
    outcome.duckdb_ms = 1000 * statistics.median(duck_runs)
    outcome.spark_ms = 1000 * statistics.median(spark_runs)
    if problem is not None:
        outcome.outcome, outcome.detail = DIFFERENT, problem
    elif outcome.duckdb_ms > 0:
        outcome.ratio = outcome.spark_ms / outcome.duckdb_ms
    return outcome


# --- output ------------------------------------------------------------------------------------


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        return "none"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return first_line(done.stderr or done.stdout) or "?"


def _pyspark() -> str:
    import pyspark

    return str(pyspark.__version__)


def summary(outcomes: Sequence[Outcome], total: int) -> dict[str, Any]:
    by_outcome = Counter(o.outcome for o in outcomes)
    ran = [o for o in outcomes if o.outcome in (SAME, REFUSED, FAILED, DIFFERENT)]
    same = [o for o in outcomes if o.outcome == SAME]
    ratios = [o.ratio for o in same if o.ratio is not None]
    refused = Counter(o.construct for o in outcomes if o.outcome == REFUSED)
    return {
        "corpus_queries": total,
        "queries": len(outcomes),
        "compiled": len(outcomes) - by_outcome[NOT_COMPILED],
        "duckdb_ran": len(ran),
        "duckdb_failed": by_outcome[DUCKDB_FAILED],
        "same": by_outcome[SAME],
        "same_with_rows": sum(1 for o in same if o.rows),  # the others are empty on both
        "refused": by_outcome[REFUSED],
        "failed": by_outcome[FAILED],
        "different": by_outcome[DIFFERENT],
        "refused_by_construct": dict(sorted(refused.items(), key=lambda kv: (-kv[1], kv[0]))),
        "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "same_duckdb_ms_total": round(sum(o.duckdb_ms or 0.0 for o in same), 1),
        "same_spark_ms_total": round(sum(o.spark_ms or 0.0 for o in same), 1),
    }


def _cell(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(outcomes: Sequence[Outcome]) -> None:
    header = ("query", "outcome", "rows", "DuckDB ms", "Spark ms", "Spark/DuckDB", "note")
    body = [
        (
            o.id,
            o.outcome,
            "-" if o.rows is None else f"{o.rows:,}",
            _cell(o.duckdb_ms, 1),
            _cell(o.spark_ms, 1),
            _cell(o.ratio, 2),
            o.construct
            or ((o.detail or "")[:60] if o.outcome in (NOT_COMPILED, DUCKDB_FAILED) else ""),
        )
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        left = (f"{c:<{w}}" for c, w in zip(cells[:2], widths[:2], strict=True))
        right = (f"{c:>{w}}" for c, w in zip(cells[2:6], widths[2:6], strict=True))
        return "  ".join((*left, *right, cells[6])).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in body:
        print(line(row))


def print_notes(outcomes: Sequence[Outcome], totals: dict[str, Any]) -> None:
    if totals["refused_by_construct"]:
        print("\nrefused by Spark, by construct:")
        for construct, count in totals["refused_by_construct"].items():
            print(f"  {count:>3}  {construct}")
    failed = [o for o in outcomes if o.outcome == FAILED]
    if failed:
        print("\nfailed on Spark:")
        for o in failed:
            print(f"  {o.id}: {(o.detail or '')[:240]}")
    different = [o for o in outcomes if o.outcome == DIFFERENT]
    if different:
        print("\ndifferent rows [constructs of the query whose rows Kusto leaves open]:")
        for o in different:
            hint = f" [{', '.join(o.open_ended)}]" if o.open_ended else ""
            print(f"  {o.id}{hint}: {(o.detail or '')[:400]}")
    skipped = [o for o in outcomes if o.outcome in (NOT_COMPILED, DUCKDB_FAILED)]
    if skipped:
        print("\nnot run on Spark (not compiled, or DuckDB failed):")
        for o in skipped:
            print(f"  {o.id}: {o.outcome}: {(o.detail or '')[:200]}")


# --- main --------------------------------------------------------------------------------------


def load_corpus(wanted: Sequence[str] | None) -> tuple[int, list[tuple[str, str]]]:
    with CORPUS.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    queries = [(q["id"], q["query"]) for q in rows]
    if wanted is None:
        return len(queries), queries
    known = {query_id for query_id, _ in queries}
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise SystemExit(f"not in the corpus: {', '.join(unknown)}")
    return len(queries), [q for q in queries if q[0] in wanted]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events",
        type=int,
        default=20_000,
        help="demo DeviceProcessEvents rows, as the corpus test (default 20000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (default 1)")
    parser.add_argument(
        "--query", action="append", metavar="ID", help="run only this corpus query (repeatable)"
    )
    parser.add_argument(
        "--spark-master", default="local[2]", help="Spark master (default local[2])"
    )
    parser.add_argument(
        "--partitions",
        type=int,
        default=2,
        help="spark.sql.shuffle.partitions and spark.default.parallelism (default 2)",
    )
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed runs per query and engine (default 1)"
    )
    parser.add_argument(
        "--timeout", type=float, default=180.0, help="seconds per query and engine (default 180)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress line per query (on standard error)"
    )
    args = parser.parse_args(argv)
    if min(args.events, args.partitions, args.threads, args.repeat) < 1 or args.timeout <= 0:
        parser.error("--events, --partitions, --threads, --repeat and --timeout must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say: Callable[[str], None] = (
        (lambda text: print(text, file=sys.stderr, flush=True))
        if args.json
        else (lambda text: print(text, flush=True))
    )
    progress: Callable[[str], None] = (
        (lambda text: None) if args.quiet else (lambda text: print(text, file=sys.stderr))
    )
    if shutil.which("java") is None:
        raise SystemExit("Spark needs a Java runtime (java is not on the PATH)")
    say(
        f"machine: {os.cpu_count()} cores, load average {_load()}; Python "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}, sqlglot "
        f"{sqlglot.__version__}, PySpark {_pyspark()}, {_java()}"
    )
    started = time.perf_counter()
    total, queries = load_corpus(args.query)
    log = SparkLog()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="engines-corpus-") as folder:
        try:
            engines = build(Path(folder), args)
            say(
                f"data: demo lake of {args.events:,} DeviceProcessEvents rows (seed {args.seed}),"
                f" generated in {engines.generation_seconds:.1f} s; Spark {args.spark_master} "
                f"started in {engines.spark_start_seconds:.1f} s (warm-up query "
                f"{engines.warm_up_seconds:.1f} s); DuckDB {args.threads} threads; "
                f"{len(queries)} of {total} corpus queries, {args.repeat} timed run(s) each"
            )
            for index, (query_id, text) in enumerate(queries, 1):
                outcome = run_query(query_id, text, engines, log, args)
                outcomes.append(outcome)
                progress(f"  [{index}/{len(queries)}] {query_id}: {outcome.outcome}")
        finally:
            stop_spark()
    totals = summary(outcomes, total)
    seconds = time.perf_counter() - started

    if args.json:
        document = {
            "events": args.events,
            "seed": args.seed,
            "now": NOW.isoformat(),
            "spark_master": args.spark_master,
            "partitions": args.partitions,
            "threads": args.threads,
            "repeat": args.repeat,
            "cores": os.cpu_count(),
            "duckdb": duckdb.__version__,
            "pyspark": _pyspark(),
            "generation_seconds": round(engines.generation_seconds, 1),
            "spark_start_seconds": round(engines.spark_start_seconds, 1),
            "warm_up_seconds": round(engines.warm_up_seconds, 1),
            "queries": [
                {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(o).items()}
                for o in outcomes
            ],
            **totals,
            "seconds": round(seconds, 1),
        }
        print(json.dumps(document, indent=2))
        return 0

    print()
    print_table(outcomes)
    print_notes(outcomes, totals)
    print()
    print(
        f"{totals['queries']} corpus queries, {totals['compiled']} compiled, "
        f"{totals['duckdb_ran']} run by DuckDB ({totals['duckdb_failed']} failed on DuckDB)"
    )
    print(
        f"of the {totals['duckdb_ran']} DuckDB runs, on Spark: {totals['same']} same rows "
        f"({totals['same_with_rows']} with at least one row, the others empty on both), "
        f"{totals['refused']} refused, {totals['failed']} failed, {totals['different']} "
        "different rows"
    )
    if totals["median_ratio"] is not None:
        print(
            f"same rows: median ratio Spark/DuckDB {totals['median_ratio']:.2f}; totals "
            f"DuckDB {totals['same_duckdb_ms_total'] / 1000:,.1f} s, Spark "
            f"{totals['same_spark_ms_total'] / 1000:,.1f} s"
        )
    print(f"load average at the end {_load()}; whole run {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
