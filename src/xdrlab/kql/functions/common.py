"""Helpers shared by the function families: constants, type literals, JSON lists, lambdas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import case, dynamic_scalar_text, to_bool_sql, to_string_sql
from xdrlab.kql.binder.types import NUMERIC, STRINGLIKE, T, Typed, cast, fn, string, try_cast
from xdrlab.kql.syntax import nodes as n
from xdrlab.lake.schema import KustoType

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

TYPE_NAMES: dict[str, KustoType] = {
    "string": T.STRING,
    "int": T.INT,
    "long": T.LONG,
    "real": T.REAL,
    "double": T.REAL,
    "decimal": T.DECIMAL,
    "bool": T.BOOL,
    "boolean": T.BOOL,
    "datetime": T.DATETIME,
    "date": T.DATETIME,
    "timespan": T.TIMESPAN,
    "time": T.TIMESPAN,
    "dynamic": T.DYNAMIC,
    "guid": T.GUID,
}


def text_of(v: Typed) -> exp.Expr:
    """The value as Kusto text ('' for null)."""
    return to_string_sql(v)


def const_str(v: Typed) -> str | None:
    return v.value if v.is_constant and isinstance(v.value, str) else None


def const_int(v: Typed) -> int | None:
    value = v.value
    if v.is_constant and isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def type_literal(b: Binder, call: n.Call, index: int) -> KustoType:
    """The type named by `typeof(T)` at argument `index` of `call`."""
    e = call.args[index]
    if (
        isinstance(e, n.Call)
        and e.name == "typeof"
        and len(e.args) == 1
        and isinstance(e.args[0], n.Name)
        and e.args[0].name in TYPE_NAMES
    ):
        return TYPE_NAMES[e.args[0].name]
    raise diag.argument_type(b.op, call.name, index + 1, "typeof(<type>)", "expression", e.pos)


def is_type_literal(e: n.Expr) -> bool:
    return isinstance(e, n.Call) and e.name == "typeof"


def bind_args(b: Binder, call: n.Call, skip: int | None = None) -> list[Typed]:
    """Bind a raw function's arguments, leaving out the one at `skip` (a type literal)."""
    return [b.bind_argument(a) for i, a in enumerate(call.args) if i != skip]


def text_as(text: exp.Expr, target: KustoType) -> exp.Expr:
    """Kusto text converted to `target`: null when it does not convert."""
    from xdrlab.kql.functions.conversion import to_number_sql
    from xdrlab.kql.functions.dynamic import parse_json_sql

    if target in STRINGLIKE:
        return text
    if target in NUMERIC:
        return to_number_sql(Typed(text, T.STRING), target)
    if target is T.BOOL:
        return to_bool_sql(Typed(text, T.STRING))
    if target is T.DYNAMIC:
        return parse_json_sql(text)
    return try_cast(exp.Nullif(this=exp.Trim(this=text), expression=string("")), target)


def json_items(sql: exp.Expr) -> exp.Expr:
    """A JSON array's elements as a list of JSON values; NULL when the value is not an array."""
    items = case(
        [
            (
                exp.EQ(this=fn("json_type", sql), expression=string("ARRAY")),
                fn("json_extract", sql.copy(), string("$[*]")),
            )
        ],
        exp.Null(),
    )
    # typed, so a constant null argument (`dynamic(null)`) still makes a JSON[] for DuckDB
    return exp.Cast(this=items, to=exp.DataType.build("JSON[]", dialect="duckdb"))


def json_list(items: exp.Expr) -> exp.Expr:
    """A list (of JSON or SQL values) as a JSON array."""
    return cast(fn("to_json", items), T.DYNAMIC)


def element_text(item: exp.Expr) -> exp.Expr:
    """A JSON element as Kusto text (strings unquoted, null as '')."""
    return exp.Coalesce(this=dynamic_scalar_text(item), expressions=[string("")])


def lam(body: exp.Expr, *names: str) -> exp.Expr:
    """A DuckDB lambda `LAMBDA names : body`."""
    return exp.Lambda(this=body, expressions=[exp.to_identifier(name) for name in names])


def var(name: str) -> exp.Expr:
    return exp.column(name)


def bool_result(sql: exp.Expr) -> Typed:
    return Typed(sql, T.BOOL)


def number_arg(v: Typed) -> exp.Expr:
    """A numeric argument as SQL (dynamic values read as numbers)."""
    if v.type is T.DYNAMIC:
        return try_cast(dynamic_scalar_text(v.sql), T.REAL)
    return v.sql


def long_arg(v: Typed) -> exp.Expr:
    if v.type is T.DYNAMIC:
        return try_cast(dynamic_scalar_text(v.sql), T.LONG)
    return v.sql
