"""`top-nested N of Key by Agg [asc|desc]`: the N groups of `Key` with the largest aggregate.

One level is `summarize Agg by Key | top N by Agg`: the key column (named like `summarize`
names it) and the aggregate, named `aggregated_<Key>` unless named. With several levels, each
level's aggregate is computed per group of its key and the keys above, its top N are chosen
within each parent group, and a row is a group of the last level whose every ancestor made its
level's top: `Key1, aggregated_Key1, Key2, aggregated_Key2, ...`. A level `with others = V`
adds, in each parent group, a row keyed V with the aggregate over the rows its top left out,
and empty columns for the levels below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import result_name
from xdrlab.kql.binder.types import empty, number
from xdrlab.kql.operators import extend, join, summarize
from xdrlab.kql.operators.common import names_in
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shared_input import SharedInput
from xdrlab.kql.operators.sort import apply_order
from xdrlab.kql.operators.take import row_count
from xdrlab.kql.relation import Aliased, Relation, over, select_columns, union_all
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Level:
    pos: diag.Position
    count: n.Expr | None
    key: n.Assignment
    others: n.Expr | None
    aggregate: n.Assignment
    descending: bool


@dataclass(frozen=True, slots=True)
class TopNested(n.OperatorNode):
    levels: tuple[Level, ...]


def parse(p: Parser, keyword: Token) -> TopNested:
    levels: list[Level] = []
    start = keyword
    while True:
        p.skip_hints()
        count = None if p.at_word("of") else p.parse_additive()
        p.expect_word("of")
        key = p.parse_assignment()
        others: n.Expr | None = None
        if p.at_word("with") and p.peek().is_word("others"):
            p.advance()
            p.advance()
            p.expect_punct("=")
            others = p.parse_additive()
        p.expect_word("by")
        aggregate = p.parse_assignment()
        descending = True
        if p.accept_word("asc"):
            descending = False
        else:
            p.accept_word("desc")
        levels.append(Level(start.pos, count, key, others, aggregate, descending))
        if not p.accept_punct(","):
            break
        start = p.expect_word("top-nested")
    return TopNested(keyword.pos, keyword.text, tuple(levels))


def lower(ctx: Lowering, rel: Relation, node: TopNested) -> Relation:
    named = _named_levels(node)
    with_others = [i for i, level in enumerate(node.levels) if level.others is not None]
    if len(named) == 1 and not with_others:
        return _level(ctx, rel, node, named, 0)
    # Each level groups the input by its key and every key above it, so the input is read
    # once per level (and once more per `with others`): as a CTE, computed once.
    used = names_in([e for lv in node.levels for e in (lv.key.expr, lv.aggregate.expr)])
    if "*" not in used:  # only the columns the levels read are kept for them
        if rel.distinct:
            rel = rel.wrap()
        rel.outputs = [o for o in rel.outputs if o.name in used] or rel.outputs[:1]
    shared = SharedInput(rel, f"{ctx.hidden_name('__tn')}_rows")
    levels = [_level(ctx, shared.scan(), node, named, i) for i in range(len(named))]
    parts = [_nest([level.clone() for level in levels], named)]
    parts += [_others(ctx, shared, node, named, levels, i) for i in with_others]
    return shared.attach(parts[0] if len(parts) == 1 else _union(parts), read_twice=True)


def _named_levels(node: TopNested) -> list[tuple[Level, str, str]]:
    """Each level with its key's and its aggregate's column names (as Kusto names them)."""
    named: list[tuple[Level, str, str]] = []
    taken: set[str] = set()
    for i, level in enumerate(node.levels):
        key_name = level.key.name or result_name(level.key.expr) or f"Column{i + 1}"
        agg_name = level.aggregate.name or f"aggregated_{key_name}"
        for name, pos in ((key_name, level.key.pos), (agg_name, level.aggregate.pos)):
            if name in taken:
                raise diag.duplicate_column(node.keyword, name, pos)
            taken.add(name)
        named.append((level, key_name, agg_name))
    return named


def _level(
    ctx: Lowering, rel: Relation, node: TopNested, named: list[tuple[Level, str, str]], i: int
) -> Relation:
    """Level `i`: its aggregate by its key and the keys above, the top N within each parent."""
    level, _, agg_name = named[i]
    count = None if level.count is None else row_count(ctx, rel, level.count, node.keyword)
    keys = tuple(n.Assignment(lv.key.pos, key, lv.key.expr) for lv, key, _ in named[: i + 1])
    aggregate = n.Assignment(level.aggregate.pos, agg_name, level.aggregate.expr)
    grouped = summarize.lower(
        ctx, rel, summarize.Summarize(node.pos, node.keyword, (aggregate,), keys)
    )
    sort_key = n.SortKey(
        level.aggregate.pos,
        n.Name(level.aggregate.pos, agg_name),
        level.descending,
        not level.descending,
    )
    if i == 0:
        grouped = apply_order(ctx, grouped, (sort_key,), node.keyword)
        if count is not None:
            grouped.limit = count
        return grouped
    if count is None:
        return grouped
    # the top N within each parent group: ranked by the aggregate, partitioned by the keys above
    grouped = grouped.wrap()
    scope = grouped.scope()
    binder = ctx.binder(grouped, node.keyword)
    order = binder.bind(sort_key.expr).sql
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=[scope[key].sql.copy() for _, key, _ in named[:i]],
        order=exp.Order(
            expressions=[
                exp.Ordered(this=order, desc=level.descending, nulls_first=not level.descending)
            ]
        ),
    )
    return grouped.keep_ranked(rank, count)


def _others(
    ctx: Lowering,
    shared: SharedInput,
    node: TopNested,
    named: list[tuple[Level, str, str]],
    levels: list[Relation],
    i: int,
) -> Relation:
    """Level `i`'s `with others` rows: in each parent group that made every level above, the
    aggregate over the rows whose level-`i` group missed the top, keyed by the others value;
    the columns of the levels below are empty. No row where nothing missed the top."""
    level, key_name, agg_name = named[i]
    assert level.others is not None
    key_names = [key for _, key, _ in named[: i + 1]]
    rows = extend.lower(
        ctx,
        shared.scan(),
        extend.Extend(
            node.pos,
            node.keyword,
            tuple(n.Assignment(lv.key.pos, key, lv.key.expr) for lv, key, _ in named[: i + 1]),
        ),
    )
    others = ctx.binder(rows, node.keyword).bind(level.others)
    top = levels[i].clone()
    top.outputs = [o for o in top.outputs if o.name in key_names]
    keys = tuple(join.JoinKey(level.key.pos, key, key, level.key.pos) for key in key_names)
    rest = join.lower_join(ctx, rows, top, keys, "leftanti", node.keyword)
    parents = tuple(
        n.Assignment(level.key.pos, key, n.Name(level.key.pos, key)) for key in key_names[:-1]
    )
    counted = n.Assignment(level.pos, "__rows", n.Call(level.pos, "count", ()))
    aggregate = n.Assignment(level.aggregate.pos, agg_name, level.aggregate.expr)
    grouped = summarize.lower(
        ctx, rest, summarize.Summarize(node.pos, node.keyword, (aggregate, counted), parents)
    )
    key_type = _level_columns(levels[i], key_name, agg_name)[0].type
    if not others.is_constant:
        raise diag.expected_constant(node.keyword, "The others value", level.others.pos)
    if others.type is not key_type:
        raise diag.type_mismatch(
            node.keyword,
            f"The others value must be of the key's type, {key_type.value}",
            level.others.pos,
        )
    grouped = grouped.wrap()
    count = grouped.output("__rows")
    assert count is not None
    grouped.where.append(exp.GT(this=count.sql.copy(), expression=number(0)))
    depth = max([grouped.depth, *(above.depth for above in levels[:i])]) + 1
    base = Aliased.of(grouped, "_o")
    columns, joins = _below_ancestors(base, [above.clone() for above in levels[:i]], named)
    for j, (_, key, agg) in enumerate(named[i:], start=i):
        key_column, agg_column = _level_columns(levels[j], key, agg)
        if j == i:
            columns += [(key_column, others.sql), (agg_column, base.col(agg))]
        else:
            columns += [(key_column, empty(key_column.type)), (agg_column, empty(agg_column.type))]
    return _joined(base, columns, joins, depth, "_w")


def _nest(levels: list[Relation], named: list[tuple[Level, str, str]]) -> Relation:
    """The deepest level's groups whose every ancestor made its level's top, with each level's
    key and aggregate: `Key1, aggregated_Key1, Key2, aggregated_Key2, ...`."""
    depth = max(level.depth for level in levels) + 1
    _, key, agg = named[-1]
    key_column, agg_column = _level_columns(levels[-1], key, agg)
    base = Aliased.of(levels[-1], f"_t{len(levels) - 1}")
    columns, joins = _below_ancestors(base, levels[:-1], named)
    columns += [(key_column, base.col(key)), (agg_column, base.col(agg))]
    return _joined(base, columns, joins, depth, "_n")


def _below_ancestors(
    base: Aliased, ancestors: list[Relation], named: list[tuple[Level, str, str]]
) -> tuple[list[tuple[Column, exp.Expr]], list[exp.Join]]:
    """The columns of the levels above `base`'s rows: each ancestor's key (from `base`) and
    aggregate (from the ancestor's groups), and the inner joins on the keys down to it that
    bring them, which also keep only the rows whose every ancestor made its level's top."""
    columns: list[tuple[Column, exp.Expr]] = []
    joins: list[exp.Join] = []
    for j, ancestor in enumerate(ancestors):
        _, key, agg = named[j]
        key_column, agg_column = _level_columns(ancestor, key, agg)
        above = Aliased.of(ancestor, f"_t{j}")
        condition: exp.Expr | None = None
        for _, upper, _ in named[: j + 1]:
            same = exp.NullSafeEQ(this=base.col(upper), expression=above.col(upper))
            condition = same if condition is None else exp.And(this=condition, expression=same)
        joins.append(exp.Join(this=above.source, kind="INNER", on=condition))
        columns += [(key_column, base.col(key)), (agg_column, above.col(agg))]
    return columns, joins


def _level_columns(level: Relation, key: str, agg: str) -> tuple[Column, Column]:
    key_output, agg_output = level.output(key), level.output(agg)
    assert key_output is not None and agg_output is not None
    return key_output.column, agg_output.column


def _joined(
    base: Aliased,
    columns: list[tuple[Column, exp.Expr]],
    joins: list[exp.Join],
    depth: int,
    prefix: str,
) -> Relation:
    select = select_columns(columns)
    select.set("from_", exp.From(this=base.source))
    if joins:
        select.set("joins", joins)
    return over(select, [c for c, _ in columns], depth, prefix)


def _union(parts: list[Relation]) -> Relation:
    """The rows of every part (same columns, in the same order), one after the other."""
    query = union_all([part.to_select() for part in parts])
    return over(query, parts[0].columns, max(p.depth for p in parts) + 1, "_u")


register_operator("top-nested", node=TopNested, parse=parse, lower=lower)
