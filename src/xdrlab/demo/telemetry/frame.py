"""Shaping generated columns into a hunting table's exact Arrow schema.

Columns not given are filled the way Defender fills them: empty strings for string-like
columns (Kusto has no null strings), nulls for everything else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from xdrlab.lake.schema import KustoType, Table, hunting_table

_STRINGY = (KustoType.STRING, KustoType.GUID)


def table_def(name: str) -> Table:
    table = hunting_table(name)
    if table is None:
        raise KeyError(name)
    return table


def assemble(name: str, n: int, columns: Mapping[str, Any]) -> pa.Table:
    """Build `name`'s table of `n` rows from arrays or scalars (scalars repeat)."""
    table = table_def(name)
    unknown = set(columns) - {c.name for c in table.columns}
    if unknown:
        raise KeyError(f"{name} has no columns {sorted(unknown)}")
    arrays = []
    for column in table.columns:
        target = column.type.arrow_type
        value = columns.get(column.name)
        arrays.append(_column(value, n, column.type, target))
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema)


def _column(value: Any, n: int, kusto: KustoType, target: pa.DataType) -> pa.Array:
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        array = value
    else:
        if value is None and kusto in _STRINGY:
            value = ""
        if kusto is KustoType.DYNAMIC:
            storage = pa.array([_json(value)] * n, pa.string())
            return pa.ExtensionArray.from_storage(target, storage)
        scalar_type = pa.string() if kusto in _STRINGY else target
        array = pa.array([value] * n, scalar_type) if value is not None else pa.nulls(n, target)
    if len(array) != n:
        raise ValueError(f"column has {len(array)} rows, expected {n}")
    if kusto is KustoType.DYNAMIC:
        if isinstance(array.type, pa.ExtensionType):
            return array
        return pa.ExtensionArray.from_storage(target, array.cast(pa.string()))
    if array.type != target:
        array = array.cast(target)
    if kusto in _STRINGY and array.null_count:
        array = array.fill_null("")
    return array


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return dumps(value)


def dumps(value: Any) -> str:
    """Compact JSON, the way the service serialises dynamic values."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds") + "Z"
    raise TypeError(type(value).__name__)


def from_rows(name: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Build a table from hand-written rows (stories); each row names only the columns it sets."""
    table = table_def(name)
    columns: dict[str, Any] = {}
    for column in table.columns:
        values = [row.get(column.name) for row in rows]
        if column.type is KustoType.DYNAMIC:
            columns[column.name] = pa.array([_json(v) for v in values], pa.string())
        elif column.type in _STRINGY:
            columns[column.name] = pa.array(
                ["" if v is None else str(v) for v in values], pa.string()
            )
        else:
            columns[column.name] = pa.array(values, column.type.arrow_type)
    for row in rows:
        unknown = set(row) - {c.name for c in table.columns}
        if unknown:
            raise KeyError(f"{name} has no columns {sorted(unknown)}")
    return assemble(name, len(rows), columns)
