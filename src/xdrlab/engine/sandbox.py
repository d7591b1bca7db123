"""A DuckDB connection that can read one tenant's hunting files and nothing else.

Each query gets a fresh in-memory database. Before any query text runs, every table the query
names becomes a view over exactly the Parquet files of the calling tenant that overlap the
query window (or over no file at all: an empty relation with the table's full typed schema).
Then the connection is sealed:

1. ``allowed_paths`` is set to exactly those files (not a folder: DuckDB allows writes inside
   allowed directories, so ``COPY ... TO``, ``ATTACH`` or ``EXPORT DATABASE`` could create
   files in one; with a list of existing files every other path, for reading or writing, is
   refused),
2. ``enable_external_access`` is switched off, which also blocks ``INSTALL``/``LOAD``,
3. ``lock_configuration`` is switched on, so no later ``SET`` can undo 1 and 2.

The order matters: DuckDB refuses to change the allowed paths once external access is off.
Views are built as sqlglot trees and rendered like the query itself: no text is pasted into SQL.

Creating a DuckDB database costs about 10 ms (its catalog of functions), more than many queries
take, so the next one is created ahead, in a background thread, while nothing waits for it:
a query takes the database prepared for its settings (configured, empty, never used) and
binds and seals it as above, or creates its own when none is ready. Every database still
serves exactly one query and is closed after it, also in the background.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
from sqlglot import exp

from xdrlab.lake.schema import KustoType, Table

DUCKDB_TYPES: dict[KustoType, str] = {
    KustoType.STRING: "VARCHAR",
    KustoType.DATETIME: "TIMESTAMP",
    KustoType.LONG: "BIGINT",
    KustoType.INT: "INTEGER",
    KustoType.BOOL: "BOOLEAN",
    KustoType.REAL: "DOUBLE",
    KustoType.DYNAMIC: "JSON",
    KustoType.GUID: "VARCHAR",
    KustoType.TIMESPAN: "INTERVAL",
    KustoType.DECIMAL: "DOUBLE",
}


@dataclass(frozen=True)
class EngineSettings:
    """How much of the machine one query may use."""

    threads: int = 2
    # DuckDB size text ("2GB"); None leaves DuckDB's default (a share of physical memory).
    memory_limit: str | None = None
    # Where a query may spill intermediate results; each query gets its own private folder
    # below it, removed afterwards. None: no spilling (a query that does not fit fails).
    temp_directory: Path | None = None
    # Collect DuckDB's profile (CPU time, rows and bytes scanned, peak memory) for the stats.
    profile: bool = True


@dataclass(frozen=True)
class TableBinding:
    """One hunting table as a query sees it: these files, rows inside [start, end) only."""

    table: Table
    files: Sequence[Path]
    start: datetime
    end: datetime


@contextmanager
def sandbox(
    bindings: Sequence[TableBinding], settings: EngineSettings
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A sealed connection where each binding is a view named after its table."""
    spill = _spill_folder(settings)
    connection: duckdb.DuckDBPyConnection | None = None
    try:
        connection = _SPARES.take(settings)
        if spill is not None:
            connection.execute("SET temp_directory = $folder", {"folder": str(spill)})
        for binding in bindings:
            connection.execute(_view_sql(binding))
        allowed = sorted({str(path) for binding in bindings for path in binding.files})
        connection.execute("SET allowed_paths = $paths", {"paths": allowed})
        connection.execute("SET enable_external_access = false")
        connection.execute("SET lock_configuration = true")
        yield connection
    finally:
        if connection is not None and spill is None:
            # Tearing a database down takes milliseconds the caller need not wait for.
            _BACKGROUND.submit(connection.close)
        elif connection is not None:
            _close(connection, spill)  # a spill folder is gone when the query returns
        elif spill is not None:
            shutil.rmtree(spill, ignore_errors=True)
        _SPARES.refill(settings)


# Closing used databases and creating spare ones, one at a time, off the queries' path.
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duckdb-background")


def settle() -> None:
    """Wait until the background work queued so far (closing, spare databases) is done: a
    benchmark or a test that wants to measure or observe without it calls this."""
    _BACKGROUND.submit(lambda: None).result()


def _new_database(settings: EngineSettings) -> duckdb.DuckDBPyConnection:
    """An empty database configured for `settings`, not yet bound nor sealed."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "threads": settings.threads,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "allow_persistent_secrets": False,
        "temp_directory": "",  # no spilling unless the query's own folder is set
    }
    if settings.memory_limit is not None:
        config["memory_limit"] = settings.memory_limit
    connection = duckdb.connect(":memory:", config=config)
    try:
        # ICU is part of the Python build; a fixed zone keeps zone-aware functions deterministic.
        connection.execute("SET TimeZone = 'UTC'")
        # Views read every file's footer at creation; binding the query then reuses them.
        connection.execute("SET parquet_metadata_cache = true")
        if settings.profile:
            connection.execute("SET enable_profiling = 'no_output'")
    except BaseException:
        connection.close()
        raise
    return connection


def _spare_key(settings: EngineSettings) -> tuple[int, str | None, bool]:
    return (settings.threads, settings.memory_limit, settings.profile)


class _Spares:
    """At most one database prepared ahead per kind of settings (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: dict[tuple[int, str | None, bool], duckdb.DuckDBPyConnection] = {}
        self._pending: set[tuple[int, str | None, bool]] = set()

    def take(self, settings: EngineSettings) -> duckdb.DuckDBPyConnection:
        """A fresh database for one query: the spare if one is ready, else a new one."""
        with self._lock:
            spare = self._ready.pop(_spare_key(settings), None)
        return spare if spare is not None else _new_database(settings)

    def refill(self, settings: EngineSettings) -> None:
        """Prepare the next spare in the background, unless one is ready or on its way. Called
        when a query is done, so the work does not compete with the query for the cores."""
        key = _spare_key(settings)
        with self._lock:
            if key in self._ready or key in self._pending:
                return
            self._pending.add(key)
        _BACKGROUND.submit(self._prepare, key, settings)

    def _prepare(self, key: tuple[int, str | None, bool], settings: EngineSettings) -> None:
        try:
            spare: duckdb.DuckDBPyConnection | None = _new_database(settings)
        except duckdb.Error:  # the query itself will create one and report what fails
            spare = None
        with self._lock:
            self._pending.discard(key)
            if spare is not None and key not in self._ready:
                self._ready[key] = spare
                spare = None
        if spare is not None:  # pragma: no cover - only one is ever pending per key
            spare.close()


_SPARES = _Spares()


def _close(connection: duckdb.DuckDBPyConnection, spill: Path | None) -> None:
    connection.close()
    if spill is not None:
        shutil.rmtree(spill, ignore_errors=True)


def _spill_folder(settings: EngineSettings) -> Path | None:
    if settings.temp_directory is None:
        return None
    settings.temp_directory.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="query-", dir=settings.temp_directory))


def _view_sql(binding: TableBinding) -> str:
    if not binding.files:
        return _empty_view_sql(binding.table)  # the same for every query: rendered once
    return _create_view(binding).sql(dialect="duckdb")


@cache
def _empty_view_sql(table: Table) -> str:
    return _create_view(TableBinding(table, (), datetime.min, datetime.min)).sql(dialect="duckdb")


def _create_view(binding: TableBinding) -> exp.Create:
    return exp.Create(
        this=exp.to_table(binding.table.name, quoted=True),
        kind="VIEW",
        expression=view_query(binding),
    )


def view_query(binding: TableBinding) -> exp.Select:
    """The rows of one table a query may see, every column in schema order with its type."""
    table = binding.table
    if not binding.files:
        return exp.select(
            *(
                exp.alias_(exp.cast(exp.null(), _type(c.type)), c.name, quoted=True)
                for c in table.columns
            )
        ).where(exp.false())
    scan = exp.Anonymous(
        this="read_parquet",
        expressions=[
            exp.Array(expressions=[exp.Literal.string(str(path)) for path in binding.files]),
            _named("hive_partitioning", exp.false()),
        ],
    )
    query = exp.select(*(_stored_column(c.name, c.type) for c in table.columns)).from_(
        exp.Table(this=scan)
    )
    if table.time_column is not None:
        time = exp.column(table.time_column, quoted=True)
        query = query.where(
            exp.and_(time >= _timestamp(binding.start), time < _timestamp(binding.end))
        )
    return query


def _stored_column(name: str, kusto_type: KustoType) -> exp.Expr:
    column = exp.column(name, quoted=True)
    if kusto_type is KustoType.TIMESPAN:
        # Parquet has no duration type: the lake's durations come back as microsecond counts.
        converted = exp.Anonymous(this="to_microseconds", expressions=[column])
        return exp.alias_(converted, name, quoted=True)
    return column


def _type(kusto_type: KustoType) -> exp.DataType:
    return _parsed_type(kusto_type).copy()


@cache
def _parsed_type(kusto_type: KustoType) -> exp.DataType:
    return exp.DataType.build(DUCKDB_TYPES[kusto_type], dialect="duckdb")


def _named(name: str, value: exp.Expr) -> exp.Expr:
    return exp.PropertyEQ(this=exp.to_identifier(name), expression=value)


def _timestamp(moment: datetime) -> exp.Expr:
    return exp.cast(exp.Literal.string(moment.isoformat(sep=" ")), _type(KustoType.DATETIME))
