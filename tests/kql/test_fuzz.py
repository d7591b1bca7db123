"""Fuzzing the parser, the compiler and the engine behind them.

Three kinds of input: (a) arbitrary text, (b) token soup (keywords, operators, names and
literals of KQL in any order), (c) pipelines shaped like the grammar, built from the hunting
tables' schemas (or a `print` or `range` source), the registered operators and the function
catalogue. Whatever the input, the hunting path (compile, probe, execute on a tiny lake) must
end in a result, a `KqlError` with a documented code and a position inside the query, or an
engine error with a stable code that is not `UnexpectedError` (which would mean the compiler
produced SQL DuckDB cannot run) — never another exception, and never a hang: each example runs
under a watchdog.

The examples are derandomized, so CI sees the same inputs every run. `XDRLAB_FUZZ_EXAMPLES=N`
runs N examples per strategy (and `XDRLAB_FUZZ_SEED=S`, a different random stream) locally.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.kql.conftest import NOW
from tests.kql.test_safety import KQL_PIECES, only_one_select_reading
from xdrlab.demo.telemetry.generate import generate_demo_telemetry
from xdrlab.engine.errors import HuntingError
from xdrlab.engine.hunting import run_hunting_query
from xdrlab.engine.sandbox import EngineSettings
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql.diagnostics import ALL_CODES, INTERNAL_ERROR
from xdrlab.kql.functions.registry import FUNCTIONS, FunctionSpec
from xdrlab.kql.operators import PARSERS
from xdrlab.kql.syntax.parser import KNOWN_OPERATORS, KNOWN_SOURCES
from xdrlab.lake.schema import KustoType, hunting_tables
from xdrlab.lake.store import Lake

TENANT = "6f1c2a9e-0000-4000-8000-00000000f022"
TABLES = hunting_tables()
EXAMPLES = int(os.environ.get("XDRLAB_FUZZ_EXAMPLES", "0"))
SEED = int(os.environ.get("XDRLAB_FUZZ_SEED", "0"))
WATCHDOG_SECONDS = 20.0  # per example: compile, probe and execution together
ENGINE_SECONDS = 5.0  # the engine's own deadline per query
EXECUTE_UP_TO = 4_000  # characters; longer inputs are only compiled
UNEXPECTED = "UnexpectedError"


def fuzz(default: int) -> settings:
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,  # timing is the watchdog's job; shared cores make hypothesis' flaky
        derandomize=not SEED,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


class Hang(BaseException):  # a BaseException: nothing under test may swallow it
    """An example outlived its watchdog."""


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def tiny_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("fuzz") / "lake")
    generate_demo_telemetry(lake, TENANT, now=NOW, events=300)
    return lake


def check(lake: Lake, text: str) -> None:
    """The property: a result, a documented diagnostic, or a stable engine error."""
    with watchdog(WATCHDOG_SECONDS):
        try:
            if len(text) > EXECUTE_UP_TO:
                compiled = compile_query(text, TABLES, now=NOW)
                only_one_select_reading(compiled.tree, set(TABLES))
                return
            run_hunting_query(
                lake,
                TENANT,
                text,
                now=NOW,
                row_limit=50,
                timeout_seconds=ENGINE_SECONDS,
                settings=EngineSettings(threads=1),
            )
        except KqlError as refused:
            d = refused.diagnostic
            assert d.code in ALL_CODES and d.code != INTERNAL_ERROR, (text, d)
            assert 1 <= d.line <= text.count("\n") + 1 and d.column >= 1, (text, d)
            assert d.message and "SELECT " not in d.message, (text, d)
        except HuntingError as failed:
            assert failed.code != UNEXPECTED, (text, failed.message)
            assert "SELECT " not in failed.message and "parquet" not in failed.message


# --- (a) arbitrary text ----------------------------------------------------------------------

KQLISH = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"))


@fuzz(150)
@seed(SEED)
@given(st.text(KQLISH, max_size=120))
def test_arbitrary_text(tiny_lake: Lake, text: str) -> None:
    check(tiny_lake, text)


# --- (b) token soup --------------------------------------------------------------------------

WORDS = sorted(
    {*PARSERS, *KNOWN_OPERATORS, *KNOWN_SOURCES, *FUNCTIONS, *list(TABLES)[:8]}
    | {"let", "on", "kind", "with", "by", "of", "step", "from", "to", "asc", "desc", "nulls"}
    | {"first", "last", "inner", "leftouter", "typeof", "withsource", "regex", "bag_unpack"}
    | {"DeviceName", "Timestamp", "FileName", "AdditionalFields", "RemotePort", "$left"}
)
SOUP = st.one_of(
    KQL_PIECES,
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: w + "("),
    st.integers(-(2**64), 2**64).map(str),
    st.sampled_from(["'x'", '"a b"', "@'c:\\d'", "1.5", "1e3", "7d", "30m", "h'sec'", "```a```"]),
)


@fuzz(250)
@seed(SEED)
@given(st.lists(SOUP, max_size=30), st.sampled_from([" ", "\n", "", " | "]))
def test_token_soup(tiny_lake: Lake, pieces: list[str], glue: str) -> None:
    check(tiny_lake, glue.join(pieces))


# --- (c) grammar-shaped pipelines ------------------------------------------------------------

SOURCES = [
    "DeviceProcessEvents",
    "DeviceNetworkEvents",
    "DeviceEvents",
    "EmailEvents",
    "IdentityLogonEvents",
    "DeviceLogonEvents",
]
LITERALS: dict[KustoType, list[str]] = {
    KustoType.STRING: ['"cmd.exe"', '""', "'a'", '@"C:\\Windows"', '"x y"', "tostring(1)"],
    KustoType.LONG: ["0", "1", "-5", "9223372036854775807", "long(null)", "1000"],
    KustoType.INT: ["0", "3", "int(null)", "-1"],
    KustoType.REAL: ["1.5", "0.0", "real(nan)", "1e308", "-2.25"],
    KustoType.BOOL: ["true", "false", "bool(null)"],
    KustoType.DATETIME: ["datetime(2024-04-30)", "ago(1d)", "now()", "datetime(null)"],
    KustoType.TIMESPAN: ["1h", "5m", "0s", "-1d", "time(null)", "1tick"],
    KustoType.DYNAMIC: ['dynamic([1, "a"])', 'dynamic({"k": 1})', "dynamic(null)", "dynamic([])"],
    KustoType.GUID: ["guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"],
    KustoType.DECIMAL: ["decimal(1.5)"],
}
KIND_TYPES = {
    "string": [KustoType.STRING],
    "long": [KustoType.LONG, KustoType.INT],
    "real": [KustoType.REAL, KustoType.LONG],
    "bool": [KustoType.BOOL],
    "datetime": [KustoType.DATETIME],
    "timespan": [KustoType.TIMESPAN],
    "dynamic": [KustoType.DYNAMIC],
    "scalar": list(KustoType),
}
SCALARS = sorted(
    (spec for spec in {id(s): s for s in FUNCTIONS.values()}.values() if not spec.aggregate),
    key=lambda s: s.name,
)
AGGREGATES = sorted(
    (spec for spec in {id(s): s for s in FUNCTIONS.values()}.values() if spec.aggregate),
    key=lambda s: s.name,
)
COMPARE = ["==", "!=", "<", ">=", "=~", "!~", "has", "!has", "contains", "startswith", "in"]
Columns = dict[str, KustoType]


def value(draw: st.DrawFn, columns: Columns, kind: KustoType | None, depth: int) -> str:
    """A scalar expression: a column, a literal, a function call or arithmetic."""
    matching = sorted(c for c, t in columns.items() if kind is None or t is kind)
    choice = draw(st.integers(0, 4 if depth > 0 else 1))
    if choice == 0 and matching:
        return draw(st.sampled_from(matching))
    if choice <= 1:
        return draw(st.sampled_from(LITERALS[kind or draw(st.sampled_from(list(LITERALS)))]))
    if choice == 2 and kind in (None, KustoType.LONG, KustoType.REAL):
        left = value(draw, columns, kind, depth - 1)
        right = value(draw, columns, kind, depth - 1)
        return f"({left} {draw(st.sampled_from(['+', '-', '*', '/', '%']))} {right})"
    return call(draw, draw(st.sampled_from(SCALARS)), columns, depth - 1)


def call(draw: st.DrawFn, spec: FunctionSpec, columns: Columns, depth: int) -> str:
    args = []
    for param in spec.params:
        if param.optional and draw(st.booleans()):
            break
        repeat = draw(st.integers(1, 2)) if param.repeated else 1
        for _ in range(repeat):
            kind = draw(st.sampled_from(param.kinds))
            types = KIND_TYPES[kind]
            target = draw(st.sampled_from(types))
            if param.constant:
                args.append(draw(st.sampled_from(LITERALS[target])))
            else:
                args.append(value(draw, columns, target, depth))
    if not spec.params:
        upper = spec.max_args if spec.max_args is not None else spec.min_args + 2
        count = draw(st.integers(spec.min_args, min(upper, spec.min_args + 2)))
        args = [value(draw, columns, None, depth) for _ in range(count)]
    return f"{spec.canonical}({', '.join(args)})"


def predicate(draw: st.DrawFn, columns: Columns) -> str:
    column = draw(st.sampled_from(sorted(columns)))
    kind = columns[column]
    op = draw(st.sampled_from(COMPARE))
    if op == "in":
        items = ", ".join(draw(st.lists(st.sampled_from(LITERALS[kind]), min_size=1, max_size=3)))
        single = f"{column} in ({items})"
    else:
        single = f"{column} {op} {value(draw, columns, kind, 1)}"
    joined = draw(st.sampled_from(["", " and ", " or "]))
    if joined:
        return f"{single}{joined}not({predicate(draw, columns)})"
    return single


def operator(draw: st.DrawFn, columns: Columns, source: str) -> tuple[str, Columns]:
    """One operator over `columns`, and the columns after it (a best guess is fine)."""
    names = sorted(columns)
    pick = draw(st.sampled_from(names))
    n = draw(st.sampled_from(["0", "1", "5", "100"]))
    which = draw(
        st.sampled_from(
            [
                "where", "project", "project-away", "project-rename", "project-reorder",
                "extend", "summarize", "take", "sort", "top", "distinct", "count", "mv-expand",
                "parse", "parse-where", "join", "union", "lookup", "make-series", "top-nested",
                "serialize", "as", "render", "bag_unpack", "pivot", "limit", "find",
                "mv-apply", "partition", "getschema", "top-nested levels", "file-profile",
            ]
        )
    )  # fmt: skip
    kind = columns[pick]
    if which == "where":
        return f"where {predicate(draw, columns)}", columns
    if which == "project":
        kept = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        extra = value(draw, columns, None, 2)
        return f"project {', '.join(kept)}, P = {extra}", {
            **{k: columns[k] for k in kept},
            "P": KustoType.DYNAMIC,
        }
    if which == "project-away":
        return f"project-away {pick}", {k: t for k, t in columns.items() if k != pick} or columns
    if which == "project-rename":
        renamed = {("Renamed" if k == pick else k): t for k, t in columns.items()}
        return f"project-rename Renamed = {pick}", renamed
    if which == "project-reorder":
        return f"project-reorder {pick} {draw(st.sampled_from(['', 'asc', 'desc']))}", columns
    if which == "extend":
        target = draw(st.sampled_from([None, KustoType.STRING, KustoType.LONG, KustoType.BOOL]))
        return f"extend E = {value(draw, columns, target, 3)}", {
            **columns,
            "E": target or KustoType.DYNAMIC,
        }
    if which == "summarize":
        agg = call(draw, draw(st.sampled_from(AGGREGATES)), columns, 1)
        by = draw(
            st.sampled_from(["", f" by {pick}", " by bin(Timestamp, 1h)", f" by {pick}, b=1"])
        )
        after = {"A": KustoType.DYNAMIC, **({pick: kind} if pick in by else {})}
        if "Timestamp" in by and "Timestamp" in columns:
            after["Timestamp"] = KustoType.DATETIME
        return f"summarize A = {agg}{by}", after
    if which in ("take", "limit"):
        return f"{which} {n}", columns
    if which == "sort":
        order = draw(st.sampled_from(["", " asc", " desc", " asc nulls last", " desc nulls first"]))
        return f"sort by {pick}{order}", columns
    if which == "top":
        return f"top {n} by {pick} {draw(st.sampled_from(['', 'asc', 'desc']))}", columns
    if which == "distinct":
        return f"distinct {pick}", {pick: kind}
    if which == "count":
        return "count", {"Count": KustoType.LONG}
    if which == "mv-expand":
        typed = draw(st.sampled_from(["", " to typeof(string)", " to typeof(long)"]))
        index = draw(st.sampled_from(["", "with_itemindex=I "]))
        return f"mv-expand {index}X = {value(draw, columns, KustoType.DYNAMIC, 1)}{typed}", {
            **columns,
            "X": KustoType.DYNAMIC,
        }
    if which in ("parse", "parse-where"):
        mode = draw(st.sampled_from(["", "kind=regex ", "kind=simple ", "kind=relaxed "]))
        pattern = draw(st.sampled_from(['"a" P1', '* "\\\\" P1 ".exe"', '"=" P1:long " " *']))
        return f"{which} {mode}{pick} with {pattern}", {**columns, "P1": KustoType.STRING}
    if which in ("join", "lookup"):
        join_kind = draw(
            st.sampled_from(["", "inner", "leftouter", "leftanti", "rightsemi", "fullouter"])
        )
        kind_text = f"kind={join_kind} " if join_kind else ""
        return f"{which} {kind_text}({source} | take 5) on {pick}", columns
    if which == "union":
        other = draw(st.sampled_from(SOURCES))
        return (
            f"union {draw(st.sampled_from(['', 'withsource=S ', 'kind=inner ']))}{other}",
            columns,
        )
    if which == "make-series":
        agg = draw(st.sampled_from(["count()", f"dcount({pick})", "sum(1)"]))
        return (
            f"make-series M = {agg} default = 0 on Timestamp from ago(3d) to now() step 1d by {pick}",
            {pick: kind, "M": KustoType.DYNAMIC, "Timestamp": KustoType.DYNAMIC},
        )
    if which == "top-nested":
        return f"top-nested {n} of {pick} by count()", {pick: kind, "aggregated_x": KustoType.LONG}
    if which == "mv-apply":
        inner = draw(
            st.sampled_from(
                [
                    "summarize A = count()",
                    "where isnotempty(X) | summarize A = make_list(X)",
                    "top 1 by tostring(X)",
                    "take 2 | project X",
                    f"extend A = strcat(tostring(X), {pick}) | distinct A",
                    "sort by tostring(X) | count",
                ]
            )
        )
        array = value(draw, columns, KustoType.DYNAMIC, 1)
        return f"mv-apply X = {array} on ({inner})", {**columns, "X": KustoType.DYNAMIC}
    if which == "partition":
        inner = draw(
            st.sampled_from(
                ["summarize A = count()", f"top 1 by {pick}", "take 1", "where false | count"]
            )
        )
        return f"partition hint.strategy=native by {pick} ({inner})", columns
    if which == "getschema":
        return "getschema", {
            "ColumnName": KustoType.STRING,
            "ColumnOrdinal": KustoType.INT,
            "DataType": KustoType.STRING,
            "ColumnType": KustoType.STRING,
        }
    if which == "top-nested levels":
        other = draw(st.sampled_from(names))
        rest = draw(st.sampled_from(["", "with others = 'x' ", "with others = 0 "]))
        return (
            f"top-nested {n} of {pick} {rest}by count(), top-nested of L2 = {other} by max(1) asc",
            {pick: kind, "aggregated_x": KustoType.LONG},
        )
    if which == "file-profile":
        id_column = draw(st.sampled_from(["", "SHA256", "InitiatingProcessSHA1", pick]))
        return f"invoke FileProfile({id_column})", {**columns, "GlobalPrevalence": KustoType.INT}
    if which == "serialize":
        window = draw(st.sampled_from(["row_number()", f"prev({pick})", f"next({pick}, 2)"]))
        return f"serialize W = {window}", {**columns, "W": KustoType.DYNAMIC}
    if which == "as":
        return "as Named", columns
    if which == "render":
        return (
            f"render {draw(st.sampled_from(['timechart', 'barchart', 'table', 'piechart']))}",
            columns,
        )
    if which == "bag_unpack":
        return f"extend B = bag_pack('k', {pick}) | evaluate bag_unpack(B)", columns
    if which == "pivot":
        return f"evaluate pivot({pick})", columns
    return f"where {pick} has 'x' or isnotempty({pick})", columns


RANGE_BOUNDS = ["0", "1", "-5", "1000", "2.5", "long(null)", "toscalar(print 7)"]
RANGE_STEPS = ["1", "-1", "3", "0.5", "0", "-2.5"]


def generated_source(draw: st.DrawFn) -> tuple[str, Columns]:
    """A `print` or `range` source (no table), and its columns."""
    which = draw(st.integers(0, 4))
    if which == 0:
        items = [value(draw, {}, None, 2) for _ in range(draw(st.integers(1, 3)))]
        named = draw(st.booleans())
        text = ", ".join(f"P{i} = {e}" if named else e for i, e in enumerate(items))
        prefix = "P" if named else "print_"
        return f"print {text}", {f"{prefix}{i}": KustoType.DYNAMIC for i in range(len(items))}
    if which == 1:
        start, stop = draw(st.sampled_from(RANGE_BOUNDS)), draw(st.sampled_from(RANGE_BOUNDS))
        step = draw(st.sampled_from(RANGE_STEPS))
        return f"range x from {start} to {stop} step {step}", {"x": KustoType.LONG}
    if which == 2:
        step = draw(st.sampled_from(["1h", "7h", "-1d", "0s", "1d"]))
        text = f"range Timestamp from ago(3d) to now() step {step}"
        return text, {"Timestamp": KustoType.DATETIME}
    if which == 3:
        return "range t from 0s to 1d step 90m", {"t": KustoType.TIMESPAN}
    return (
        'print DeviceName = "pc-1", ProcessId = 42, Timestamp = ago(1h), FileName = "cmd.exe"',
        {
            "DeviceName": KustoType.STRING,
            "ProcessId": KustoType.LONG,
            "Timestamp": KustoType.DATETIME,
            "FileName": KustoType.STRING,
        },
    )


@st.composite
def pipelines(draw: st.DrawFn) -> str:
    source = draw(st.sampled_from(SOURCES))
    columns: Columns = {c.name: c.type for c in TABLES[source].columns}
    if draw(st.integers(0, 5)) == 0:
        source, columns = generated_source(draw)
    parts = [source]
    for _ in range(draw(st.integers(0, 5))):
        text, columns = operator(draw, columns, source)
        parts.append(text)
    body = "\n| ".join(parts)
    if draw(st.booleans()):
        threshold = draw(st.sampled_from(["1", "ago(1d)", '"a"']))
        body = f"let Threshold = {threshold};\n{body}"
    return body


@fuzz(300)
@seed(SEED)
@given(pipelines())
def test_grammar_shaped_pipelines(tiny_lake: Lake, text: str) -> None:
    check(tiny_lake, text)


def test_watchdog_stops_a_hang() -> None:
    """The harness itself: a stuck example is reported, not waited for."""
    with pytest.raises(Hang), watchdog(0.2):
        while True:
            pass


def test_the_tiny_lake_has_rows(tiny_lake: Lake) -> None:
    result = run_hunting_query(tiny_lake, TENANT, "DeviceProcessEvents | count", now=NOW)
    assert result.rows.to_pylist()[0]["Count"] > 0
