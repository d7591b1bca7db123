"""`range Column from Start to Stop step Step`: a one-column table of evenly spaced values.

The values are Start, Start + Step, Start + 2 * Step, ... as long as they do not pass Stop
(Stop itself included when a step lands on it). Start, Stop and Step are scalar expressions
(constants, `let`s, `now()`, `toscalar(...)`; no column references) of the types Kusto
documents: numbers (int, long, real), datetimes with a timespan step, or timespans. The
column is real when Start or Step is real, int when both are int, long otherwise; datetime or
timespan like Start.

Where Kusto's documentation is silent: a negative step counts down to Stop; a step pointing
away from Stop (`from 5 to 1 step 1`) gives no rows, as does a null Start, Stop or Step; a
constant step of zero is refused (it would never reach Stop), a computed one gives no rows.

Lowered without materializing the values: the row count is computed (folded when the three
are constants), DuckDB's `range(0, count)` table function streams the row numbers `i`, and
each value is `Start + i * Step`. A huge range is therefore as cheap to start as a small one;
the engine's deadline and row limit bound what it costs to consume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.scalar import Binder
from xdrlab.kql.binder.types import T, Typed, cast, fn, interval_micros, number
from xdrlab.kql.functions.registry import parenthesize
from xdrlab.kql.operators.registry import register_source
from xdrlab.kql.relation import Relation, column_ref, over, select_columns
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser

MAX_ROWS = 2**63 - 1  # the count of a range with more values is capped here (BIGINT)
_MAX_ROWS_REAL = 9.0e18  # the cap for a count computed in DOUBLE, safely below 2**63
_NUMBERS = frozenset({T.INT, T.LONG, T.REAL})
_TYPES = "int, long, real, datetime or timespan"
_INDEX = "i"
# DuckDB functions whose every call gives a new value: a bound computed with one would differ
# between the row count and the values
_VOLATILE = frozenset({"random", "gen_random_uuid", "uuid"})


@dataclass(frozen=True, slots=True)
class Range(n.TabularExpr):
    column: str
    start: n.Expr
    stop: n.Expr
    step: n.Expr


def parse(p: Parser, keyword: Token) -> Range:
    column = p.parse_identifier()
    p.expect_word("from")
    start = p.parse_expr()
    p.expect_word("to")
    stop = p.parse_expr()
    p.expect_word("step")
    step = p.parse_expr()
    return Range(keyword.pos, keyword.text, column, start, stop, step)


# --- types ------------------------------------------------------------------------------------


def _column_type(node: Range, start: Typed, stop: Typed, step: Typed) -> KustoType:
    """The column's type, or a type mismatch naming the first argument that does not fit."""
    op = node.keyword
    if start.type in _NUMBERS:
        for e, v, what in ((node.stop, stop, "stop"), (node.step, step, "step")):
            if v.type not in _NUMBERS:
                raise diag.type_mismatch(
                    op, f"The {what} must be a number like the start, not {v.type.value}", e.pos
                )
        if T.REAL in (start.type, step.type):
            return T.REAL
        return T.INT if start.type is T.INT and step.type is T.INT else T.LONG
    if start.type in (T.DATETIME, T.TIMESPAN):
        if stop.type is not start.type:
            raise diag.type_mismatch(
                op,
                f"The stop must be a {start.type.value} like the start, not {stop.type.value}",
                node.stop.pos,
            )
        if step.type is not T.TIMESPAN:
            raise diag.type_mismatch(
                op, f"The step must be a timespan, not {step.type.value}", node.step.pos
            )
        return start.type
    raise diag.type_mismatch(
        op, f"The start must be of type {_TYPES}, not {start.type.value}", node.start.pos
    )


# --- the number of values -------------------------------------------------------------------


def _micros(value: object) -> int:
    if isinstance(value, datetime):
        return (value - datetime(1970, 1, 1)) // timedelta(microseconds=1)
    assert isinstance(value, int)
    return value


def _folded_count(kind: KustoType, start: object, stop: object, step: object) -> int:
    """How many values a range of constants has (`step` is not zero)."""
    if start is None or stop is None or step is None:
        return 0
    if kind in (T.DATETIME, T.TIMESPAN):
        first, last, size = _micros(start), _micros(stop), _micros(step)
    elif isinstance(start, int) and isinstance(stop, int) and isinstance(step, int):
        first, last, size = start, stop, step  # exactly, whatever their size
    else:  # a real among them
        assert isinstance(start, int | float) and isinstance(stop, int | float)
        assert isinstance(step, int | float)
        steps = (float(stop) - float(start)) / float(step)
        if math.isnan(steps) or steps < 0:
            return 0
        return MAX_ROWS if steps >= _MAX_ROWS_REAL else math.floor(steps) + 1
    span = last - first
    if span != 0 and (span > 0) != (size > 0):
        return 0
    return min(span // size + 1, MAX_ROWS)


def _computed_count(kind: KustoType, start: Typed, stop: Typed, step: Typed) -> exp.Expr:
    """The number of values as SQL, for bounds known only when the query runs: 0 when the
    step is zero, null or points away from the stop (or, for reals, when a bound is NaN)."""
    zero = exp.Literal.number(0)
    if kind in (T.DATETIME, T.TIMESPAN):
        # epoch_us: an INTERVAL's microseconds, or a TIMESTAMP's since 1970
        span: exp.Expr = exp.Sub(
            this=interval_micros(stop.sql.copy()), expression=interval_micros(start.sql.copy())
        )
        size: exp.Expr = interval_micros(step.sql.copy())
        steps: exp.Expr = exp.IntDiv(this=exp.Paren(this=span), expression=size)
        valid: exp.Expr | None = None
    else:
        span = exp.Sub(
            this=cast(stop.sql.copy(), T.REAL), expression=cast(start.sql.copy(), T.REAL)
        )
        size = cast(step.sql.copy(), T.REAL)
        ratio = exp.Div(this=exp.Paren(this=span), expression=size)
        steps = cast(fn("least", exp.Floor(this=ratio), number(_MAX_ROWS_REAL)), T.LONG)
        valid = exp.Not(this=fn("isnan", ratio.copy()))
    up = exp.And(
        this=exp.GT(this=size.copy(), expression=zero.copy()),
        expression=exp.GTE(this=span.copy(), expression=zero.copy()),
    )
    down = exp.And(
        this=exp.LT(this=size.copy(), expression=zero.copy()),
        expression=exp.LTE(this=span.copy(), expression=zero.copy()),
    )
    condition: exp.Expr = exp.Or(this=exp.Paren(this=up), expression=exp.Paren(this=down))
    if valid is not None:
        condition = exp.And(this=exp.Paren(this=condition), expression=valid)
    counted = exp.Add(this=steps, expression=exp.Literal.number(1))
    return exp.Case(ifs=[exp.If(this=condition, true=counted)], default=zero)


def _volatile(value: Typed) -> bool:
    """Whether `value` is drawn anew each time it is computed (`rand()`)."""
    return any(
        isinstance(node, exp.Rand)
        or (isinstance(node, exp.Anonymous) and node.name.lower() in _VOLATILE)
        for node in value.sql.walk()
    )


# --- lowering -------------------------------------------------------------------------------


def _value(kind: KustoType, start: Typed, step: Typed) -> exp.Expr:
    """`start + i * step` in the column's type (a datetime or timespan sum has it already)."""
    first, size = start.sql.copy(), step.sql.copy()
    if kind is T.REAL:
        first = first if start.type is T.REAL else cast(first, T.REAL)
        size = size if step.type is T.REAL else cast(size, T.REAL)
    offset = exp.Mul(this=column_ref(_INDEX), expression=size)
    value = parenthesize(exp.Add(this=first, expression=offset))
    return cast(value, kind) if kind in _NUMBERS else value


def lower(ctx: Lowering, node: Range) -> Relation:
    binder = Binder(ctx.env, {}, node.keyword)
    start, stop, step = binder.bind(node.start), binder.bind(node.stop), binder.bind(node.step)
    kind = _column_type(node, start, stop, step)
    if step.is_constant and step.value == 0:  # (a timespan's value is its microseconds)
        raise diag.type_mismatch(node.keyword, "The step must not be zero", node.step.pos)
    if start.is_constant and stop.is_constant and step.is_constant:
        count: exp.Expr = exp.Literal.number(
            _folded_count(kind, start.value, stop.value, step.value)
        )
    else:
        for e, v in ((node.start, start), (node.stop, stop), (node.step, step)):
            if _volatile(v):
                raise diag.expected_constant(node.keyword, "A bound that uses rand()", e.pos)
        count = _computed_count(kind, start, stop, step)
    rows = exp.Table(
        this=exp.GenerateSeries(start=exp.Literal.number(0), end=count, is_end_exclusive=True),
        alias=exp.TableAlias(
            this=exp.Identifier(this="_rows", quoted=True),
            columns=[exp.Identifier(this=_INDEX, quoted=True)],
        ),
    )
    column = Column(node.column, kind)
    select = select_columns([(column, _value(kind, start, step))])
    select.set("from_", exp.From(this=rows))
    rel = over(select, [column], 1, "_range")
    rel.serialized = True  # Kusto marks range's rows as serialized: in order, start first
    return rel


register_source("range", node=Range, parse=parse, lower=lower)
