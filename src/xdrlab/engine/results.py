"""A hunting query's result, and its JSON form as the hunting APIs return it.

Rows stay in Arrow until someone asks for JSON; rendering works column by column with Arrow
compute where it can (datetimes, strings, numbers) and touches Python values one by one only
where Kusto's JSON needs it (dynamic, timespan, non-finite reals).

Kusto's JSON conventions followed here: datetimes are ISO 8601 UTC with seven fractional digits
and a ``Z``; timespans are ``[-][d.]hh:mm:ss[.fffffff]``; dynamic values are embedded as the JSON
they hold; strings are never null (Kusto has no null string, so a SQL NULL is ``""``); reals
that JSON cannot express are the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` (what
.NET's JSON writer the service uses emits); decimals are strings, which keeps their precision.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.kql.compiled import RenderHint
from xdrlab.lake.schema import Column, KustoType
from xdrlab.timefmt import iso7

_TICKS_PER_SECOND = 10_000_000
_NANOS_PER_TICK = 100
_NANOS_PER_DAY = 86_400 * 1_000_000_000


@dataclass(frozen=True)
class ExecutionStats:
    elapsed_seconds: float
    rows_returned: int
    truncated: bool
    files_read: int
    result_bytes: int
    # From DuckDB's profile when it was collected; None when it was not.
    cpu_seconds: float | None = None
    rows_scanned: int | None = None
    bytes_read: int | None = None
    peak_memory_bytes: int | None = None


@dataclass(frozen=True)
class HuntingResult:
    columns: tuple[Column, ...]
    rows: pa.Table  # in `columns` order and names; JSON on demand
    render: RenderHint | None
    stats: ExecutionStats

    @property
    def num_rows(self) -> int:
        return int(self.rows.num_rows)

    def schema_json(self) -> list[dict[str, str]]:
        """``[{"Name": ..., "Type": ...}]`` with the .NET type names the APIs use."""
        return [{"Name": c.name, "Type": c.type.api_name} for c in self.columns]

    def json_rows(self) -> list[dict[str, Any]]:
        """Every row as an object keyed by column name, in column order, JSON-ready."""
        names = [c.name for c in self.columns]
        values = [
            json_values(column.type, self.rows.column(index))
            for index, column in enumerate(self.columns)
        ]
        if not values:
            return [{} for _ in range(self.num_rows)]
        # Columns of one Arrow table have one length; strict zips cost a third more here.
        return [dict(zip(names, row, strict=False)) for row in zip(*values, strict=False)]


def json_values(kusto_type: KustoType, data: pa.ChunkedArray | pa.Array) -> list[Any]:
    """One column's values as JSON-ready Python values."""
    return _RENDERERS[kusto_type](data)


def _strings(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if not pa.types.is_string(data.type):
        data = data.cast(pa.string()) if _castable(data.type) else _python(data, _plain_text)
    return pc.fill_null(data, "").to_pylist()  # type: ignore[no-any-return]


def _guids(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if not pa.types.is_string(data.type):
        data = data.cast(pa.string()) if _castable(data.type) else _python(data, _plain_text)
    return data.to_pylist()  # type: ignore[no-any-return]


def _datetimes(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if pa.types.is_date(data.type):
        data = data.cast(pa.timestamp("us"))
    if not pa.types.is_timestamp(data.type):
        return [None if v is None else format_datetime(v) for v in data.to_pylist()]
    # Arrow keeps UTC underneath: dropping the zone leaves the UTC wall clock. Casting to text
    # prints every fractional digit of the unit (six for us, nine for ns; Kusto shows seven
    # 100 ns ticks) and is several times faster than strftime.
    unit = "ns" if data.type.unit == "ns" else "us"
    text = data.cast(pa.timestamp(unit), safe=False).cast(pa.string())
    text = pc.replace_substring(text, " ", "T", max_replacements=1)
    if unit == "ns":
        ticks = pc.utf8_slice_codeunits(text, 0, len("2000-01-01T00:00:00.0000000"))
        return pc.binary_join_element_wise(ticks, "Z", "").to_pylist()  # type: ignore[no-any-return]
    return pc.binary_join_element_wise(text, "0Z", "").to_pylist()  # type: ignore[no-any-return]


def _integers(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if pa.types.is_integer(data.type):
        return data.to_pylist()  # type: ignore[no-any-return]
    # DuckDB widens integer sums to 128 bits, which Arrow carries as decimal128(38, 0).
    return [None if v is None else int(v) for v in data.to_pylist()]


def _booleans(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if not pa.types.is_boolean(data.type):
        data = data.cast(pa.bool_())
    return data.to_pylist()  # type: ignore[no-any-return]


def _reals(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if not pa.types.is_float64(data.type):
        data = data.cast(pa.float64())
    values: list[Any] = data.to_pylist()
    if pc.all(pc.or_kleene(pc.is_finite(data), pc.is_null(data))).as_py() is not False:
        return values
    return [_real(v) for v in values]


def _real(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _decimals(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    return [None if v is None else _decimal_text(v) for v in data.to_pylist()]


def _decimal_text(value: Any) -> str:
    if isinstance(value, float):
        return str(_real(value)) if not math.isfinite(value) else repr(value)
    return str(value)


def _timespans(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    return [None if v is None else format_timespan(_ticks(v)) for v in data.to_pylist()]


def _dynamics(data: pa.ChunkedArray | pa.Array) -> list[Any]:
    if pa.types.is_string(data.type) or pa.types.is_large_string(data.type):
        return [None if v is None else json.loads(v) for v in data.to_pylist()]
    return [_plain(v) for v in data.to_pylist()]


_RENDERERS: dict[KustoType, Callable[[pa.ChunkedArray | pa.Array], list[Any]]] = {
    KustoType.STRING: _strings,
    KustoType.DATETIME: _datetimes,
    KustoType.LONG: _integers,
    KustoType.INT: _integers,
    KustoType.BOOL: _booleans,
    KustoType.REAL: _reals,
    KustoType.DYNAMIC: _dynamics,
    KustoType.GUID: _guids,
    KustoType.TIMESPAN: _timespans,
    KustoType.DECIMAL: _decimals,
}


format_datetime = iso7


def format_timespan(ticks: int) -> str:
    """Kusto's timespan text: ``[-][d.]hh:mm:ss[.fffffff]`` from 100-nanosecond ticks."""
    sign = "-" if ticks < 0 else ""
    ticks = abs(ticks)
    seconds, fraction = divmod(ticks, _TICKS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    text = f"{sign}{f'{days}.' if days else ''}{hour:02d}:{minute:02d}:{second:02d}"
    return f"{text}.{fraction:07d}" if fraction else text


def _ticks(value: Any) -> int:
    if isinstance(value, timedelta):
        return (value // timedelta(microseconds=1)) * 10
    if isinstance(value, int):  # a microsecond count, the lake's duration unit
        return value * 10
    # DuckDB INTERVAL arrives as Arrow month_day_nano; Kusto timespans have no months.
    months, days, nanos = value.months, value.days, value.nanoseconds
    total = (months * 30 + days) * _NANOS_PER_DAY + nanos
    return int(total // _NANOS_PER_TICK)


def _plain(value: Any) -> Any:
    """A nested Arrow value (list, struct, map) as JSON-ready Python."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _real(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return format_datetime(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_timespan(_ticks(value))
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if all(isinstance(item, tuple) and len(item) == 2 for item in value) and value:
            return {str(k): _plain(v) for k, v in value}  # Arrow maps are key/value pairs
        return [_plain(item) for item in value]
    if hasattr(value, "nanoseconds"):
        return format_timespan(_ticks(value))
    return str(value)


def _plain_text(value: Any) -> str:
    plain = _plain(value)
    return plain if isinstance(plain, str) else json.dumps(plain, separators=(",", ":"))


def _castable(arrow_type: pa.DataType) -> bool:
    return not (
        pa.types.is_nested(arrow_type)
        or pa.types.is_interval(arrow_type)
        or pa.types.is_timestamp(arrow_type)
    )


def _python(data: pa.ChunkedArray | pa.Array, convert: Callable[[Any], str]) -> pa.Array:
    return pa.array([None if v is None else convert(v) for v in data.to_pylist()], pa.string())
