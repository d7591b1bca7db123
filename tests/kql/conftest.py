"""Harness for KQL tests: in-memory DuckDB tables shaped like the hunting tables, filled with a
few hand-written rows, and a `run` helper that compiles KQL and executes the SQL tree."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
import pytest

from xdrlab.kql import CompiledQuery, compile_query
from xdrlab.lake.schema import KustoType, Table, hunting_tables

NOW = datetime(2024, 5, 1, 12, 0, 0)

DUCK_TYPES = {
    KustoType.STRING: "VARCHAR",
    KustoType.GUID: "VARCHAR",
    KustoType.DATETIME: "TIMESTAMP",
    KustoType.LONG: "BIGINT",
    KustoType.INT: "INTEGER",
    KustoType.BOOL: "BOOLEAN",
    KustoType.REAL: "DOUBLE",
    KustoType.DECIMAL: "DOUBLE",
    KustoType.DYNAMIC: "JSON",
    KustoType.TIMESPAN: "INTERVAL",
}


@dataclass
class Result:
    compiled: CompiledQuery
    names: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]

    @property
    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.names, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        i = self.names.index(name)
        return [row[i] for row in self.rows]

    @property
    def sql(self) -> str:
        return self.compiled.tree.sql(dialect="duckdb")


class Lake:
    """A DuckDB database with hunting tables created on demand."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = tables
        self.con = duckdb.connect(":memory:")
        self.created: set[str] = set()

    def create(self, name: str) -> None:
        if name in self.created:
            return
        table = self.tables[name]
        cols = ", ".join(f'"{c.name}" {DUCK_TYPES[c.type]}' for c in table.columns)
        self.con.execute(f'CREATE TABLE "{name}" ({cols})')
        self.created.add(name)

    def insert(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.create(name)
        table = self.tables[name]
        unknown = {k for row in rows for k in row} - {c.name for c in table.columns}
        assert not unknown, f"not columns of {name}: {unknown}"
        placeholders = ", ".join("?" for _ in table.columns)
        for row in rows:
            values = []
            for c in table.columns:
                v = row.get(c.name)
                if v is None and c.type in (KustoType.STRING, KustoType.GUID) and c.name not in row:
                    v = ""  # the lake stores '' for strings, never NULL
                if c.type is KustoType.DYNAMIC and v is not None and not isinstance(v, str):
                    v = json.dumps(v)
                values.append(v)
            self.con.execute(f'INSERT INTO "{name}" VALUES ({placeholders})', values)  # noqa: S608

    def compile(self, kql: str, now: datetime = NOW) -> CompiledQuery:
        return compile_query(kql, self.tables, now=now)

    def run(self, kql: str, now: datetime = NOW) -> Result:
        compiled = self.compile(kql, now)
        for name in compiled.tables:
            self.create(name)
        sql = compiled.tree.sql(dialect="duckdb")
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description or []]
        types = [str(d[1]) for d in cursor.description or []]
        rows = cursor.fetchall()
        assert len(names) == len(compiled.columns)
        return Result(compiled, names, types, rows)


@pytest.fixture
def lake() -> Iterator[Lake]:
    db = Lake(hunting_tables())
    yield db
    db.con.close()


def ago(**kwargs: float) -> datetime:
    return NOW - timedelta(**kwargs)


def json_value(text: Any) -> Any:
    return None if text is None else json.loads(text)
