"""Kusto column types as the hunting APIs name them (`Schema[].Type`), and how their JSON values
become Python values and Arrow types."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa

_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$")
_FRACTION = re.compile(r"\.(\d+)")


def parse_datetime(value: Any) -> dt.datetime | None:
    """ISO 8601 with up to seven fractional digits (100 ns ticks) and `Z`, timezone-aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python reads at most six fractional digits: drop the seventh (a tenth of a microsecond).
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def parse_timespan(value: Any) -> dt.timedelta | None:
    """Kusto's `[-][d.]hh:mm:ss[.fffffff]`."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):  # ticks
        return dt.timedelta(microseconds=value / 10)
    match = _TIMESPAN.match(str(value).strip())
    if match is None:
        raise ValueError(f"not a timespan: {value!r}")
    sign, days, hours, minutes, seconds, fraction = match.groups()
    span = dt.timedelta(
        days=int(days or 0),
        hours=int(hours),
        minutes=int(minutes),
        seconds=int(seconds),
        microseconds=int((fraction or "0")[:6].ljust(6, "0")),
    )
    return -span if sign else span


def _real(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)  # "NaN", "Infinity" and "-Infinity" included


def _integer(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _boolean(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):  # some services send "True"/"False"
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _dynamic(value: Any) -> Any:
    """Dynamic values come embedded as JSON; some services send them as JSON text."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _string(value: Any) -> str | None:
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


# Type names as the APIs print them (.NET names), with Kusto's own names as synonyms.
_KINDS: dict[str, str] = {
    "datetime": "datetime",
    "date": "datetime",
    "string": "string",
    "int32": "int",
    "int": "int",
    "int16": "int",
    "byte": "int",
    "sbyte": "int",
    "int64": "long",
    "long": "long",
    "double": "real",
    "real": "real",
    "single": "real",
    "float": "real",
    "boolean": "bool",
    "bool": "bool",
    "dynamic": "dynamic",
    "object": "dynamic",
    "guid": "guid",
    "uniqueid": "guid",
    "timespan": "timespan",
    "time": "timespan",
    "decimal": "decimal",
}

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "datetime": parse_datetime,
    "string": _string,
    "int": _integer,
    "long": _integer,
    "real": _real,
    "bool": _boolean,
    "dynamic": _dynamic,
    "guid": _string,
    "timespan": parse_timespan,
    "decimal": _decimal,
}

_ARROW: dict[str, pa.DataType] = {
    "datetime": pa.timestamp("us", tz="UTC"),
    "string": pa.string(),
    "int": pa.int32(),
    "long": pa.int64(),
    "real": pa.float64(),
    "bool": pa.bool_(),
    "dynamic": pa.string(),  # JSON text; see HuntingResult.to_arrow
    "guid": pa.string(),
    "timespan": pa.duration("us"),
    "decimal": pa.decimal128(38, 18),
}


def kind_of(api_type: str) -> str:
    """The Kusto kind (`datetime`, `long`, `dynamic`, ...) of an API type name; unknown names
    are read as strings, so a new type never breaks a result."""
    return _KINDS.get(api_type.strip().lower().removeprefix("system."), "string")


def parser_of(kind: str) -> Callable[[Any], Any]:
    return _PARSERS[kind]


def arrow_type_of(kind: str) -> pa.DataType:
    return _ARROW[kind]
