"""Golden files per operator: `golden/<operator>/<case>.kql`, with next to each
`<case>.sql` (the DuckDB SQL it compiles to, pretty-printed) and `<case>.result` (what the query
returns, written by hand from Kusto's semantics: columns with Kusto types, and rows as the
hunting API's JSON values; or the diagnostic a refused query gets).

Inputs are `datatable(...)` literals inside the queries, so the cases need no lake data; each
runs end to end through `run_hunting_query` on an empty lake (the embedded engine, its sandbox
and the API's JSON conversion), probes included.

After a deliberate compiler change, `XDRLAB_UPDATE_GOLDEN=1 pytest tests/kql/test_golden.py`
rewrites the `.sql` files (review the diff). `.result` files are never written by the test.

`.result` format (JSON): {"columns": ["Name:type", ...], "rows": [[...], ...], "ordered": bool}
where "ordered": false compares rows as a multiset (Kusto promises no order there); or
{"error": {"code": "KQL_...", "line": L, "column": C}} for a query that must be refused.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from xdrlab.engine import EmbeddedEngine, HuntingWindow
from xdrlab.engine.hunting import run_hunting_query
from xdrlab.kql import CompiledQuery, KqlError, compile_query, render_sql
from xdrlab.lake.schema import hunting_tables
from xdrlab.lake.store import Lake

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2024, 5, 1, 12, 0, 0)
TENANT = "00000000-0000-0000-0000-00000000aaaa"
UPDATE = os.environ.get("XDRLAB_UPDATE_GOLDEN") == "1"
CASES = sorted(GOLDEN.glob("*/*.kql"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _expected(case: Path) -> dict[str, Any]:
    data = json.loads(case.with_suffix(".result").read_text())
    assert isinstance(data, dict)
    return data


def _compile(lake: Lake, text: str) -> CompiledQuery:
    """Compiled as the API compiles it: with a probe for data-dependent columns."""
    tables = hunting_tables()

    def probe(query: CompiledQuery) -> list[tuple[Any, ...]]:
        engine = EmbeddedEngine(lake, tables=tables)
        result = engine.execute(query, TENANT, HuntingWindow.default(NOW), timeout_seconds=30)
        return [tuple(row.values()) for row in result.rows.to_pylist()]

    return compile_query(text, tables, now=NOW, probe=probe)


def _canonical(row: list[Any]) -> str:
    return json.dumps(row, sort_keys=True)


def test_every_operator_directory_has_cases() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        assert case.with_suffix(".result").is_file(), f"{_id(case)}: no .result"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_compiles_to_the_golden_sql(case: Path, tmp_path: Path) -> None:
    expected = _expected(case)
    golden = case.with_suffix(".sql")
    if "error" in expected:
        assert not golden.exists(), f"{_id(case)} is refused: it has no SQL"
        return
    sql = render_sql(_compile(Lake(tmp_path), case.read_text())) + "\n"
    if UPDATE:
        golden.write_text(sql)
    assert golden.is_file(), f"{_id(case)}: no .sql (XDRLAB_UPDATE_GOLDEN=1 writes it)"
    assert sql == golden.read_text()


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_returns_the_golden_result(case: Path, tmp_path: Path) -> None:
    expected = _expected(case)
    text = case.read_text()
    lake = Lake(tmp_path)
    if "error" in expected:
        with pytest.raises(KqlError) as refused:
            run_hunting_query(lake, TENANT, text, now=NOW)
        d = refused.value.diagnostic
        assert {"code": d.code, "line": d.line, "column": d.column} == expected["error"]
        return
    result = run_hunting_query(lake, TENANT, text, now=NOW)
    columns = [f"{c.name}:{c.type.value}" for c in result.columns]
    assert columns == expected["columns"]
    # Through JSON and back, as a client reads the API's body.
    rows = json.loads(json.dumps([list(row.values()) for row in result.json_rows()]))
    if expected["ordered"]:
        assert rows == expected["rows"]
    else:
        assert Counter(map(_canonical, rows)) == Counter(map(_canonical, expected["rows"]))
