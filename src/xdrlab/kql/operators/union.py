"""`union`: the rows of several tabular expressions, as a source (`union A, B`) or an operator
(`T | union A`, where the input is the first leg).

Legs are table or let names, wildcards over the hunting tables (`Device*`, `*Events`),
parenthesised sub-queries and user function calls. Options: `kind=outer` (default: every
column of any leg; a name that occurs with several types becomes one column per type,
`Name_type`), `kind=inner` (the columns every leg has, with the same type), `withsource=Col`
(a first column holding each row's table name; the let name for a let, `union_argN` for any
other leg, N its 0-based place), `isfuzzy=true` (names that resolve to nothing are skipped
if at least one leg resolves), `hint.*` (ignored).

Columns are aligned by name; a leg that lacks one fills it with null, or with the empty
string for strings (Kusto strings are never null). Lowered to one UNION ALL of SELECTs that
each list every output column in the same order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import empty, string
from xdrlab.kql.operators.join import Option, parse_options
from xdrlab.kql.operators.registry import register_operator, register_source
from xdrlab.kql.relation import Output, Relation, over, union_all
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class UnionSpec:
    kind: str  # "outer" | "inner"
    withsource: str | None
    fuzzy: bool
    legs: tuple[n.Expr, ...]  # a Name holding '*' is a wildcard over the hunting tables


@dataclass(frozen=True, slots=True)
class Union(n.OperatorNode):
    spec: UnionSpec


@dataclass(frozen=True, slots=True)
class UnionSource(n.TabularExpr):
    spec: UnionSpec


# --- parsing --------------------------------------------------------------------------------


def _spec(options: list[Option], legs: list[n.Expr]) -> UnionSpec:
    kind, withsource, fuzzy = "outer", None, False
    for option in options:
        if option.name == "kind":
            if option.value not in ("outer", "inner"):
                raise diag.unsupported_feature(f"The 'union' kind '{option.value}'", option.pos)
            kind = option.value
        elif option.name == "withsource":
            withsource = option.value
        elif option.name == "isfuzzy":
            if option.value not in ("true", "false"):
                raise diag.syntax_error(option.value, option.pos)
            fuzzy = option.value == "true"
        elif not option.name.startswith("hint."):
            raise diag.syntax_error(option.name, option.pos)
    return UnionSpec(kind, withsource, fuzzy, tuple(legs))


def _parse_leg(p: Parser) -> n.Expr:
    t = p.tok
    if t.is_punct("(") or (t.kind is Kind.IDENT and p.peek().is_punct("(")):
        return p.parse_source()
    if t.kind is Kind.IDENT or t.is_punct("*", "["):
        pos, name = p.parse_name_pattern()
        return n.Name(pos, name)
    raise p.fail()


def parse_spec(p: Parser) -> UnionSpec:
    options = parse_options(p)
    legs = [_parse_leg(p)]
    while p.accept_punct(","):
        legs.append(_parse_leg(p))
    return _spec(options, legs)


def parse_operator(p: Parser, keyword: Token) -> Union:
    return Union(keyword.pos, keyword.text, parse_spec(p))


def parse_source(p: Parser, keyword: Token) -> UnionSource:
    return UnionSource(keyword.pos, keyword.text, parse_spec(p))


# --- lowering -------------------------------------------------------------------------------


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def _legs(
    ctx: Lowering, spec: UnionSpec, keyword: str, first: Relation | None
) -> list[tuple[str, Relation]]:
    legs: list[tuple[str, Relation]] = []
    if first is not None:
        name = first.source.name if isinstance(first.source, exp.Table) else "union_arg0"
        legs.append((name, first))
    missing: list[n.Name] = []
    for leg in spec.legs:
        index = len(legs)
        if isinstance(leg, n.Name) and "*" in leg.name:
            regex = _wildcard(leg.name)
            hits = sorted(t for t in ctx.tables if regex.fullmatch(t))
            if not hits:
                missing.append(leg)
            for table in hits:
                legs.append((table, ctx.source(n.Name(leg.pos, table), keyword)))
            continue
        if isinstance(leg, n.Name):
            if leg.name not in ctx.env.lets and leg.name not in ctx.tables:
                missing.append(leg)
                continue
            legs.append((leg.name, ctx.source(leg, keyword)))
            continue
        legs.append((f"union_arg{index}", ctx.source(leg, keyword)))
    if missing and (not spec.fuzzy or not legs):
        leg = missing[0]
        raise diag.unknown_table(keyword, leg.name, leg.pos)
    return legs


def _columns(legs: list[tuple[str, Relation]], kind: str) -> list[tuple[str, Column]]:
    """The output columns: (the leg column name, the output column), in output order."""
    if kind == "inner":
        common = set.intersection(*({(c.name, c.type) for c in rel.columns} for _, rel in legs))
        first = legs[0][1].columns
        return [(c.name, c) for c in first if (c.name, c.type) in common]
    seen: list[tuple[str, KustoType]] = []
    for _, rel in legs:
        for c in rel.columns:
            if (c.name, c.type) not in seen:
                seen.append((c.name, c.type))
    types: dict[str, int] = {}
    for name, _ in seen:
        types[name] = types.get(name, 0) + 1
    return [(name, Column(f"{name}_{t.value}" if types[name] > 1 else name, t)) for name, t in seen]


def lower_union(
    ctx: Lowering, spec: UnionSpec, keyword: str, pos: diag.Position, first: Relation | None
) -> Relation:
    legs = _legs(ctx, spec, keyword, first)
    columns = _columns(legs, spec.kind)
    out_columns = [c for _, c in columns]
    if spec.withsource is not None:
        if any(c.name == spec.withsource for c in out_columns):
            raise diag.duplicate_column(keyword, spec.withsource, pos)
        out_columns.insert(0, Column(spec.withsource, KustoType.STRING))
    if len(legs) == 1 and spec.withsource is None and spec.kind == "outer":
        return legs[0][1]
    selects: list[exp.Select] = []
    for source_name, rel in legs:
        if not rel.can_project() or rel.limit is not None:
            rel = rel.wrap()
        rel.order = []
        outputs: list[Output] = []
        if spec.withsource is not None:
            outputs.append(Output(out_columns[0], string(source_name)))
        for leg_name, column in columns:
            own = rel.output(leg_name)
            if own is not None and own.column.type == column.type:
                outputs.append(Output(column, own.sql))
            else:
                outputs.append(Output(column, empty(column.type)))
        rel.outputs = outputs
        selects.append(rel.to_select(copy_source=False))  # each leg is consumed here
    return over(union_all(selects), out_columns, max(rel.depth for _, rel in legs) + 1, "_un")


def lower_operator(ctx: Lowering, rel: Relation, node: Union) -> Relation:
    return lower_union(ctx, node.spec, node.keyword, node.pos, rel)


def lower_source(ctx: Lowering, node: UnionSource) -> Relation:
    return lower_union(ctx, node.spec, node.keyword, node.pos, None)


register_operator("union", node=Union, parse=parse_operator, lower=lower_operator)
register_source("union", node=UnionSource, parse=parse_source, lower=lower_source)
