"""Helpers shared by the row-shaping operators (mv-expand, parse, make-series, evaluate, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import T, Typed
from xdrlab.kql.functions.registry import FUNCTIONS
from xdrlab.kql.relation import Output
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser

# Type names KQL accepts in `typeof(...)`, `Column:type` and output schemas.
TYPE_NAMES: dict[str, KustoType] = {
    "string": T.STRING,
    "int": T.INT,
    "int32": T.INT,
    "long": T.LONG,
    "int64": T.LONG,
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
    "uniqueid": T.GUID,
}

# The conversion function of the catalogue that reads a value as each type.
_CONVERSIONS: dict[KustoType, str] = {
    T.STRING: "tostring",
    T.INT: "toint",
    T.LONG: "tolong",
    T.REAL: "todouble",
    T.DECIMAL: "todecimal",
    T.BOOL: "tobool",
    T.DATETIME: "todatetime",
    T.TIMESPAN: "totimespan",
    T.GUID: "toguid",
    T.DYNAMIC: "todynamic",
}


def parse_type_name(p: Parser) -> tuple[diag.Position, KustoType]:
    """A scalar type name (`string`, `long`, `datetime`, ...)."""
    t = p.tok
    if t.kind is not Kind.IDENT or t.text not in TYPE_NAMES:
        raise p.fail()
    p.advance()
    return t.pos, TYPE_NAMES[t.text]


def parse_typeof(p: Parser) -> tuple[diag.Position, KustoType]:
    """`typeof(type)`."""
    p.expect_word("typeof")
    p.expect_punct("(")
    result = parse_type_name(p)
    p.expect_punct(")")
    return result


def convert(b: Binder, value: Typed, target: KustoType, pos: diag.Position) -> Typed:
    """`value` read as `target` the way the catalogue's conversion (`tolong`, ...) reads it."""
    if value.type is target:
        return value
    spec = FUNCTIONS.get(_CONVERSIONS[target])
    if spec is None:  # pragma: no cover - the catalogue always has its conversions
        raise diag.unsupported_function(_CONVERSIONS[target], pos)
    return spec.impl(b, n.Call(pos, spec.name, (n.Name(pos, "_"),)), [value])


def lambda_(param: str, body: exp.Expr) -> exp.Expr:
    """A DuckDB lambda `lambda param: body`."""
    return exp.Lambda(this=body, expressions=[exp.to_identifier(param)])


def param_ref(param: str) -> exp.Expr:
    return exp.Column(this=exp.to_identifier(param))


def parse_options(p: Parser, names: tuple[str, ...]) -> dict[str, tuple[diag.Position, object]]:
    """`name=value` options before an operator's arguments (`kind=regex`, `limit=5`, ...)."""
    found: dict[str, tuple[diag.Position, object]] = {}
    while p.tok.kind is Kind.IDENT and p.tok.text in names and p.peek().is_punct("="):
        if p.peek(2).is_punct("="):
            break
        key = p.advance()
        p.advance()
        value = p.tok
        if value.kind in (Kind.IDENT, Kind.STRING, Kind.LONG, Kind.REAL):
            p.advance()
            found[key.text] = (
                value.pos,
                value.value if value.kind is not Kind.IDENT else value.text,
            )
        else:
            raise p.fail()
        p.skip_hints()
    return found


def hide(rel: Relation, values: list[exp.Expr], prefix: str) -> tuple[Relation, list[exp.Expr]]:
    """Compute `values` once in the current SELECT, as hidden columns `prefix1`, `prefix2`...;
    returns a new SELECT on top (without them among its outputs) and references to them."""
    hidden = [f"{prefix}{i + 1}" for i in range(len(values))]
    for name, value in zip(hidden, values, strict=True):
        rel.outputs.append(Output(Column(name, T.DYNAMIC), value))
    rel = rel.wrap()
    refs = [o.sql for o in rel.outputs[-len(hidden) :]]
    rel.outputs = rel.outputs[: -len(hidden)]
    return rel, refs
