"""`run_hunting_query`: KQL text in, one tenant's result out.

The wiring is tested with a stand-in compiler (so it runs whatever the state of the KQL
package); the end-to-end tests use the real compiler once `xdrlab.kql` exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest

import xdrlab.kql
from tests.engine.conftest import NOW, TENANT_A, TENANT_B, Lab, compiled
from xdrlab.engine import HuntingWindow, QueryTimeout, run_hunting_query
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.kql.diagnostics import Diagnostic, KqlError
from xdrlab.lake.schema import KustoType, Table, hunting_tables


class StandIn:
    """Records what the engine asked the compiler, answers with a prepared tree."""

    def __init__(self, answer: CompiledQuery | KqlError) -> None:
        self.answer = answer
        self.calls: list[tuple[str, Mapping[str, Table], datetime]] = []

    def __call__(
        self, text: str, tables: Mapping[str, Table], *, now: datetime, probe: object = None
    ) -> CompiledQuery:
        self.calls.append((text, tables, now))
        if isinstance(self.answer, KqlError):
            raise self.answer
        return self.answer


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    fake = StandIn(
        compiled(
            'SELECT "DeviceName" FROM "DeviceProcessEvents" ORDER BY "Timestamp" DESC',
            [("DeviceName", KustoType.STRING)],
            ["DeviceProcessEvents"],
        )
    )
    monkeypatch.setattr(xdrlab.kql, "compile_query", fake, raising=False)
    return fake


def names(rows: list[dict[str, Any]]) -> list[Any]:
    return [row["DeviceName"] for row in rows]


def test_compiles_with_the_hunting_schema_and_the_same_now(lab: Lab, stand_in: StandIn) -> None:
    result = run_hunting_query(lab.lake, TENANT_A, "DeviceProcessEvents", now=NOW)
    assert names(result.json_rows()) == ["alpha-1", "alpha-2", "alpha-3"]
    [(text, tables, now)] = stand_in.calls
    assert text == "DeviceProcessEvents"
    assert tables == hunting_tables()
    assert now == NOW


def test_the_default_window_is_the_last_30_days_before_now(lab: Lab, stand_in: StandIn) -> None:
    later = run_hunting_query(lab.lake, TENANT_B, "q", now=NOW + timedelta(days=10))
    assert names(later.json_rows()) == ["bravo-1", "bravo-2"]  # bravo-3 is 39 days old then


def test_window_row_limit_and_timeout_are_passed_on(lab: Lab, stand_in: StandIn) -> None:
    window = HuntingWindow.parse("P3D", now=NOW)
    result = run_hunting_query(lab.lake, TENANT_A, "q", now=NOW, window=window, row_limit=1)
    assert names(result.json_rows()) == ["alpha-1"]
    assert result.stats.truncated
    stand_in.answer = compiled(
        "SELECT sum(a.range * b.range) AS x FROM range(1000000000) a, range(1000000) b",
        [("x", KustoType.LONG)],
    )
    with pytest.raises(QueryTimeout):
        run_hunting_query(lab.lake, TENANT_A, "q", now=NOW, timeout_seconds=0.3)


def test_kql_errors_pass_through_unchanged(lab: Lab, stand_in: StandIn) -> None:
    error = KqlError(Diagnostic("KQL0001", "A recognition error occurred.", 1, 5))
    stand_in.answer = error
    with pytest.raises(KqlError) as caught:
        run_hunting_query(lab.lake, TENANT_A, "DeviceProcessEvents |", now=NOW)
    assert caught.value is error


def test_end_to_end_filter_and_project(lab: Lab) -> None:
    result = run_hunting_query(
        lab.lake,
        TENANT_A,
        "DeviceProcessEvents | where Timestamp > ago(3d) | project DeviceName, ProcessId",
        now=NOW,
    )
    assert sorted(result.json_rows(), key=lambda row: row["ProcessId"]) == [
        {"DeviceName": "alpha-1", "ProcessId": 1},
        {"DeviceName": "alpha-2", "ProcessId": 2},
    ]
    assert result.schema_json() == [
        {"Name": "DeviceName", "Type": "String"},
        {"Name": "ProcessId", "Type": "Int64"},
    ]


def test_end_to_end_sees_only_the_callers_tenant(lab: Lab) -> None:
    result = run_hunting_query(lab.lake, TENANT_B, "DeviceProcessEvents | count", now=NOW)
    assert [list(row.values()) for row in result.json_rows()] == [[3]]


def test_end_to_end_compile_errors_are_kql_errors(lab: Lab) -> None:
    with pytest.raises(KqlError):
        run_hunting_query(lab.lake, TENANT_A, "NoSuchTable | take 1", now=NOW)


def test_end_to_end_types_reach_json(lab: Lab) -> None:
    result = run_hunting_query(
        lab.lake,
        TENANT_A,
        "DeviceProcessEvents | where ProcessId == 1"
        " | project Timestamp, Age = now() - Timestamp, Bag = dynamic({'a': [1, 2]}),"
        " Half = todouble(ProcessId) / 2, Big = ProcessId > 0",
        now=NOW,
    )
    assert result.json_rows() == [
        {
            "Timestamp": "2024-06-15T11:00:00.0000000Z",
            "Age": "01:00:00",
            "Bag": {"a": [1, 2]},
            "Half": 0.5,
            "Big": True,
        }
    ]
    assert [c["Type"] for c in result.schema_json()] == [
        "DateTime",
        "TimeSpan",
        "Object",
        "Double",
        "Boolean",
    ]


def test_end_to_end_runtime_errors_are_engine_errors(lab: Lab) -> None:
    from xdrlab.engine import ExecutionFailed

    with pytest.raises(ExecutionFailed):
        run_hunting_query(
            lab.lake, TENANT_A, "DeviceProcessEvents | where FileName matches regex '('", now=NOW
        )


def test_end_to_end_bag_unpack_probes_only_the_callers_tenant_and_window(lab: Lab) -> None:
    query = (
        "DeviceProcessEvents | project Id = ProcessId, b = bag_pack(DeviceName, ProcessId)"
        " | evaluate bag_unpack(b, 'n_') | sort by Id asc"
    )
    result = run_hunting_query(lab.lake, TENANT_A, query, now=NOW)
    assert [c["Name"] for c in result.schema_json()] == [
        "Id",
        "n_alpha-1",
        "n_alpha-2",
        "n_alpha-3",
    ]
    assert list(result.json_rows()[0].values())[:2] == [1, 1]
    short = HuntingWindow(NOW - timedelta(days=3), NOW)
    result = run_hunting_query(lab.lake, TENANT_A, query, now=NOW, window=short)
    assert [c["Name"] for c in result.schema_json()] == ["Id", "n_alpha-1", "n_alpha-2"]
    result = run_hunting_query(
        lab.lake,
        TENANT_B,
        "DeviceProcessEvents | project DeviceName | evaluate pivot(DeviceName)",
        now=NOW,
    )
    assert all(not c["Name"].startswith("alpha") for c in result.schema_json())
