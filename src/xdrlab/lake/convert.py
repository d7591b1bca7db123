"""Turning input values into a column's Kusto type, or saying exactly why a value does not fit.

Each type has one rule, written once as a per-value function (the reference). Whole columns take
a vectorized Arrow path first; the fast path only accepts input the per-value rule accepts with
the same result, and when anything in a column does not fit it, the column goes value by value,
so every bad value gets its own reason.

The rules (an empty string means "no value" for every type but string):

- string: text; JSON numbers and booleans become their JSON text; objects and arrays are refused.
- long / int: integers in range, integral numbers (``3.0``) and integer text (``"42"``).
- bool: true / false, or the text ``true``/``false``/``1``/``0`` in any case; the numbers 1 and 0.
- real / decimal: numbers and numeric text (``1e3``, ``nan``, ``inf``); not booleans.
- datetime: ISO 8601 text — ``2024-05-01``, ``2024-05-01T12:34[:56[.1234567]]`` with ``T`` or a
  space, then ``Z``, ``+02:00``, ``+0200`` or ``+02`` (no zone means UTC); up to 9 fractional
  digits, truncated to microseconds; Python and Arrow datetimes (naive ones are UTC).
- dynamic: any JSON value, stored as compact JSON text. Text from CSV cells and Parquet string
  columns is read as JSON (Kusto's ``parse_json``: text that is not JSON is kept as a string,
  but text starting with ``{`` or ``[`` must be valid JSON). A JSON string value is kept as a
  string unless it holds a JSON object or array (as the hunting API returns dynamic values).
- guid: ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`` hex text, stored in lower case.
- timespan: Kusto's ``[-][d.]hh:mm[:ss[.fffffff]]`` or a Python timedelta.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.lake.schema import KustoType

__all__ = ["BadValue", "ColumnData", "convert_column", "convert_value"]

ColumnData: TypeAlias = "pa.Array | Sequence[Any]"
"""An input column: an Arrow array (CSV, Parquet) or Python values (JSON, ``ingest_rows``)."""

_INT_RANGES = {KustoType.LONG: (-(2**63), 2**63 - 1), KustoType.INT: (-(2**31), 2**31 - 1)}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)", re.I)
_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False}
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:([zZ])|([+-])(\d{2})(?::?(\d{2}))?)?)?"
)
# The canonical shape Arrow's own parser reads exactly like `_DATETIME` (checked before casting).
_CANONICAL_DATETIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)?$"
_TIMESPAN = re.compile(r"(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?")
_EXAMPLES = {
    KustoType.DATETIME: "e.g. 2024-05-01T12:34:56.1234567Z",
    KustoType.GUID: "e.g. 6f1c3a9e-0b5d-4c1e-9a7b-2d3e4f5a6b7c",
    KustoType.TIMESPAN: "e.g. 1.02:03:04.5",
}


class BadValue(ValueError):
    """A value that does not fit its column; the message is the reason shown to the user."""


# --- one value --------------------------------------------------------------------------------


def convert_value(kind: KustoType, value: Any, *, text_source: bool = False) -> Any:
    """The Python value `value` becomes in a `kind` column (None for no value), or BadValue.

    `text_source` says the value came from text that only spells values (a CSV cell), which
    matters for dynamic columns: there the text is read as JSON.
    """
    if kind is KustoType.STRING:
        return _to_string(value)
    if value is None or (value == "" and isinstance(value, str)):
        return None
    if kind is KustoType.DYNAMIC:
        return _to_dynamic(value, text_source)
    return _CONVERTERS[kind](value)


def _to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, datetime):
        return _datetime_text(value)
    raise BadValue(f"expected a string, got {_describe(value)} (only dynamic columns take those)")


def _to_integer(kind: KustoType) -> Callable[[Any], int]:
    low, high = _INT_RANGES[kind]

    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise BadValue(f"expected an integer, got {_describe(value)}")
        integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if integral or (isinstance(value, str) and _INTEGER.fullmatch(value)):
            number = int(value)
        else:
            raise BadValue(f"expected an integer, got {_describe(value)}")
        if not low <= number <= high:
            raise BadValue(f"{number} is out of range for {kind} ({low} to {high})")
        return number

    return convert


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _BOOL_TEXT:
        return _BOOL_TEXT[value.lower()]
    raise BadValue(f"expected true or false, got {_describe(value)}")


def _to_real(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue(f"expected a number, got {_describe(value)}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value)
    raise BadValue(f"expected a number, got {_describe(value)}")


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise BadValue(f"expected a datetime, got {_describe(value)}")
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise BadValue(f"not an ISO 8601 datetime: {value!r} ({_EXAMPLES[KustoType.DATETIME]})")
    year, month, day, hour, minute, second, fraction, _z, sign, off_h, off_m = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
        if sign:
            offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
            moment = moment - offset if sign == "+" else moment + offset
    except (ValueError, OverflowError) as error:
        raise BadValue(f"not a valid datetime: {value!r} ({error})") from None
    return moment


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _to_guid(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and _GUID.fullmatch(value):
        return value.lower()
    raise BadValue(f"expected a GUID, got {_describe(value)} ({_EXAMPLES[KustoType.GUID]})")


def _to_timespan(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _TIMESPAN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadValue(
            f"expected a timespan, got {_describe(value)} ({_EXAMPLES[KustoType.TIMESPAN]})"
        )
    minus, days, hours, minutes, seconds, fraction = match.groups()
    if int(minutes) > 59 or int(seconds or 0) > 59:
        raise BadValue(f"not a valid timespan: {value!r}")
    span = timedelta(
        days=int(days or 0),
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds or 0),
        microseconds=int((fraction or "0")[:6].ljust(6, "0")),
    )
    return -span if minus else span


def _to_dynamic(value: Any, text_source: bool) -> str:
    if isinstance(value, str):
        stripped = value.strip()
        structured = stripped[:1] in ("{", "[")
        if text_source or structured:
            try:
                value = json.loads(stripped, parse_constant=_no_constant)
            except ValueError as error:
                if structured:
                    raise BadValue(f"not valid JSON: {error}") from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise BadValue(f"{value} is not a JSON value")
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    except (TypeError, ValueError) as error:
        raise BadValue(f"not a JSON value: {error}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    raise TypeError(f"{type(value).__name__} is not JSON")


def _datetime_text(moment: datetime) -> str:
    return _naive_utc(moment).isoformat(timespec="microseconds") + "Z"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list | tuple):
        return "a JSON array"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"


_CONVERTERS: dict[KustoType, Callable[[Any], Any]] = {
    KustoType.LONG: _to_integer(KustoType.LONG),
    KustoType.INT: _to_integer(KustoType.INT),
    KustoType.BOOL: _to_bool,
    KustoType.REAL: _to_real,
    KustoType.DECIMAL: _to_real,
    KustoType.DATETIME: _to_datetime,
    KustoType.GUID: _to_guid,
    KustoType.TIMESPAN: _to_timespan,
}


# --- whole columns ----------------------------------------------------------------------------


class _SlowPath(Exception):
    """The vectorized path cannot take this column; go value by value."""


def convert_column(
    kind: KustoType, data: ColumnData, *, text_source: bool = False
) -> tuple[pa.Array, dict[int, str]]:
    """`data` as an Arrow array of `kind`'s lake type, and the reasons of the values that do
    not fit, by position (those positions hold nulls in the array)."""
    target = kind.arrow_type
    if isinstance(data, pa.ChunkedArray):
        data = data.combine_chunks()
    original: Sequence[Any] | None = None
    if not isinstance(data, pa.Array):
        original = data
        if kind is KustoType.DYNAMIC:
            return _value_by_value(kind, original, text_source)
        try:
            data = pa.array(original)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            return _value_by_value(kind, original, text_source)
    if pa.types.is_dictionary(data.type):
        data = data.dictionary_decode()
    try:
        fast = _FAST.get(kind)
        if fast is None:
            raise _SlowPath
        result = fast(data)
        if result.type != target:
            result = result.cast(target) if not pa.types.is_null(result.type) else result
        if pa.types.is_null(result.type):
            result = pa.nulls(len(data), target)
        if kind is KustoType.STRING:
            result = pc.fill_null(result, "")
        return result, {}
    except (_SlowPath, pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        values = original if original is not None else data.to_pylist()
        return _value_by_value(kind, values, text_source)


def _value_by_value(
    kind: KustoType, values: Sequence[Any], text_source: bool
) -> tuple[pa.Array, dict[int, str]]:
    out: list[Any] = []
    bad: dict[int, str] = {}
    for index, value in enumerate(values):
        try:
            out.append(convert_value(kind, value, text_source=text_source))
        except BadValue as error:
            bad[index] = str(error)
            out.append("" if kind is KustoType.STRING else None)
    if kind is KustoType.DYNAMIC:
        return pa.array(out, pa.string()).cast(kind.arrow_type), bad
    return pa.array(out, kind.arrow_type), bad


def _empty_to_null(data: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(data, ""), pa.scalar(None, data.type), data)


def _require(data: pa.Array, pattern: str) -> pa.Array:
    """The text values (empty ones as null) when all of them match `pattern`; else slow path."""
    if pa.types.is_large_string(data.type):
        data = data.cast(pa.string())
    data = _empty_to_null(data)
    if data.null_count < len(data) and not pc.all(pc.match_substring_regex(data, pattern)).as_py():
        raise _SlowPath
    return data


def _is_text(data: pa.Array) -> bool:
    return bool(pa.types.is_string(data.type) or pa.types.is_large_string(data.type))


def _fast_string(data: pa.Array) -> pa.Array:
    if _is_text(data) or pa.types.is_null(data.type):
        return data.cast(pa.string())
    if pa.types.is_integer(data.type) or pa.types.is_boolean(data.type):
        return data.cast(pa.string())
    raise _SlowPath


def _fast_integer(data: pa.Array) -> pa.Array:
    if pa.types.is_integer(data.type) or pa.types.is_null(data.type):
        return data
    if _is_text(data):
        return _require(data, r"^[+-]?\d+$").cast(pa.int64())
    if pa.types.is_floating(data.type):
        return data.cast(pa.int64())  # a safe cast: 1.5 raises and goes value by value
    raise _SlowPath


def _fast_bool(data: pa.Array) -> pa.Array:
    if pa.types.is_boolean(data.type) or pa.types.is_null(data.type):
        return data
    if _is_text(data):
        return _require(data, r"(?i)^(true|false|1|0)$").cast(pa.bool_())
    raise _SlowPath


def _fast_real(data: pa.Array) -> pa.Array:
    if (
        pa.types.is_floating(data.type)
        or pa.types.is_integer(data.type)
        or pa.types.is_decimal(data.type)
        or pa.types.is_null(data.type)
    ):
        return data.cast(pa.float64(), safe=False)
    if _is_text(data):
        return _require(data, f"(?i)^(?:{_NUMBER.pattern})$").cast(pa.float64())
    raise _SlowPath


def _fast_datetime(data: pa.Array) -> pa.Array:
    if pa.types.is_timestamp(data.type):
        # Zoned timestamps hold UTC instants already; dropping the zone keeps the instant.
        return data.cast(pa.timestamp(data.type.unit)).cast(pa.timestamp("us"), safe=False)
    if pa.types.is_date(data.type):
        return data.cast(pa.timestamp("us"))
    if pa.types.is_null(data.type):
        return data
    if not _is_text(data):
        raise _SlowPath
    text = _require(data, _CANONICAL_DATETIME)
    zoned = pc.match_substring_regex(text, r"(Z|[+-]\d\d:\d\d)$")
    text = pc.if_else(pc.fill_null(zoned, True), text, pc.binary_join_element_wise(text, "Z", ""))
    # Digits past the microsecond are cut off, as the per-value rule does.
    text = pc.replace_substring_regex(text, r"(\.\d{6})\d+", r"\1")
    return text.cast(pa.timestamp("us", "UTC")).cast(pa.timestamp("us"))


def _fast_guid(data: pa.Array) -> pa.Array:
    if not _is_text(data):
        raise _SlowPath
    return pc.utf8_lower(_require(data, "^" + _GUID.pattern + "$"))


def _fast_timespan(data: pa.Array) -> pa.Array:
    if pa.types.is_duration(data.type):
        return data.cast(pa.duration("us"), safe=False)
    raise _SlowPath


_FAST: dict[KustoType, Callable[[pa.Array], pa.Array]] = {
    KustoType.STRING: _fast_string,
    KustoType.LONG: _fast_integer,
    KustoType.INT: _fast_integer,
    KustoType.BOOL: _fast_bool,
    KustoType.REAL: _fast_real,
    KustoType.DECIMAL: _fast_real,
    KustoType.DATETIME: _fast_datetime,
    KustoType.GUID: _fast_guid,
    KustoType.TIMESPAN: _fast_timespan,
}
