"""What a query runs as: KQL compiled and rendered as readable SQL for one engine's dialect.

The SQL names hunting tables as the engine's views are named (``DeviceProcessEvents``), never
the files behind them: the engine binds those names per tenant and window when it runs the
query. Refusals are `KqlError` diagnostics, like the compiler's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal

from sqlglot.errors import ErrorLevel, SqlglotError

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.kql.compiler import compile_query
from xdrlab.kql.diagnostics import Position
from xdrlab.kql.operators.evaluate import Probe
from xdrlab.lake.schema import Table, hunting_tables

Dialect = Literal["duckdb", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "spark")


def explain(
    text: str,
    tables: Mapping[str, Table] | None = None,
    *,
    now: datetime | None = None,
    dialect: Dialect = "duckdb",
    probe: Probe | None = None,
) -> str:
    """The SQL `text` compiles to, pretty-printed for `dialect` (DuckDB or Spark SQL).

    `now` (naive UTC, default the current time) is what `ago()` and `now()` fold to; `probe`
    is passed to the compiler for operators whose columns depend on the data (`evaluate
    bag_unpack`, `pivot`). Raises `KqlError` when the query is refused, for Spark also when it
    uses something the Spark engine cannot run with the same meaning.
    """
    moment = now if now is not None else datetime.now(UTC).replace(tzinfo=None)
    compiled = compile_query(text, tables or hunting_tables(), now=moment, probe=probe)
    return render_sql(compiled, dialect)


def render_sql(compiled: CompiledQuery, dialect: Dialect = "duckdb") -> str:
    """A compiled query's tree as pretty SQL text for `dialect`."""
    if dialect == "spark":
        return _spark(compiled)
    if dialect != "duckdb":
        raise diag.unsupported_feature(f"Explaining for the '{dialect}' engine", Position(1, 1))
    try:
        return compiled.tree.sql(dialect="duckdb", pretty=True, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError:
        raise diag.internal_error(Position(1, 1)) from None


def _spark(compiled: CompiledQuery) -> str:
    try:  # the Spark engine is an optional extra
        from xdrlab.engine.distributed.transpile import Unsupported, spark_tree
    except ImportError:
        raise diag.unsupported_feature(
            "Explaining for Spark without the 'spark' extra installed", Position(1, 1)
        ) from None
    try:
        tree = spark_tree(compiled.tree)
        return tree.sql(dialect="spark", pretty=True, unsupported_level=ErrorLevel.RAISE)
    except Unsupported as refused:
        raise diag.unsupported_feature(
            f"Running this query on Spark ({refused.construct})", Position(1, 1)
        ) from None
    except SqlglotError:
        raise diag.unsupported_feature("Running this query on Spark", Position(1, 1)) from None
