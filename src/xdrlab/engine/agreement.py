"""Whether two engines' results for one query agree, as Kusto lets them differ.

Rows are compared as the hunting API serves them, each as canonical JSON with reals rounded
to nine significant digits (engines sum in different orders). Order counts only where the
query's outermost ORDER BY tells every returned row apart; otherwise rows are a multiset.
The two-engine tests and the corpus benchmark compare DuckDB's and Spark's results with it.
"""

from __future__ import annotations

import json
import math
from typing import Any

from xdrlab.kql.compiled import CompiledQuery


def canonical_row(row: dict[str, Any]) -> str:
    """One result row (as `HuntingResult.json_rows` gives it) as comparable text."""
    return json.dumps({k: _rounded(v) for k, v in row.items()}, sort_keys=True)


def totally_ordered(compiled: CompiledQuery, rows: list[dict[str, Any]]) -> bool:
    """Whether the outermost ORDER BY keys tell every returned row apart."""
    order = compiled.tree.args.get("order")
    if order is None:
        return False
    names = [o.this.name for o in order.expressions]
    if not names or not all(n in (c.name for c in compiled.columns) for n in names):
        return False
    keys = [tuple(json.dumps(r[n], sort_keys=True) for n in names) for r in rows]
    return len(set(keys)) == len(keys)


def _rounded(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.9g}")  # reals agree to nine significant digits
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
