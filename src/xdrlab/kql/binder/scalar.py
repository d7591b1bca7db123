"""The scalar binder: a KQL expression to a typed sqlglot expression.

Names resolve first against the row scope (the columns of the operator's input, each mapped
to the SQL that computes it) and then against scalar `let`s. Constants are folded while
binding, so `ago(7d)` becomes a TIMESTAMP literal and `let` values are inlined.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder import operators as ops
from xdrlab.kql.binder.convert import as_type
from xdrlab.kql.binder.types import T, Typed, constant, fn, string
from xdrlab.kql.functions.registry import (
    FUNCTIONS,
    KNOWN_KQL_FUNCTIONS,
    MULTI_RESULT,
    TUPLE_AGGREGATES,
)
from xdrlab.kql.syntax import nodes as n
from xdrlab.lake.schema import KustoType


@dataclass(frozen=True, slots=True)
class NonScalarLet:
    """A `let` the binder cannot use as a scalar (tabular value, user function)."""

    pos: diag.Position
    what: str


@dataclass(frozen=True, slots=True)
class TabularLet:
    """A `let` bound to a tabular expression; `relation` is a `Relation`, cloned per use."""

    relation: object
    tables: frozenset[str]


@dataclass(frozen=True, slots=True)
class UserFunction:
    """A `let f = (params) { body }`; `lets` is what its body sees besides its parameters."""

    body: n.FunctionBody
    lets: Mapping[str, LetValue]


LetValue = Typed | NonScalarLet | TabularLet | UserFunction


@dataclass
class Environment:
    """What every operator of one query sees: the time origin, tables, lets."""

    now: datetime
    tables: Mapping[str, object]
    lets: dict[str, LetValue] = field(default_factory=dict)
    # Lowers a tabular expression used inside a scalar one (`x in (T | project y)`) to a
    # one-column SELECT; set by the compiler.
    subquery: Callable[[n.Expr, str | None], tuple[exp.Select, KustoType]] | None = None
    # `toscalar(...)` and calls of user functions in scalar expressions; set by the compiler.
    scalar_subquery: Callable[[n.Expr, str | None], Typed] | None = None
    call_function: Callable[[n.Call, Binder], Typed] | None = None


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Binder:
    def __init__(
        self,
        env: Environment,
        columns: Mapping[str, Typed],
        op: str | None,
        *,
        aggregates: bool = False,
    ) -> None:
        self.env = env
        self.columns = columns
        self.op = op
        self.aggregates = aggregates
        self.agg_depth = 0
        self.agg_count = 0  # aggregate calls bound so far
        # the one call of a several-column function `extend` may bind (see MULTI_RESULT)
        self.multi_target: n.Call | None = None
        # the row order window functions see (None: the input is not serialized)
        self.window_order: list[exp.Ordered] | None = None

    # --- entry points --------------------------------------------------------------------

    def bind(self, e: n.Expr) -> Typed:
        method = _DISPATCH.get(type(e))
        if method is None:
            raise diag.syntax_error("*" if isinstance(e, n.Star) else "", e.pos)
        return method(self, e)

    def bind_bool(self, e: n.Expr) -> Typed:
        v = self.bind(e)
        if v.type is T.BOOL:
            return v
        if v.type is T.DYNAMIC:
            return Typed(ops.to_bool_sql(v), T.BOOL)
        raise diag.type_mismatch(
            self.op, f"The expression must be of type bool, not {v.type.value}", e.pos
        )

    def constant_of(self, e: n.Expr, what: str) -> Typed:
        v = self.bind(e)
        if not v.is_constant:
            raise diag.expected_constant(self.op, what, e.pos)
        return v

    # --- nodes ---------------------------------------------------------------------------

    def literal(self, e: n.Literal) -> Typed:
        if isinstance(e.value, time):  # `datetime("8:00:00 AM")`: today (UTC) at that time
            return constant(KustoType.DATETIME, datetime.combine(self.env.now.date(), e.value))
        return constant(KustoType(e.type), e.value)

    def name(self, e: n.Name) -> Typed:
        col = self.columns.get(e.name)
        if col is not None:
            if self.aggregates and self.agg_depth == 0:
                raise diag.not_aggregate(self.op, e.pos)
            return Typed(col.sql.copy(), col.type, col.value)
        let = self.env.lets.get(e.name)
        if isinstance(let, Typed):
            return Typed(let.sql.copy(), let.type, let.value)
        if isinstance(let, NonScalarLet):
            raise diag.unsupported_feature(let.what, e.pos)
        if isinstance(let, TabularLet):
            raise diag.type_mismatch(
                self.op, f"'{e.name}' is a tabular expression, not a scalar", e.pos
            )
        raise diag.unknown_column(self.op, e.name, e.pos)

    def unary(self, e: n.Unary) -> Typed:
        v = self.bind(e.operand)
        if e.op == "+":
            return v
        return ops.negate(self, v, e.pos)

    def binary(self, e: n.Binary) -> Typed:
        if e.op in ("and", "or"):
            left = self.bind_bool(e.left)
            right = self.bind_bool(e.right)
            return ops.logical(e.op, left, right)
        left = self.bind(e.left)
        right = self.bind(e.right)
        return ops.binary(self, e.op, left, right, e.pos)

    def list_op(self, e: n.ListOp) -> Typed:
        left = self.bind(e.left)
        if len(e.items) == 1 and self.is_tabular(e.items[0]):
            if e.op not in ("in", "!in", "in~", "!in~") or self.env.subquery is None:
                raise diag.unsupported_feature(
                    f"A tabular expression after '{e.op}'", e.items[0].pos
                )
            select, column_type = self.env.subquery(e.items[0], self.op)
            return ops.in_subquery(self, e.op, left, select, column_type, e.pos)
        items: list[Typed] = []
        for item in e.items:
            v = self.bind(item)
            if v.type is T.DYNAMIC and v.is_constant and isinstance(v.value, list):
                for element in v.value:
                    items.append(_json_constant(element, item.pos))
            else:
                items.append(v)
        return ops.list_op(self, e.op, left, items, e.pos)

    def is_tabular(self, e: n.Expr) -> bool:
        if isinstance(e, n.SubPipeline):
            return True
        return (
            isinstance(e, n.Name)
            and e.name not in self.columns
            and isinstance(self.env.lets.get(e.name), TabularLet)
        )

    def between(self, e: n.Between) -> Typed:
        left = self.bind(e.left)
        low = self.bind(e.low)
        high = self.bind(e.high)
        return ops.between(self, left, low, high, e.negated, e.pos)

    def member(self, e: n.Member | n.Index) -> Typed:
        path: list[str | int | Typed] = []
        node: n.Expr = e
        while isinstance(node, n.Member | n.Index):
            if isinstance(node, n.Member):
                path.append(node.name)
            else:
                key = self.bind(node.index)
                if (
                    key.is_constant
                    and isinstance(key.value, str | int)
                    and not isinstance(key.value, bool)
                ):
                    path.append(key.value)
                elif key.type in (T.LONG, T.INT, T.STRING):
                    path.append(key)  # computed per row: `a[i]`, `bag[name]`
                else:
                    raise diag.unsupported_feature(
                        f"Indexing a dynamic value with a non-constant {key.type.value} key",
                        node.index.pos,
                    )
            node = node.target
        path.reverse()
        base = self.bind(node)
        if base.type is not T.DYNAMIC:
            raise diag.type_mismatch(
                self.op,
                f"Property access needs a dynamic value, not {base.type.value}",
                e.pos,
            )
        parts: list[exp.Expr] = []
        text = "$"
        for step in path:
            if isinstance(step, Typed):
                parts.append(string(text))
                parts.append(_path_step(step))
                text = ""
            elif isinstance(step, int):
                text += f"[{step}]" if step >= 0 else f"[#{step}]"
            elif _KEY.fullmatch(step):
                text += "." + step
            elif '"' in step or "\\" in step:
                raise diag.unsupported_feature("A property name with quotes", e.pos)
            else:
                text += f'."{step}"'
        if not parts:
            return Typed(fn("json_extract", base.sql, string(text)), T.DYNAMIC)
        if text:
            parts.append(string(text))
        path_sql: exp.Expr = parts[0]
        for part in parts[1:]:
            path_sql = exp.DPipe(this=path_sql, expression=part)
        return Typed(fn("json_extract", base.sql, path_sql), T.DYNAMIC)

    def call(self, e: n.Call) -> Typed:
        if isinstance(self.env.lets.get(e.name), UserFunction) and self.env.call_function:
            return self.env.call_function(e, self)
        spec = FUNCTIONS.get(e.name)
        if spec is None:
            if e.name in TUPLE_AGGREGATES:
                if not self.aggregates:
                    raise diag.aggregate_context(self.op, e.name, e.pos)
                raise diag.unsupported_feature(f"Using '{e.name}' inside an expression", e.pos)
            if e.name in KNOWN_KQL_FUNCTIONS:
                raise diag.unsupported_function(e.name, e.pos)
            if e.name in self.env.lets:
                raise diag.unsupported_feature("Calling a user-defined function", e.pos)
            raise diag.unknown_function(self.op, e.name, e.pos)
        if e.name in MULTI_RESULT and e is not self.multi_target:
            raise diag.unsupported_feature(
                f"Using '{e.name}' inside an expression (assign its columns with"
                f" 'extend (a, b, ...) = {e.name}(...)')",
                e.pos,
            )
        count = len(e.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            if spec.max_args is None:
                expected = f"at least {spec.min_args}"
            elif spec.min_args == spec.max_args:
                expected = str(spec.min_args)
            else:
                expected = f"{spec.min_args} to {spec.max_args}"
            raise diag.argument_count(self.op, e.name, expected, e.pos)
        if spec.aggregate:
            if not self.aggregates:
                raise diag.aggregate_context(self.op, e.name, e.pos)
            if self.agg_depth > 0:
                raise diag.type_mismatch(
                    self.op, f"The aggregate '{e.name}' cannot be nested in another", e.pos
                )
            self.agg_depth += 1
            self.agg_count += 1
            try:
                args = [] if spec.raw else [self.bind_argument(a) for a in e.args]
                result = spec.impl(self, e, args)
            finally:
                self.agg_depth -= 1
            return Typed(result.sql, result.type, aggregate=True)
        args = [] if spec.raw else [self.bind_argument(a) for a in e.args]
        result = spec.impl(self, e, args)
        if any(a.aggregate for a in args):
            return Typed(result.sql, result.type, result.value, aggregate=True)
        return result

    def bind_argument(self, a: n.Expr) -> Typed:
        if isinstance(a, n.Star):
            raise diag.syntax_error("*", a.pos)
        if isinstance(a, n.Call) and a.name == "__named__":
            raise diag.unsupported_feature("A named argument", a.pos)
        return self.bind(a)

    def sub_pipeline(self, e: n.SubPipeline) -> Typed:
        raise diag.unsupported_feature("A tabular expression used as a scalar", e.pos)

    def function_body(self, e: n.FunctionBody) -> Typed:
        raise diag.unsupported_feature("User-defined functions", e.pos)

    def to_scalar(self, e: n.ToScalar) -> Typed:
        if self.env.scalar_subquery is None:
            raise diag.unsupported_feature("The 'toscalar' function", e.pos)
        return self.env.scalar_subquery(e.source, self.op)


def _path_step(key: Typed) -> exp.Expr:
    """The JSON path step for a key computed per row: `[i]`, `[#-i]` or `."name"`."""
    text = exp.Cast(this=key.sql.copy(), to=exp.DataType.build("VARCHAR"))
    if key.type is T.STRING:
        quoted = fn("replace", text, string('"'), string('\\"'))
        return exp.DPipe(
            this=exp.DPipe(this=string('."'), expression=quoted), expression=string('"')
        )
    negative = exp.LT(this=key.sql.copy(), expression=exp.Literal.number(0))
    opening = exp.Case(ifs=[exp.If(this=negative, true=string("[#"))], default=string("["))
    return exp.DPipe(this=exp.DPipe(this=opening, expression=text), expression=string("]"))


def _json_constant(value: object, pos: diag.Position) -> Typed:
    if isinstance(value, bool):
        return constant(T.BOOL, value)
    if isinstance(value, int):
        return constant(T.LONG, value)
    if isinstance(value, float):
        return constant(T.REAL, value)
    if isinstance(value, str):
        return constant(T.STRING, value)
    if value is None:
        return constant(T.DYNAMIC, None)
    return constant(T.DYNAMIC, value)


_DISPATCH: dict[type[n.Expr], Callable[[Binder, Any], Typed]] = {
    n.Literal: Binder.literal,
    n.Name: Binder.name,
    n.Unary: Binder.unary,
    n.Binary: Binder.binary,
    n.ListOp: Binder.list_op,
    n.Between: Binder.between,
    n.Member: Binder.member,
    n.Index: Binder.member,
    n.Call: Binder.call,
    n.SubPipeline: Binder.sub_pipeline,
    n.FunctionBody: Binder.function_body,
    n.ToScalar: Binder.to_scalar,
}


def common_type(values: list[Typed]) -> KustoType | None:
    """The type values of several branches (iff, case, coalesce) share, or None."""
    kinds = {v.type for v in values if not (v.is_constant and v.value is None)}
    if not kinds:
        return values[0].type if values else None
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= {T.INT, T.LONG}:
        return T.LONG
    if kinds <= {T.INT, T.LONG, T.REAL, T.DECIMAL}:
        return T.REAL
    if kinds <= {T.STRING, T.GUID}:
        return T.STRING
    return None


def unify(values: list[Typed]) -> list[Typed] | None:
    t = common_type(values)
    if t is None:
        return None
    return [as_type(v, t) for v in values]
