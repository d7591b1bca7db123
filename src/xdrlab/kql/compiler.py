"""The compiler: parse, then lower statement by statement and operator by operator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlglot import exp

import xdrlab.kql.functions  # noqa: F401  (registers every function family)
from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.scalar import Binder, Environment, NonScalarLet, TabularLet, UserFunction
from xdrlab.kql.binder.types import Typed
from xdrlab.kql.compiled import CompiledQuery, RenderHint
from xdrlab.kql.diagnostics import KqlError, Position
from xdrlab.kql.functions.registry import FUNCTIONS
from xdrlab.kql.operators import LOWERERS, PARSERS, SOURCE_LOWERERS, SOURCE_PARSERS
from xdrlab.kql.operators.evaluate import Probe, ProbeFailed
from xdrlab.kql.operators.invoke import expand, returns_table
from xdrlab.kql.relation import Relation
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.parser import KNOWN_SOURCES, parse
from xdrlab.kql.syntax.size import count_nodes
from xdrlab.lake.schema import KustoType, Table

MAX_QUERY_LENGTH = 1_000_000
# Syntax-tree nodes a query may have: 50 times the largest query of the public corpus (about
# 400), and a bound on the compiler's work for queries that are wide rather than deep (a long
# `in (...)` list, thousands of `extend` columns), which the nesting limit does not catch.
MAX_SYNTAX_NODES = 20_000


class Lowering:
    """State shared by the operators of one query."""

    def __init__(
        self, tables: Mapping[str, Table], now: datetime, probe: Probe | None = None
    ) -> None:
        self.tables = tables
        self.probe = probe
        self.env = Environment(
            now=now,
            tables=tables,
            subquery=self.subquery,
            scalar_subquery=self.scalar_subquery,
            call_function=self.call_function,
        )
        self.used: set[str] = set()
        self.expansions = 0  # user-function calls expanded so far
        self.hidden_names = 0  # names of hidden columns and CTEs given so far
        self.render: RenderHint | None = None

    def binder(
        self,
        rel: Relation,
        op: str | None,
        *,
        aggregates: bool = False,
        scope: Mapping[str, Typed] | None = None,
    ) -> Binder:
        """A binder over `rel`'s columns (`scope`: the same, kept up to date by the caller)."""
        columns = rel.scope() if scope is None else scope
        binder = Binder(self.env, columns, op, aggregates=aggregates)
        binder.window_order = rel.window_order()
        return binder

    def hidden_name(self, prefix: str) -> str:
        """A name no other hidden column or CTE of this query has (`__mva1`, `__tn2`, ...)."""
        self.hidden_names += 1
        return f"{prefix}{self.hidden_names}"

    # --- statements ----------------------------------------------------------------------

    def run(self, query: n.Query) -> CompiledQuery:
        for statement in query.statements:
            if isinstance(statement, n.UnsupportedStatement):
                raise diag.unsupported_feature(
                    f"The '{statement.keyword}' statement", statement.pos
                )
            self.let(statement)
        if query.body is None:
            raise diag.no_tabular_result(query.end)
        self.render = None
        rel = self.pipeline(query.body)
        return CompiledQuery(
            tree=rel.to_select(final=True),
            columns=rel.columns,
            tables=frozenset(self.used),
            render=self.render,
        )

    def let(self, statement: n.LetStatement) -> None:
        value = statement.value
        if isinstance(value, n.FunctionBody):
            self.env.lets[statement.name] = UserFunction(value, dict(self.env.lets))
            return
        scalar_call = isinstance(value, n.Call) and value.args and value.name in FUNCTIONS
        if isinstance(value, n.Call) and value.name in KNOWN_SOURCES and not scalar_call:
            self.env.lets[statement.name] = NonScalarLet(value.pos, f"The '{value.name}' function")
            return
        if isinstance(value, n.TabularExpr) or (
            isinstance(value, n.Name | n.SubPipeline | n.Call) and self.is_tabular(value)
        ):
            value = n.Pipeline(value.pos, value, ())
        if isinstance(value, n.Pipeline):
            before = set(self.used)
            render = self.render
            rel = self.pipeline(value)
            self.render = render
            tables = frozenset(self.used - before)
            self.used = before  # counted where the let is used
            self.env.lets[statement.name] = TabularLet(rel, tables)
            return
        bound = Binder(self.env, {}, None).bind(value)
        self.env.lets[statement.name] = bound

    def is_tabular(self, e: n.Expr) -> bool:
        if isinstance(e, n.SubPipeline | n.TabularExpr):
            return True
        if isinstance(e, n.Call):
            fn = self.env.lets.get(e.name)
            return isinstance(fn, UserFunction) and returns_table(fn, self)
        if not isinstance(e, n.Name):
            return False
        let = self.env.lets.get(e.name)
        if let is not None:
            return isinstance(let, TabularLet)
        return e.name in self.tables

    def subquery(self, e: n.Expr, op: str | None) -> tuple[exp.Select, KustoType]:
        """A tabular expression inside a scalar one: a SELECT of its first column, its type."""
        rel = self.source(e, op)
        if not rel.outputs:
            raise diag.no_tabular_result(e.pos)
        if rel.distinct or rel.aggregated or rel.limit is not None:
            rel = rel.wrap()
        rel.outputs = rel.outputs[:1]
        rel.order = []
        return rel.to_select(), rel.outputs[0].column.type

    def scalar_subquery(self, e: n.Expr, op: str | None) -> Typed:
        """`toscalar(e)`: the first column of the first row of `e` (or `e` if it is scalar)."""
        if not self.is_tabular(e):
            return Binder(self.env, {}, op).bind(e)
        rel = self.source(e, op)
        if not rel.outputs:
            raise diag.no_tabular_result(e.pos)
        if rel.distinct:
            rel = rel.wrap()
        rel.outputs = rel.outputs[:1]
        rel.limit = 1 if rel.limit is None else min(rel.limit, 1)
        return Typed(exp.Subquery(this=rel.to_select()), rel.outputs[0].column.type)

    def call_function(self, call: n.Call, caller: Binder) -> Typed:
        fn = self.env.lets[call.name]
        assert isinstance(fn, UserFunction)
        result = expand(self, fn, call, caller=caller, op=caller.op)
        if isinstance(result, Relation):
            raise diag.type_mismatch(
                caller.op, f"'{call.name}' returns a table, not a scalar", call.pos
            )
        return result

    def call_table_function(self, fn: UserFunction, call: n.Call, op: str | None) -> Relation:
        result = expand(self, fn, call, op=op)
        if not isinstance(result, Relation):
            raise diag.no_tabular_result(call.pos)
        return result

    # --- pipelines -----------------------------------------------------------------------

    def pipeline(self, pipeline: n.Pipeline) -> Relation:
        first = pipeline.operators[0].keyword if pipeline.operators else None
        rel = self.source(pipeline.source, first)
        for op in pipeline.operators:
            if isinstance(op, n.UnsupportedOperator):
                raise diag.unsupported_operator(op.keyword, op.pos)
            lower = LOWERERS[type(op)]
            rel = lower(self, rel, op)
            if not rel.outputs:  # `project-away` of every column: SQL has no such table
                raise diag.unsupported_feature(
                    f"'{op.keyword}' operator: a result without columns", op.pos
                )
        return rel

    def source(self, e: n.Expr, first_op: str | None) -> Relation:
        if isinstance(e, n.SubPipeline):
            return self.pipeline(e.pipeline)
        if isinstance(e, n.TabularExpr):
            return SOURCE_LOWERERS[type(e)](self, e)
        if isinstance(e, n.Name):
            let = self.env.lets.get(e.name)
            if isinstance(let, TabularLet):
                assert isinstance(let.relation, Relation)
                self.used |= let.tables
                return let.relation.clone()
            if isinstance(let, NonScalarLet):
                raise diag.unsupported_feature(let.what, e.pos)
            if isinstance(let, UserFunction) and returns_table(let, self):
                return self.call_table_function(let, n.Call(e.pos, e.name, ()), first_op)
            if let is None:
                table = self.tables.get(e.name)
                if table is not None:
                    self.used.add(table.name)
                    return Relation.scan(table.name, table.columns)
            raise diag.unknown_table(first_op, e.name, e.pos)
        if isinstance(e, n.Call):
            fn = self.env.lets.get(e.name)
            if isinstance(fn, UserFunction):
                return self.call_table_function(fn, e, first_op)
            if e.name in self.env.lets:
                raise diag.unsupported_feature("Calling a user-defined function", e.pos)
            if e.name in KNOWN_SOURCES:
                raise diag.unsupported_operator(e.name, e.pos)
            raise diag.unknown_table(first_op, e.name, e.pos)
        raise diag.no_tabular_result(e.pos)


def compile_query(
    text: str, tables: Mapping[str, Table], *, now: datetime, probe: Probe | None = None
) -> CompiledQuery:
    """Compile one KQL query against `tables` (name → schema) into a SQL tree.

    `now` is the query's start time (naive UTC): `now()` and `ago()` fold to literals from it.
    `probe` runs a compiled query over the data the final query will read and returns its rows:
    operators whose output columns depend on the data (`evaluate bag_unpack`, `pivot`) ask it
    for the keys or values they need. Without it they are refused (unless given a schema).
    Raises `KqlError` for every query it refuses, and no other exception: an exception the
    probe raises (an engine error) passes through unchanged.
    """
    if not isinstance(text, str):
        raise diag.syntax_error("", Position(1, 1))
    if len(text) > MAX_QUERY_LENGTH:
        raise diag.too_complex(Position(1, 1))
    try:
        query = parse(text, PARSERS, SOURCE_PARSERS)
        if count_nodes(query, MAX_SYNTAX_NODES) > MAX_SYNTAX_NODES:
            raise diag.too_complex(Position(1, 1))
        return Lowering(tables, now, probe).run(query)
    except KqlError:
        raise
    except ProbeFailed as failed:
        raise failed.error from None
    except RecursionError:
        raise diag.too_complex(Position(1, 1)) from None
    except Exception:  # a bug: still refuse the query the documented way
        raise diag.internal_error(Position(1, 1)) from None
