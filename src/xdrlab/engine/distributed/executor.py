"""The distributed engine: the same compiled query, run by Spark SQL over the same lake.

Behind the same interface as `EmbeddedEngine`: the tree is rewritten for Spark (`transpile`),
each table it names becomes a temporary view of a per-query Spark session over the calling
tenant's files for the window (`views`), the query runs as one Spark job group that a timer
cancels at the deadline, and at most `row_limit` + 1 rows come back through Arrow to learn
whether the result was truncated. Columns are then given the Arrow types the embedded engine
returns for their Kusto types, so results render the same.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyarrow as pa

from xdrlab.engine.distributed.session import SparkSettings, query_session
from xdrlab.engine.distributed.transpile import Unsupported, spark_sql
from xdrlab.engine.distributed.views import register
from xdrlab.engine.errors import QueryRejected, QueryTimeout, ResourcesExceeded, UnexpectedError
from xdrlab.engine.results import ExecutionStats, HuntingResult
from xdrlab.engine.window import HuntingWindow
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.lake.schema import FUNCTION_TABLES, KustoType, Table, hunting_tables
from xdrlab.lake.store import Lake

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ROW_LIMIT = 100_000
TIMEOUT_SECONDS = 180.0

UNSUPPORTED_MESSAGE = "The distributed hunting engine cannot run this query."

log = logging.getLogger(__name__)


class NotSupportedBySpark(QueryRejected):
    """The query compiles, but uses something the Spark rewrites cannot express the same way."""

    code = "NotSupportedBySpark"

    def __init__(self, construct: str) -> None:
        super().__init__(UNSUPPORTED_MESSAGE)
        self.construct = construct  # for logs and tests; not shown to callers


class SparkEngine:
    """Runs compiled hunting queries on Spark SQL (local mode or a cluster)."""

    def __init__(
        self,
        lake: Lake,
        settings: SparkSettings | None = None,
        tables: Mapping[str, Table] | None = None,
    ) -> None:
        self.lake = lake
        self.settings = settings or SparkSettings()
        self.tables = tables if tables is not None else hunting_tables()

    def sql(self, compiled: CompiledQuery) -> str:
        """The Spark SQL text the query runs as (raises `NotSupportedBySpark`)."""
        try:
            return spark_sql(compiled.tree)
        except Unsupported as error:
            log.info("not supported on Spark: %s", error.construct)
            raise NotSupportedBySpark(error.construct) from None

    def execute(
        self,
        compiled: CompiledQuery,
        tenant_id: str,
        window: HuntingWindow,
        *,
        row_limit: int = ROW_LIMIT,
        timeout_seconds: float = TIMEOUT_SECONDS,
    ) -> HuntingResult:
        started = time.perf_counter()
        sql = self.sql(compiled)
        tables = [self._table(name) for name in sorted(compiled.tables)]
        spark = query_session(self.settings)
        files_read = 0
        group = f"hunting-{uuid.uuid4().hex}"
        context = spark.sparkContext
        expired = threading.Event()

        def cancel() -> None:
            expired.set()
            context.cancelJobGroup(group)

        timer = threading.Timer(timeout_seconds, cancel)
        timer.daemon = True
        try:
            for table in tables:
                files = self._files(table, tenant_id, window)
                files_read += len(files)
                register(spark, table, files, window.start, window.end)
            context.setJobGroup(group, "advanced hunting query", interruptOnCancel=True)
            timer.start()
            frame = spark.sql(sql)
            arrow, truncated = _fetch(frame, row_limit)
            if expired.is_set():  # finished, but only after the deadline (or between jobs)
                raise QueryTimeout()
        except QueryTimeout:
            raise
        except Exception as error:
            if expired.is_set():
                raise QueryTimeout() from None
            raise _classify(error) from None
        finally:
            timer.cancel()
            context.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
            for table in tables:
                spark.catalog.dropTempView(table.name)
        if arrow.num_columns != len(compiled.columns):
            log.error(
                "result has %d columns, compiler promised %d",
                arrow.num_columns,
                len(compiled.columns),
            )
            raise UnexpectedError()
        arrow = pa.table(
            [_kusto_column(arrow.column(i), c.type) for i, c in enumerate(compiled.columns)],
            names=[c.name for c in compiled.columns],
        )
        stats = ExecutionStats(
            elapsed_seconds=time.perf_counter() - started,
            rows_returned=arrow.num_rows,
            truncated=truncated,
            files_read=files_read,
            result_bytes=int(arrow.nbytes),
        )
        return HuntingResult(compiled.columns, arrow, compiled.render, stats)

    def _table(self, name: str) -> Table:
        table = self.tables.get(name) or FUNCTION_TABLES.get(name)
        if table is None:
            raise QueryRejected(f"'{name}' is not an advanced hunting table.")
        return table

    def _files(self, table: Table, tenant_id: str, window: HuntingWindow) -> list[str]:
        if window.is_empty and table.time_column is not None:
            return []
        return [str(p) for p in self.lake.files(tenant_id, table, window.start, window.end)]


def _fetch(frame: DataFrame, row_limit: int) -> tuple[pa.Table, bool]:
    """At most `row_limit` rows, and whether there were more."""
    table = frame.limit(row_limit + 1).toArrow()
    if table.num_rows > row_limit:
        return table.slice(0, row_limit), True
    return table, False


_ARROW_TYPES: dict[KustoType, pa.DataType] = {
    KustoType.STRING: pa.string(),
    KustoType.GUID: pa.string(),
    KustoType.DYNAMIC: pa.string(),  # JSON text, as DuckDB hands its JSON type over
    KustoType.DATETIME: pa.timestamp("us"),
    KustoType.LONG: pa.int64(),
    KustoType.INT: pa.int32(),
    KustoType.BOOL: pa.bool_(),
    KustoType.REAL: pa.float64(),
    KustoType.DECIMAL: pa.float64(),
    KustoType.TIMESPAN: pa.duration("us"),
}


def _kusto_column(data: pa.ChunkedArray, kusto_type: KustoType) -> pa.ChunkedArray:
    """`data` in the Arrow type the embedded engine gives a `kusto_type` column, where it casts."""
    wanted = _ARROW_TYPES[kusto_type]
    if data.type == wanted:
        return data
    try:
        return data.cast(wanted)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return data  # nested values (lists, structs) stay as they are; results render them


def _classify(error: BaseException) -> Exception:
    text = str(error)
    if "OutOfMemoryError" in text or "SparkOutOfMemoryError" in text:
        return ResourcesExceeded()
    if "cancelled" in text.lower() and "job group" in text.lower():
        return QueryTimeout()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    log.error("Spark query failed: %s", first[:500])
    return UnexpectedError()
