"""Typed SQL values: a sqlglot expression with its Kusto type, and the conversions between types.

Storage in DuckDB: string/guid → VARCHAR ('' for Kusto's empty string; never NULL in the
lake), datetime → TIMESTAMP (naive UTC), long → BIGINT, int → INTEGER, bool → BOOLEAN,
real/decimal → DOUBLE, dynamic → JSON, timespan → INTERVAL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlglot import exp

from xdrlab.lake.schema import KustoType

T = KustoType

NUMERIC = frozenset({T.INT, T.LONG, T.REAL, T.DECIMAL})
INTEGER = frozenset({T.INT, T.LONG})
STRINGLIKE = frozenset({T.STRING, T.GUID})

SQL_TYPES: dict[KustoType, str] = {
    T.STRING: "VARCHAR",
    T.GUID: "VARCHAR",
    T.DATETIME: "TIMESTAMP",
    T.LONG: "BIGINT",
    T.INT: "INTEGER",
    T.BOOL: "BOOLEAN",
    T.REAL: "DOUBLE",
    T.DECIMAL: "DOUBLE",
    T.DYNAMIC: "JSON",
    T.TIMESPAN: "INTERVAL",
}

_DATA_TYPES = {t: exp.DataType.build(sql) for t, sql in SQL_TYPES.items()}


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: object = _NoValue()


@dataclass(frozen=True, slots=True)
class Typed:
    """A bound scalar: its SQL, its Kusto type and, for constants, its Python value.

    `value` is NO_VALUE unless the expression is a constant: then it holds the value as
    `nodes.Literal` documents it (None is a typed null). `aggregate` marks expressions that
    contain an aggregate function.
    """

    sql: exp.Expr
    type: KustoType
    value: object = NO_VALUE
    aggregate: bool = False

    @property
    def is_constant(self) -> bool:
        return self.value is not NO_VALUE


def data_type(t: KustoType) -> exp.DataType:
    return _DATA_TYPES[t].copy()


def cast(sql: exp.Expr, t: KustoType) -> exp.Expr:
    return exp.Cast(this=sql, to=data_type(t))


def try_cast(sql: exp.Expr, t: KustoType) -> exp.Expr:
    return exp.TryCast(this=sql, to=data_type(t))


def fn(name: str, *args: exp.Expr) -> exp.Expr:
    """A call to a DuckDB function by its name (the generator prints it as written)."""
    return exp.Anonymous(this=name, expressions=list(args))


def string(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def number(value: int | float) -> exp.Expr:
    if isinstance(value, float) and value != value:  # NaN
        return cast(exp.Literal.string("NaN"), T.REAL)
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return cast(exp.Literal.string("Infinity" if value > 0 else "-Infinity"), T.REAL)
    if value < 0:
        return exp.Neg(this=exp.Literal.number(-value))
    return exp.Literal.number(value)


def timestamp_literal(value: datetime) -> exp.Expr:
    return cast(exp.Literal.string(value.isoformat(sep=" ")), T.DATETIME)


def interval_literal(micros: int) -> exp.Expr:
    for unit, size in (
        ("DAY", 86_400_000_000),
        ("HOUR", 3_600_000_000),
        ("MINUTE", 60_000_000),
        ("SECOND", 1_000_000),
        ("MILLISECOND", 1_000),
    ):
        if micros % size == 0:
            return exp.Interval(
                this=exp.Literal.string(str(micros // size)), unit=exp.Var(this=unit)
            )
    return exp.Interval(this=exp.Literal.string(str(micros)), unit=exp.Var(this="MICROSECOND"))


def json_text(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def empty(t: KustoType) -> exp.Expr:
    """What a column of type `t` holds where there is no value: an empty string for strings
    (Kusto has no null string), null otherwise."""
    return string("") if t in STRINGLIKE else cast(exp.Null(), t)


def constant(t: KustoType, value: object) -> Typed:
    """The SQL for a Kusto constant of type `t`."""
    if value is None:
        return Typed(cast(exp.Null(), t), t, None)
    sql: exp.Expr
    if t in STRINGLIKE:
        assert isinstance(value, str)
        sql = string(value)
    elif t is T.BOOL:
        sql = exp.Boolean(this=bool(value))
    elif t in (T.LONG, T.INT):
        assert isinstance(value, int)
        sql = number(value)
    elif t in (T.REAL, T.DECIMAL):
        assert isinstance(value, int | float)
        sql = number(float(value))
        if not isinstance(sql, exp.Cast):  # DuckDB reads 2.5 as DECIMAL: Kusto's real is a double
            sql = cast(sql, T.REAL)
    elif t is T.DATETIME:
        assert isinstance(value, datetime)
        sql = timestamp_literal(value)
    elif t is T.TIMESPAN:
        assert isinstance(value, int)
        sql = interval_literal(value)
    else:
        sql = cast(string(json_text(value)), T.DYNAMIC)
    return Typed(sql, t, value)


def interval_micros(sql: exp.Expr) -> exp.Expr:
    """The microseconds in an INTERVAL, as BIGINT."""
    return fn("epoch_us", sql)


def micros_interval(sql: exp.Expr) -> exp.Expr:
    """A BIGINT count of microseconds as an INTERVAL."""
    return fn("to_microseconds", sql)
