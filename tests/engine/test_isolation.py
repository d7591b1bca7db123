# ruff: noqa: S608  (hostile SQL text is the point of these tests)
"""A query sees its own tenant's files for its window, and can touch nothing else.

The hostile trees here are built with sqlglot directly (the KQL compiler never emits them): they
prove the engine's sandbox on its own.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from tests.engine.conftest import NOW, TENANT_A, TENANT_B, Lab, compiled
from xdrlab.engine import HuntingError, QueryRejected
from xdrlab.engine import sandbox as sandbox_module
from xdrlab.engine.failures import OUTSIDE_MESSAGE
from xdrlab.engine.sandbox import EngineSettings, sandbox, settle
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.lake.schema import KustoType

DEVICES = compiled(
    'SELECT "DeviceName" FROM "DeviceProcessEvents" ORDER BY "DeviceName"',
    [("DeviceName", KustoType.STRING)],
    ["DeviceProcessEvents"],
)


def names(lab: Lab, tenant: str) -> list[str]:
    result = lab.engine.execute(DEVICES, tenant, lab.window())
    return [row["DeviceName"] for row in result.json_rows()]


def test_each_tenant_reads_only_its_own_rows(lab: Lab) -> None:
    assert names(lab, TENANT_A) == ["alpha-1", "alpha-2", "alpha-3"]
    assert names(lab, TENANT_B) == ["bravo-1", "bravo-2", "bravo-3"]


def test_static_tables_are_per_tenant_too(lab: Lab) -> None:
    query = compiled(
        'SELECT "SoftwareName" FROM "DeviceTvmSoftwareInventory"',
        [("SoftwareName", KustoType.STRING)],
        ["DeviceTvmSoftwareInventory"],
    )
    result = lab.engine.execute(query, TENANT_B, lab.window())
    assert result.json_rows() == [{"SoftwareName": "bravo-editor"}]


def test_a_tenant_without_data_sees_empty_tables(lab: Lab) -> None:
    assert names(lab, "11111111-2222-3333-4444-555555555555") == []


def _escapes(lab: Lab) -> list[str]:
    other = lab.files[TENANT_B][0]
    own = lab.files[TENANT_A][0]
    target = own.parent / "written.csv"
    return [
        f"SELECT * FROM read_parquet('{other}')",
        f"SELECT * FROM read_parquet(['{own}', '{other}'])",
        f"SELECT * FROM read_parquet('{own.parent.parent.parent.parent}/*/*/*/*.parquet')",
        f"SELECT * FROM read_parquet('{own.parent}/../../../{TENANT_B}/DeviceProcessEvents/*/*.parquet')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        f"SELECT * FROM read_blob('{other}')",
        f"SELECT * FROM glob('{own.parent.parent.parent.parent}/*')",
        f"SELECT * FROM query('SELECT * FROM read_parquet(''{other}'')')",
        f'SELECT "DeviceName" FROM "DeviceProcessEvents" UNION ALL SELECT "DeviceName" FROM read_parquet(\'{other}\')',
        f"SELECT * FROM \"DeviceProcessEvents\" WHERE EXISTS (SELECT 1 FROM read_csv('{target}'))",
    ]


def test_reading_any_other_file_is_refused(lab: Lab) -> None:
    for sql in _escapes(lab):
        query = compiled(sql, [("x", KustoType.STRING)], ["DeviceProcessEvents"])
        with pytest.raises(HuntingError) as caught:
            lab.engine.execute(query, TENANT_A, lab.window())
        assert isinstance(caught.value, QueryRejected), sql
        assert caught.value.message == OUTSIDE_MESSAGE, sql
        assert str(lab.lake.root) not in caught.value.message


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO '{target}'",
        "COPY \"DeviceProcessEvents\" TO '{target}' (FORMAT csv)",
        "COPY (SELECT 1 AS a) TO '{own}' (USE_TMP_FILE false)",
        "ATTACH '{target}' AS stolen",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "EXPORT DATABASE '{folder}'",
        "CREATE TABLE t AS SELECT 1",
        "PRAGMA database_list",
    ],
)
def test_statements_other_than_one_select_never_run(lab: Lab, sql: str) -> None:
    own = lab.files[TENANT_A][0]
    before = own.read_bytes()
    target = own.parent / "written.csv"
    text = sql.format(target=target, own=own, folder=own.parent / "exported")
    query = _raw_query(text)
    with pytest.raises(QueryRejected):
        lab.engine.execute(query, TENANT_A, lab.window())
    assert sorted(p.name for p in own.parent.iterdir()) == [own.name]
    assert own.read_bytes() == before


def test_the_sealed_connection_refuses_writes_and_settings_by_itself(lab: Lab) -> None:
    """Below the single-SELECT check: DuckDB itself refuses, because of the sandbox settings.

    One thing DuckDB alone does not refuse: ``COPY ... TO`` one of the bound files themselves
    with ``USE_TMP_FILE false`` (an allowed path is allowed for writing too). Only the
    single-SELECT check stops that, and the test above proves it does.
    """
    binding = lab.engine._bind("DeviceProcessEvents", TENANT_A, lab.window())
    own = binding.files[0]
    attempts = [
        f"COPY (SELECT 1) TO '{own.parent / 'written.csv'}'",
        f"COPY (SELECT 1 AS a) TO '{own.parent / 'new.parquet'}' (USE_TMP_FILE false)",
        f"COPY (SELECT 1 AS a) TO '{own}'",
        f"ATTACH '{own.parent / 'db.duckdb'}' AS stolen",
        f"EXPORT DATABASE '{own.parent / 'exported'}'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        "SET lock_configuration = false",
        "SET threads = 64",
    ]
    before = own.read_bytes()
    with sandbox([binding], EngineSettings(threads=1)) as connection:
        assert connection.sql('SELECT count(*) FROM "DeviceProcessEvents"').fetchall() == [(3,)]
        for sql in attempts:
            with pytest.raises(duckdb.Error):
                connection.execute(sql)
                pytest.fail(f"DuckDB ran: {sql}")
    assert sorted(p.name for p in own.parent.iterdir()) == [own.name]
    assert own.read_bytes() == before


def test_each_query_gets_a_database_of_its_own_prepared_ahead(lab: Lab) -> None:
    """The database a query gets was created in the background before it asked, holds nothing
    of any other query, is sealed like one created on the spot, and is closed afterwards."""
    settings = EngineSettings(threads=1, memory_limit="256MB")
    processes = lab.engine._bind("DeviceProcessEvents", TENANT_A, lab.window())
    devices = lab.engine._bind("DeviceInfo", TENANT_B, lab.window())
    with sandbox([processes], settings) as first:
        assert first.sql('SELECT count(*) FROM "DeviceProcessEvents"').fetchall() == [(3,)]
    settle()
    spare = sandbox_module._SPARES._ready[(1, "256MB", True)]
    assert spare is not first
    with sandbox([devices], settings) as second:
        assert second is spare
        views = second.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        assert views == [("DeviceInfo",)]
        for sql in ("SET threads = 4", "SET enable_external_access = true", "INSTALL httpfs"):
            with pytest.raises(duckdb.Error):
                second.execute(sql)
        with pytest.raises(duckdb.Error):
            second.sql(f"SELECT count(*) FROM read_parquet('{processes.files[0]}')").fetchall()
    settle()
    for used in (first, second):
        with pytest.raises(duckdb.ConnectionException):
            used.execute("SELECT 1")


def test_unknown_table_names_are_refused(lab: Lab) -> None:
    query = compiled("SELECT 1 AS x", [("x", KustoType.LONG)], ["NotAHuntingTable"])
    with pytest.raises(QueryRejected):
        lab.engine.execute(query, TENANT_A, lab.window())


def test_the_tenant_id_must_be_a_guid(lab: Lab) -> None:
    with pytest.raises(ValueError):
        lab.engine.execute(DEVICES, "../" + TENANT_B, lab.window())


def _raw_query(sql: str) -> CompiledQuery:
    """A CompiledQuery whose tree renders to `sql` whatever it is (sqlglot's Copy, Command...)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.ParseError:
        tree = exp.Command(this=sql)
    return replace(DEVICES, tree=tree)  # type: ignore[arg-type]


def test_a_select_tree_smuggling_a_second_statement_never_runs(lab: Lab) -> None:
    """A Select node whose rendered text holds two statements (raw text in a Var node)."""
    own = lab.files[TENANT_A][0]
    smuggled = exp.select(exp.var(f"1 AS x; COPY (SELECT 1) TO '{own.parent / 'written.csv'}'"))
    query = replace(DEVICES, tree=smuggled)
    with pytest.raises(QueryRejected):
        lab.engine.execute(query, TENANT_A, lab.window())
    assert sorted(p.name for p in own.parent.iterdir()) == [own.name]


def test_files_outside_the_window_are_not_even_bound(lab: Lab) -> None:
    binding = lab.engine._bind("DeviceProcessEvents", TENANT_A, lab.window())
    days = sorted(Path(f).parent.name for f in binding.files)
    # 31 days back is not bound; the window's first day is (it holds the "edge" row).
    assert days[0] == (NOW.date().fromordinal(NOW.date().toordinal() - 30)).isoformat()
    assert all(str(f).startswith(str(lab.lake.tenant_root(TENANT_A))) for f in binding.files)
