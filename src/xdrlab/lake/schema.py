"""The advanced hunting schema: every table, its columns in documented order, their Kusto types.

The table list is the Defender XDR advanced hunting schema (``tables.json`` beside this module).
Everything that reads or writes hunting data — ingestion, the lake, the KQL binder, result
rendering — takes column types from here, so one file decides what a table looks like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources

import pyarrow as pa


class KustoType(StrEnum):
    """Kusto scalar types, by the names KQL uses for them (`typeof`, `getschema`, `to typeof(...)`)."""

    STRING = "string"
    DATETIME = "datetime"
    LONG = "long"
    INT = "int"
    BOOL = "bool"
    REAL = "real"
    DYNAMIC = "dynamic"
    GUID = "guid"
    TIMESPAN = "timespan"
    DECIMAL = "decimal"

    @property
    def api_name(self) -> str:
        """The .NET type name the hunting APIs put in `Schema[].Type`."""
        return _API_NAMES[self]

    @property
    def arrow_type(self) -> pa.DataType:
        """How a column of this type is stored in the lake's Parquet files."""
        return _ARROW_TYPES[self]


_API_NAMES = {
    KustoType.STRING: "String",
    KustoType.DATETIME: "DateTime",
    KustoType.LONG: "Int64",
    KustoType.INT: "Int32",
    KustoType.BOOL: "Boolean",
    KustoType.REAL: "Double",
    KustoType.DYNAMIC: "Object",
    KustoType.GUID: "Guid",
    KustoType.TIMESPAN: "TimeSpan",
    KustoType.DECIMAL: "Decimal",
}

# Datetimes are UTC instants at microsecond precision (Kusto keeps 100 ns ticks; the last digit
# of the seven it prints is always 0 here). Dynamic values are JSON text with Parquet's JSON
# annotation, so DuckDB reads them as its JSON type.
_ARROW_TYPES: dict[KustoType, pa.DataType] = {
    KustoType.STRING: pa.string(),
    KustoType.DATETIME: pa.timestamp("us"),
    KustoType.LONG: pa.int64(),
    KustoType.INT: pa.int32(),
    KustoType.BOOL: pa.bool_(),
    KustoType.REAL: pa.float64(),
    KustoType.DYNAMIC: pa.json_(pa.string()),
    KustoType.GUID: pa.string(),
    KustoType.TIMESPAN: pa.duration("us"),
    KustoType.DECIMAL: pa.float64(),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: KustoType


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    @property
    def time_column(self) -> str | None:
        """The column that places a row on a day of the lake (``Timestamp`` where a table has one)."""
        names = [c.name for c in self.columns if c.type is KustoType.DATETIME]
        if "Timestamp" in names:
            return "Timestamp"
        return None

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type.arrow_type) for c in self.columns])


@cache
def hunting_tables() -> dict[str, Table]:
    """All advanced hunting tables, keyed by their exact (case-sensitive) names."""
    raw = json.loads(resources.files(__package__).joinpath("tables.json").read_text("utf-8"))
    return {
        name: Table(name, tuple(Column(c["name"], KustoType(c["type"])) for c in columns))
        for name, columns in raw.items()
    }


def hunting_table(name: str) -> Table | None:
    return hunting_tables().get(name)


def _columns(*spec: tuple[str, KustoType]) -> tuple[Column, ...]:
    return tuple(Column(name, kusto_type) for name, kusto_type in spec)


# What advanced hunting's built-in `FileProfile()` function knows about a file, keyed by its
# hashes (the columns and types its documentation lists; `ProfileAvailability` is computed
# when the function runs). Stored in the lake like a table without a Timestamp, per tenant,
# but not a table a query can name: only the function reads it.
FILE_PROFILE = Table(
    "FileProfile",
    _columns(
        ("SHA1", KustoType.STRING),
        ("SHA256", KustoType.STRING),
        ("MD5", KustoType.STRING),
        ("FileSize", KustoType.INT),
        ("GlobalPrevalence", KustoType.INT),
        ("GlobalFirstSeen", KustoType.DATETIME),
        ("GlobalLastSeen", KustoType.DATETIME),
        ("Signer", KustoType.STRING),
        ("Issuer", KustoType.STRING),
        ("SignerHash", KustoType.STRING),
        ("IsCertificateValid", KustoType.BOOL),
        ("IsRootSignerMicrosoft", KustoType.BOOL),
        ("SignatureState", KustoType.STRING),
        ("IsExecutable", KustoType.BOOL),
        ("ThreatName", KustoType.STRING),
        ("Publisher", KustoType.STRING),
        ("SoftwareName", KustoType.STRING),
    ),
)

# Data behind built-in functions, by the name it is stored under.
FUNCTION_TABLES: dict[str, Table] = {FILE_PROFILE.name: FILE_PROFILE}


def lake_tables() -> dict[str, Table]:
    """Everything the lake stores: the hunting tables and the built-in functions' data."""
    return hunting_tables() | FUNCTION_TABLES
