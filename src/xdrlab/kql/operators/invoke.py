"""User-defined functions (`let f = (x:string, T:(*)) { ... }`), their calls, and `invoke`.

A call is expanded in place: the arguments are bound in the caller's scope (scalar arguments
to SQL that may use the caller's columns, tabular ones to relations), then the body's lets and
expression are lowered with the lets the function saw where it was defined plus its
parameters. `T | invoke f(a)` is `f(T, a)`. Defaults are bound in the function's own scope.
A function sees only lets defined before it, so it cannot call itself; expansions per query
are bounded all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import as_type
from xdrlab.kql.binder.scalar import Binder, LetValue, TabularLet, UserFunction
from xdrlab.kql.binder.types import NUMERIC, STRINGLIKE, T, Typed
from xdrlab.kql.operators import file_profile
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.relation import Relation
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token
from xdrlab.lake.schema import KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser

MAX_EXPANSIONS = 500
# Advanced hunting's built-in functions that enrich from data outside the query: FileProfile
# reads the lake's file profiles; the others are refused by name.
BUILT_IN_FUNCTIONS = frozenset({"FileProfile", "DeviceFromIP", "AssignedIPAddresses", "SeenBy"})

PARAM_TYPES = {
    "string": T.STRING,
    "long": T.LONG,
    "int": T.INT,
    "real": T.REAL,
    "double": T.REAL,
    "decimal": T.DECIMAL,
    "bool": T.BOOL,
    "boolean": T.BOOL,
    "datetime": T.DATETIME,
    "date": T.DATETIME,
    "timespan": T.TIMESPAN,
    "time": T.TIMESPAN,
    "guid": T.GUID,
    "uniqueid": T.GUID,
    "dynamic": T.DYNAMIC,
}


def returns_table(fn: UserFunction, ctx: Lowering) -> bool:
    body = fn.body.body
    if isinstance(body, n.Pipeline | n.SubPipeline | n.TabularExpr):
        return True
    if isinstance(body, n.Name):
        if any(p.name == body.name for p in fn.body.params):
            return next(p for p in fn.body.params if p.name == body.name).type is None
        let = fn.lets.get(body.name)
        return isinstance(let, TabularLet) or (let is None and body.name in ctx.tables)
    if isinstance(body, n.Call):
        inner = fn.lets.get(body.name)
        return isinstance(inner, UserFunction) and returns_table(inner, ctx)
    return False


def _argument(
    ctx: Lowering, param: n.Param, arg: n.Expr, caller: Binder | None, op: str
) -> LetValue:
    if param.type is None:
        return TabularLet(ctx.source(arg, op), frozenset())
    binder = caller or Binder(ctx.env, {}, op)
    value = binder.bind(arg)
    return _convert(value, PARAM_TYPES[param.type], param, arg.pos, op)


def _convert(value: Typed, target: KustoType, param: n.Param, pos: diag.Position, op: str) -> Typed:
    if value.type is target or target is T.DYNAMIC:
        return value
    if (
        {value.type, target} <= NUMERIC
        or {value.type, target} <= STRINGLIKE
        or value.type is T.DYNAMIC
        or (value.is_constant and value.value is None)
    ):
        return as_type(value, target)
    raise diag.argument_type(op, param.name, 0, target.value, value.type.value, pos)


def expand(
    ctx: Lowering,
    fn: UserFunction,
    call: n.Call,
    *,
    caller: Binder | None = None,
    piped: Relation | None = None,
    op: str | None = None,
) -> Relation | Typed:
    """The function's result for this call: a relation, or a scalar for scalar bodies."""
    ctx.expansions += 1
    if ctx.expansions > MAX_EXPANSIONS:
        raise diag.too_complex(call.pos)
    name = op or call.name
    params = fn.body.params
    args: list[n.Expr | Relation] = [piped] if piped is not None else []
    args.extend(call.args)
    if len(args) > len(params) or any(
        p.default is None or p.type is None for p in params[len(args) :]
    ):
        required = sum(1 for p in params if p.default is None)
        expected = str(len(params)) if required == len(params) else f"{required} to {len(params)}"
        raise diag.argument_count(op, call.name, expected, call.pos)
    bound: dict[str, LetValue] = {}
    for param, arg in zip(params, args, strict=False):
        if isinstance(arg, Relation):
            if param.type is not None:
                raise diag.argument_type(op, call.name, 1, "table", param.type, call.pos)
            bound[param.name] = TabularLet(arg, frozenset())
        elif isinstance(arg, n.Call) and arg.name == "__named__":
            raise diag.unsupported_feature("A named argument", arg.pos)
        else:
            bound[param.name] = _argument(ctx, param, arg, caller, name)
    saved = ctx.env.lets
    ctx.env.lets = {**fn.lets, **bound}
    try:
        for param in params[len(args) :]:
            assert param.default is not None and param.type is not None
            value = Binder(ctx.env, {}, name).bind(param.default)
            ctx.env.lets[param.name] = _convert(
                value, PARAM_TYPES[param.type], param, param.default.pos, name
            )
        for statement in fn.body.statements:
            ctx.let(statement)
        body = fn.body.body
        assert body is not None
        if isinstance(body, n.Pipeline):
            return ctx.pipeline(body)
        if returns_table(fn, ctx):
            return ctx.source(body, name)
        return Binder(ctx.env, {}, name).bind(body)
    finally:
        ctx.env.lets = saved


# --- invoke ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invoke(n.OperatorNode):
    call: n.Call


def parse(p: Parser, keyword: Token) -> Invoke:
    t = p.tok
    if t.kind is not Kind.IDENT or not p.peek().is_punct("("):
        raise p.fail()
    call = p.parse_postfix()
    if not isinstance(call, n.Call):
        raise p.fail(t)
    return Invoke(keyword.pos, keyword.text, call)


def lower(ctx: Lowering, rel: Relation, node: Invoke) -> Relation:
    fn = ctx.env.lets.get(node.call.name)
    if not isinstance(fn, UserFunction):
        if node.call.name == file_profile.NAME:
            return file_profile.lower(ctx, rel, node.call)
        if node.call.name in BUILT_IN_FUNCTIONS:
            raise diag.unsupported_function(node.call.name, node.call.pos)
        raise diag.unknown_function(node.keyword, node.call.name, node.call.pos)
    if not fn.body.params or fn.body.params[0].type is not None:
        raise diag.type_mismatch(
            node.keyword,
            f"The function '{node.call.name}' must take a table as its first parameter",
            node.call.pos,
        )
    result = expand(ctx, fn, node.call, piped=rel, op=node.keyword)
    if not isinstance(result, Relation):
        raise diag.no_tabular_result(node.call.pos)
    return result


register_operator("invoke", node=Invoke, parse=parse, lower=lower)
