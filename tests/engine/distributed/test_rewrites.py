"""The Spark rewrites of constructs the corpus slice reaches with few or no rows, checked on
queries written to return many: both engines give the same rows (as multisets)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlglot import exp

from tests.engine.distributed.conftest import NOW, TENANT, Engines
from xdrlab.engine.agreement import canonical_row
from xdrlab.engine.distributed import NotSupportedBySpark
from xdrlab.engine.distributed.transpile import Unsupported, spark_sql
from xdrlab.kql import compile_query
from xdrlab.lake.schema import hunting_tables

QUERIES = {
    # json_extract: members and indexes of dynamic values kept dynamic (objects, strings,
    # numbers, a missing member), and read as text
    "dynamic_members": """CloudAppEvents
| project A = ActivityObjects[0], N = ActivityObjects[1].Name, T = ActivityObjects[0].Type,
    Op = RawEventData.Operation, Missing = RawEventData.Nope, Bag = RawEventData,
    Text = tostring(RawEventData.Workload)""",
    # parse_json of text: JSON objects, empty text and text that is not JSON
    "parse_json_of_text": """DeviceEvents
| extend AF = parse_json(AdditionalFields)
| project ActionType, Pipe = AF.PipeName, Access = AF.DesiredAccess, AF,
    NotJson = parse_json(DeviceName)""",
    # datetime_add with amounts computed per row (intervals Spark builds with make_*_interval)
    "datetime_add_computed": """DeviceLogonEvents
| extend n = strlen(AccountName)
| project Timestamp, S = datetime_add('second', n, Timestamp),
    M = datetime_add('month', -n, Timestamp), H = datetime_add('hour', n, Timestamp),
    Ms = datetime_add('millisecond', n, Timestamp), W = datetime_add('week', n, Timestamp),
    Y = datetime_add('year', n, Timestamp)""",
    # split as a dynamic array, and mv-expand of it
    "split_and_mv_expand": """DeviceProcessEvents
| project FolderPath, Parts = split(FolderPath, "\\\\")
| mv-expand Part = Parts to typeof(string)
| summarize n = count() by Part, tostring(Parts)""",
    # parse without a regex (strpos/substr), parse-where
    "parse_columns": """DeviceProcessEvents
| parse ProcessCommandLine with Exe " " Rest
| parse FolderPath with Drive ":\\\\" *
| project Exe, Rest, Drive""",
    "parse_where": """DeviceProcessEvents
| parse-where ProcessCommandLine with * "-" Flag " " *
| summarize count() by Flag""",
    # arg_max as one aggregate per column (no two rows of a device share a Timestamp here)
    "arg_max_columns": """DeviceProcessEvents
| summarize arg_max(Timestamp, FileName, ProcessId, ProcessCommandLine) by DeviceName""",
    # bin() of datetimes: whole widths from DuckDB's origin, in microseconds
    "bin_datetimes": """IdentityLogonEvents
| summarize n = count() by AccountUpn, Day = bin(Timestamp, 1d), Hour = bin(Timestamp, 1h),
    Q = bin(Timestamp, 15m)
| summarize Groups = count(), Most = max(n), Avg = avg(n), First = min(Day) by AccountUpn""",
    # an IN list filtered as COALESCE(term, FALSE)
    "in_list": """DeviceProcessEvents
| where FileName in~ ("cmd.exe", "powershell.exe", "pwsh.exe", "wscript.exe", "cscript.exe",
    "mshta.exe", "rundll32.exe", "regsvr32.exe") or ProcessId !in (1, 2, 3, 4, 5, 6, 7)
| summarize count() by FileName""",
    # mv-apply: a row number per input row (ordered by monotonically_increasing_id() on
    # Spark), the input as a CTE, a summarize without `by` left-joined to every row
    "mv_apply_filtered_summarize": """DeviceProcessEvents
| project DeviceName, ProcessCommandLine
| mv-apply Arg = split(ProcessCommandLine, " ") to typeof(string) on (
    where Arg startswith "-" | summarize Flags = count(), Longest = max(strlen(Arg)))
| summarize Processes = count() by Flags, Longest""",
    # partition: per-key top with a tiebreak, and a per-key summarize whose filter empties
    # some partitions
    "partition_top": """DeviceProcessEvents
| partition by DeviceName (top 3 by Timestamp desc, ReportId asc)
| project DeviceName, Timestamp, ReportId, FileName""",
    "partition_filtered_summarize": """DeviceProcessEvents
| partition hint.strategy=native by FileName (
    where ProcessCommandLine has "-" | summarize Runs = count(), Devices = dcount(DeviceId))""",
    # FileProfile: the input as a CTE, the chosen IDs and the newest profile per hash joined
    "file_profile": """DeviceProcessEvents
| invoke FileProfile(InitiatingProcessSHA1, 1000)
| summarize n = count() by InitiatingProcessFileName, ProfileAvailability, GlobalPrevalence,
    Signer, IsRootSignerMicrosoft, SignatureState, GlobalFirstSeen""",
    # top-nested with levels: a CTE of the columns the levels read, one grouping per level,
    # ranks within the parent's keys, the levels joined (counts large enough that ties at the
    # cut cannot pick different groups on the two engines)
    "top_nested_levels": """DeviceNetworkEvents
| top-nested 1000 of RemoteUrl by dcount(DeviceId), top-nested of DeviceName by Events = count(),
    top-nested 1000 of RemotePort by max(Timestamp)""",
    # with others: the rows each level's top left out, anti-joined and aggregated per parent
    # (latest timestamps, distinct to the microsecond, so no tie decides the cut)
    "top_nested_with_others": """DeviceProcessEvents
| top-nested 4 of DeviceName with others = "other devices" by max(Timestamp),
    top-nested 2 of FileName with others = "other files" by Last = max(Timestamp),
    top-nested of AccountName by Runs = count()""",
    # print (a one-row VALUES) and range (DuckDB's range() table function, Spark's range()):
    # counting up and down, numbers, datetimes and reals, joined and in a union
    "range_and_print": """range x from 1 to 40 step 3
| join kind=inner (range x from 40 to 1 step -1 | extend half = x / 2.0) on x
| project-away x1
| union (print x = 0, half = 0.5, Label = strcat("p", "rint")),
    (range Hour from datetime(2025-03-01) to datetime(2025-03-02) step 2h),
    (range r from 0.5 to 3 step 0.75)""",
    # a timespan range, in its serialized order
    "range_timespans": """range Span from 0s to 6h step 15m
| extend Row = row_number()""",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_rows_on_both_engines(engines: Engines, name: str) -> None:
    compiled = compile_query(QUERIES[name], hunting_tables(), now=NOW)
    duck = engines.duckdb.execute(compiled, TENANT, engines.window, row_limit=20_000)
    spark = engines.spark.execute(compiled, TENANT, engines.window, row_limit=20_000)
    assert not duck.stats.truncated
    assert duck.stats.rows_returned > 10  # the construct is exercised on real rows
    assert [c.type for c in spark.columns] == [c.type for c in duck.columns]
    expected = Counter(canonical_row(row) for row in duck.json_rows())
    actual = Counter(canonical_row(row) for row in spark.json_rows())
    assert actual == expected, json.dumps(
        [json.loads(r) for r in list((actual - expected) + (expected - actual))[:4]], indent=1
    )


def test_a_range_over_bounds_known_only_when_the_query_runs_is_refused(engines: Engines) -> None:
    """Spark's range() takes constants: a count computed from a subquery is refused before
    Spark sees it (here by the count's own DuckDB-only functions, or by the range rewrite)."""
    compiled = compile_query(
        "range x from 1 to toscalar(DeviceProcessEvents | count) step 1", hunting_tables(), now=NOW
    )
    with pytest.raises(NotSupportedBySpark):
        engines.spark.sql(compiled)
    series = exp.GenerateSeries(
        start=exp.Literal.number(0), end=exp.column("n"), is_end_exclusive=True
    )
    query = exp.select("i").from_(exp.Table(this=series))
    with pytest.raises(Unsupported, match="range"):
        spark_sql(query)
