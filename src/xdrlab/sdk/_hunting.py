"""The result of a hunting query: typed columns, rows as Python values, the query's `render`
request, and conversions to Arrow, pandas and polars."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from xdrlab.sdk._kusto import arrow_type_of, kind_of, parser_of

Timespan = str | dt.timedelta | tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Column:
    """`name`, the API's `type` name (`DateTime`, `Int64`, `Dynamic`, ...) and its Kusto
    `kind` (`datetime`, `long`, `dynamic`, ...)."""

    name: str
    type: str
    kind: str


@dataclass(frozen=True)
class RenderHint:
    """The query's `render` operator: `visualization` (`timechart`, `columnchart`, ...) and
    its `with (...)` properties."""

    visualization: str
    properties: Mapping[str, str] = field(default_factory=dict)


class HuntingResult:
    """Rows of a hunting query. Iterating yields one ``dict`` per row, keyed by column name,
    with datetimes as timezone-aware `datetime`, timespans as `timedelta` and dynamic values as
    Python objects."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: list[dict[str, Any]],
        *,
        render: RenderHint | None = None,
        stats: Mapping[str, Any] | None = None,
    ) -> None:
        self.columns = tuple(columns)
        self.rows = rows
        self.render = render
        self.stats = stats

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]

    def __repr__(self) -> str:
        names = ", ".join(f"{c.name}:{c.type}" for c in self.columns)
        return f"<HuntingResult {len(self.rows)} rows ({names})>"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def truncated(self) -> bool | None:
        """Whether the service cut the result at its row limit (Defender `Stats` only)."""
        try:
            flag = self.stats["dataset_statistics"][0]["dataset_truncation"]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
        return bool(flag)

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]

    def to_arrow(self) -> pa.Table:
        """An Arrow table with one typed field per column (timestamps in UTC, `Int32`/`Int64`,
        `double`, `bool`, durations); dynamic columns hold their JSON text. Each field's metadata
        keeps the API type name under ``kusto_type``."""
        arrays = []
        fields = []
        for column in self.columns:
            values = self.column(column.name)
            if column.kind == "dynamic":
                values = [None if v is None else json.dumps(v) for v in values]
            arrow_type = arrow_type_of(column.kind)
            arrays.append(pa.array(values, type=arrow_type))
            fields.append(pa.field(column.name, arrow_type, metadata={"kusto_type": column.type}))
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

    def to_pandas(self) -> Any:
        """A pandas DataFrame (extra ``pandas``): datetimes ``datetime64[us, UTC]``, integers
        and booleans as nullable ``Int32``/``Int64``/``boolean``, strings ``string``, timespans
        ``timedelta64``, dynamic columns as Python objects."""
        pd = _optional("pandas")
        mapping = {
            pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(),
            pa.bool_(): pd.BooleanDtype(),
            pa.string(): pd.StringDtype(),
        }
        frame = self.to_arrow().to_pandas(types_mapper=mapping.get)
        for column in self.columns:
            if column.kind == "dynamic":
                frame[column.name] = pd.Series(self.column(column.name), dtype=object)
        return frame

    def to_polars(self) -> Any:
        """A polars DataFrame (extra ``polars``) from the Arrow table."""
        pl = _optional("polars")
        return pl.from_arrow(self.to_arrow())


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as missing:
        raise ImportError(f"{module} is not installed: pip install 'xdrlab[{module}]'") from missing


def parse_result(body: Mapping[str, Any], query: str) -> HuntingResult:
    """A Defender (`Schema`/`Results`/`Stats`) or Graph (`schema`/`results`) answer."""
    schema = body.get("Schema", body.get("schema")) or []
    raw_rows = body.get("Results", body.get("results")) or []
    columns = [
        Column(str(c.get("Name", c.get("name"))), str(t), kind_of(str(t)))
        for c in schema
        for t in [c.get("Type", c.get("type")) or "String"]
    ]
    parsers = [(c.name, parser_of(c.kind)) for c in columns]
    rows = [{name: parse(raw.get(name)) for name, parse in parsers} for raw in raw_rows]
    stats = body.get("Stats")
    return HuntingResult(
        columns,
        rows,
        render=render_hint(query),
        stats=stats if isinstance(stats, dict) else None,
    )


def format_timespan(timespan: Timespan) -> str:
    """Graph's `Timespan`: ISO 8601 text as given, a duration, or a (start, end) interval."""
    if isinstance(timespan, str):
        return timespan
    if isinstance(timespan, dt.timedelta):
        total = timespan.total_seconds()
        if total <= 0:
            raise ValueError("timespan must be positive")
        days = int(total // 86_400)
        rest = total - days * 86_400
        return "P" + (f"{days}D" if days else "") + (f"T{rest:g}S" if rest else "")
    start, end = timespan
    return f"{_iso(start)}/{_iso(end)}"


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("timespan datetimes must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the render operator, read from the query text (the APIs do not echo it) ------------------

_STRINGS = re.compile(r"""@?"(?:[^"\\\n]|\\.)*"|@?'(?:[^'\\\n]|\\.)*'""")
_COMMENT = re.compile(r"//[^\n]*")
_RENDER = re.compile(r"\|\s*render\s+(\w+)(?:\s+with\s*\(([^)]*)\))?[\s;]*$", re.IGNORECASE)


def render_hint(query: str) -> RenderHint | None:
    """The trailing `| render kind [with (name=value, ...)]` of a query, if it has one."""
    literals: list[str] = []

    def hold(match: re.Match[str]) -> str:
        literals.append(match.group(0))
        return f"\x00{len(literals) - 1}\x00"

    text = _COMMENT.sub("", _STRINGS.sub(hold, query))
    match = _RENDER.search(text)
    if match is None:
        return None
    properties: dict[str, str] = {}
    for part in (match.group(2) or "").split(","):
        name, sep, value = part.partition("=")
        if not sep:
            continue
        value = re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], value.strip())
        if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        properties[name.strip()] = value
    return RenderHint(match.group(1).lower(), properties)
