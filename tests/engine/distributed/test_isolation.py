"""Each query's Spark views read the calling tenant's files for the window, nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.engine.conftest import NOW, TENANT_A, TENANT_B, Lab, compiled, table
from xdrlab.engine import HuntingWindow, QueryTimeout
from xdrlab.engine.distributed import SparkEngine, SparkSettings
from xdrlab.engine.distributed.session import query_session
from xdrlab.engine.distributed.views import register
from xdrlab.lake.schema import KustoType

NAMES = compiled(
    'SELECT "DeviceName" FROM "DeviceProcessEvents" ORDER BY "DeviceName"',
    [("DeviceName", KustoType.STRING)],
    ["DeviceProcessEvents"],
)


def _files(lab: Lab, tenant: str) -> list[str]:
    window = lab.window()
    return [
        str(p)
        for p in lab.lake.files(tenant, table("DeviceProcessEvents"), window.start, window.end)
    ]


def test_views_read_only_the_tenants_files(lab: Lab, spark_settings: SparkSettings) -> None:
    window = lab.window()
    processes = table("DeviceProcessEvents")
    first, second = query_session(spark_settings), query_session(spark_settings)
    register(first, processes, _files(lab, TENANT_A), window.start, window.end)
    register(second, processes, _files(lab, TENANT_B), window.start, window.end)
    for spark, tenant, other in ((first, TENANT_A, TENANT_B), (second, TENANT_B, TENANT_A)):
        view = spark.table("DeviceProcessEvents")
        read = {Path(f.removeprefix("file://")) for f in view.inputFiles()}
        assert read, "the view reads no file"
        assert all(lab.lake.tenant_root(tenant) in p.parents for p in read)
        assert not any(lab.lake.tenant_root(other) in p.parents for p in read)


def test_a_query_sees_its_tenants_rows_in_the_window(
    lab: Lab, spark_settings: SparkSettings
) -> None:
    engine = SparkEngine(lab.lake, spark_settings)
    result = engine.execute(NAMES, TENANT_A, lab.window())
    assert result.rows.column("DeviceName").to_pylist() == ["alpha-1", "alpha-2", "alpha-3"]
    assert result.stats.files_read == len(_files(lab, TENANT_A))
    other = engine.execute(NAMES, TENANT_B, lab.window())
    assert other.rows.column("DeviceName").to_pylist() == ["bravo-1", "bravo-2", "bravo-3"]


def test_an_empty_window_is_an_empty_typed_table(lab: Lab, spark_settings: SparkSettings) -> None:
    engine = SparkEngine(lab.lake, spark_settings)
    empty = HuntingWindow(NOW - timedelta(days=1), NOW - timedelta(days=1))
    result = engine.execute(NAMES, TENANT_A, empty)
    assert result.num_rows == 0
    assert result.stats.files_read == 0


def test_row_limit_truncates(lab: Lab, spark_settings: SparkSettings) -> None:
    result = SparkEngine(lab.lake, spark_settings).execute(
        NAMES, TENANT_A, lab.window(), row_limit=2
    )
    assert result.rows.column("DeviceName").to_pylist() == ["alpha-1", "alpha-2"]
    assert result.stats.truncated


def test_deadline(lab: Lab, spark_settings: SparkSettings) -> None:
    with pytest.raises(QueryTimeout):
        SparkEngine(lab.lake, spark_settings).execute(
            NAMES, TENANT_A, lab.window(), timeout_seconds=0.001
        )
