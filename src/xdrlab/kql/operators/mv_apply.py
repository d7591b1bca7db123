"""`mv-apply`: expand each row's arrays into a subtable, run a subquery on every subtable, and
return the union of the results, each with the row's columns that were not expanded.

    T | mv-apply [with_itemindex=I] [Name =] Array [to typeof(T)], ... [limit N] on (Subquery)

SQL has no per-row subquery over a list that every engine runs well, so the whole input is
expanded at once (the `mv-expand` lowering) with a hidden row number, and the subquery is
lowered with that number as a partition: `summarize` groups by it, `sort` sorts by it first,
`top`/`take` keep the first N rows of each partition (a `row_number()` window), `distinct` and
`count` are per partition. Row-wise operators need nothing more. The columns of the input row
stay visible in the subquery, as in Kusto, and are carried through it: an operator that would
drop one (`project`, `summarize`, ...) keeps it (constant within a partition, so `any_value`
after a `summarize`), and the output lists them first, then the subquery's own columns.

An operator that looks across partitions (`join`, `union`, window functions, ...) is refused
inside the subquery with its position. A row whose arrays are all empty has an empty subtable
and gives no row, as with `mv-expand`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import result_name
from xdrlab.kql.binder.types import T, number
from xdrlab.kql.operators import count as count_op
from xdrlab.kql.operators import (
    distinct,
    extend,
    mv_expand,
    parse,
    project,
    project_away,
    project_rename,
    project_reorder,
    sort,
    summarize,
    take,
    top,
    where,
)
from xdrlab.kql.operators.registry import LOWERERS, register_operator
from xdrlab.kql.operators.shaping import parse_options
from xdrlab.kql.relation import Output, Relation
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class MvApply(n.OperatorNode):
    expansion: mv_expand.MvExpand
    subquery: tuple[n.OperatorNode, ...]


def parse_node(p: Parser, keyword: Token) -> MvApply:
    p.skip_hints()
    options = parse_options(p, ("with_itemindex",))
    index_name: str | None = None
    if "with_itemindex" in options:
        pos, value = options["with_itemindex"]
        if not isinstance(value, str):
            raise diag.syntax_error(str(value), pos)
        index_name = value
    items = mv_expand.parse_items(p)
    limit = p.parse_additive() if p.accept_word("limit") else None
    p.expect_word("on")
    p.expect_punct("(")
    p.enter()
    operators = [p.parse_operator()]
    while p.accept_punct("|"):
        operators.append(p.parse_operator())
    p.leave()
    p.expect_punct(")")
    # `mv-expand` is what expands: same items, index and limit (bags expand as bags)
    expansion = mv_expand.MvExpand(keyword.pos, "mv-apply", False, index_name, items, limit)
    return MvApply(keyword.pos, keyword.text, expansion, tuple(operators))


class _Partitioned:
    """The subquery's lowering: `row` numbers the input row; `carried` are the input row's
    columns that were not expanded, kept through every operator."""

    def __init__(self, ctx: Lowering, row: str, carried: list[str]) -> None:
        self.ctx = ctx
        self.row = row
        self.carried = carried

    def row_name(self, pos: diag.Position) -> n.Name:
        return n.Name(pos, self.row)

    # --- operators ---------------------------------------------------------------------------

    def lower(self, rel: Relation, op: n.OperatorNode) -> Relation:
        handler = self._handlers().get(type(op))
        if handler is None:
            raise diag.unsupported_feature(f"The '{op.keyword}' operator inside 'mv-apply'", op.pos)
        rel = handler(rel, op)
        if rel.windowed:
            # row_number(), prev() and next() would count across the input rows' subtables
            raise diag.unsupported_feature(
                "A window function (row_number, prev or next) inside 'mv-apply'", op.pos
            )
        return rel

    def _handlers(self) -> dict[type, Callable[[Relation, n.OperatorNode], Relation]]:
        return {
            where.Where: self._row_wise,
            extend.Extend: self._row_wise,
            parse.Parse: self._row_wise,
            mv_expand.MvExpand: self._row_wise,
            MvApply: self._row_wise,
            project.Project: self._keeping_carried,
            project_away.ProjectAway: self._keeping_carried,
            project_rename.ProjectRename: self._keeping_carried,
            project_reorder.ProjectReorder: self._keeping_carried,
            summarize.Summarize: self._summarize,
            count_op.Count: self._count,
            distinct.Distinct: self._distinct,
            sort.Sort: self._sort,
            top.Top: self._top,
            take.Take: self._take,
        }

    def _row_wise(self, rel: Relation, op: n.OperatorNode) -> Relation:
        return LOWERERS[type(op)](self.ctx, rel, op)

    def _same_select(self, rel: Relation, op: n.OperatorNode) -> tuple[Relation, list[Output]]:
        """`op` lowered onto `rel`'s own SELECT (wrapping `rel` first if the operator would
        start a new one), with `rel`'s outputs from before: their SQL is still valid in the
        result, so carried columns the operator dropped can be put back."""
        trial = rel.clone()
        source = trial.source
        result = LOWERERS[type(op)](self.ctx, trial, op)
        if result is trial and result.source is source:
            return result, rel.outputs
        rel = rel.wrap()
        before = list(rel.outputs)
        result = LOWERERS[type(op)](self.ctx, rel, op)
        if result is not rel:  # pragma: no cover - operators do not wrap a fresh SELECT
            raise diag.internal_error(op.pos)
        return result, before

    def _restore(self, rel: Relation, before: list[Output], *, aggregated: bool) -> Relation:
        present = set(rel.names())
        for output in before:
            if output.name in self.carried and output.name not in present:
                sql = exp.AnyValue(this=output.sql.copy()) if aggregated else output.sql.copy()
                rel.outputs.append(Output(output.column, sql))
        return rel

    def _keeping_carried(self, rel: Relation, op: n.OperatorNode) -> Relation:
        result, before = self._same_select(rel, op)
        if result.output(self.row) is None:
            row = next(o for o in before if o.name == self.row)
            result.outputs.insert(0, Output(row.column, row.sql.copy()))
        return self._restore(result, before, aggregated=False)

    def _grouped(self, rel: Relation, op: n.OperatorNode) -> Relation:
        result, before = self._same_select(rel, op)
        return self._restore(result, before, aggregated=True)

    def _summarize(self, rel: Relation, op: n.OperatorNode) -> Relation:
        assert isinstance(op, summarize.Summarize)
        by = (n.Assignment(op.pos, None, self.row_name(op.pos)), *op.by)
        return self._grouped(rel, summarize.Summarize(op.pos, op.keyword, op.aggregates, by))

    def _count(self, rel: Relation, op: n.OperatorNode) -> Relation:
        counted = n.Assignment(op.pos, "Count", n.Call(op.pos, "count", ()))
        by = (n.Assignment(op.pos, None, self.row_name(op.pos)),)
        return self._grouped(rel, summarize.Summarize(op.pos, op.keyword, (counted,), by))

    def _distinct(self, rel: Relation, op: n.OperatorNode) -> Relation:
        assert isinstance(op, distinct.Distinct)
        if op.items is None:  # every column, the row number and the carried ones among them
            return LOWERERS[type(op)](self.ctx, rel, op)
        by = (n.Assignment(op.pos, None, self.row_name(op.pos)), *op.items)
        return self._grouped(rel, summarize.Summarize(op.pos, op.keyword, (), by))

    def _sort(self, rel: Relation, op: n.OperatorNode) -> Relation:
        assert isinstance(op, sort.Sort)
        return sort.apply_order(self.ctx, rel, (self._row_key(op.pos), *op.keys), op.keyword)

    def _row_key(self, pos: diag.Position) -> n.SortKey:
        return n.SortKey(pos, self.row_name(pos), descending=False, nulls_first=True)

    def _top(self, rel: Relation, op: n.OperatorNode) -> Relation:
        assert isinstance(op, top.Top)
        count = take.row_count(self.ctx, rel, op.count, op.keyword)
        rel = sort.apply_order(self.ctx, rel, (self._row_key(op.pos), *op.keys), op.keyword)
        return self._first_rows(rel, count)

    def _take(self, rel: Relation, op: n.OperatorNode) -> Relation:
        assert isinstance(op, take.Take)
        count = take.row_count(self.ctx, rel, op.count, op.keyword)
        if not rel.can_filter():
            rel = rel.wrap()
        return self._first_rows(rel, count)

    def _first_rows(self, rel: Relation, count: int) -> Relation:
        """The first `count` rows of each partition in the relation's order (any rows if it
        has none)."""
        order = rel.order
        partition = rel.output(self.row)
        assert partition is not None
        rank = exp.Window(this=exp.RowNumber(), partition_by=[partition.sql.copy()])
        if order:
            rank.set("order", exp.Order(expressions=[o.copy() for o in order]))
        rank_name = f"{self.row}_rank"
        rel.outputs.append(Output(Column(rank_name, T.LONG), rank))
        rel = rel.wrap()
        ranked = rel.outputs.pop()
        rel.where.append(exp.LTE(this=ranked.sql, expression=number(count)))
        return rel


def lower(ctx: Lowering, rel: Relation, node: MvApply) -> Relation:
    ctx.mv_applies += 1
    row = f"__mva{ctx.mv_applies}"
    if not rel.can_project() or rel.windowed:
        rel = rel.wrap()
    rel.outputs.append(Output(Column(row, T.LONG), exp.Window(this=exp.RowNumber())))
    rel = rel.wrap()
    input_names = [name for name in rel.names() if name != row]
    rel = mv_expand.lower(ctx, rel, node.expansion)
    expanded = set(rel.names()) - set(input_names) | _replaced(node.expansion, input_names)
    carried = [name for name in input_names if name not in expanded]
    lowering = _Partitioned(ctx, row, carried)
    for op in node.subquery:
        rel = lowering.lower(rel, op)
    # the input row's columns first, then the subquery's; the row number goes
    if rel.distinct:  # (`distinct *` counted it among the columns)
        rel = rel.wrap()
    first = [rel.output(name) for name in carried]
    rest = [o for o in rel.outputs if o.name not in carried and o.name != row]
    rel.outputs = [o for o in first if o is not None] + rest
    if not rel.outputs:
        raise diag.unsupported_feature(
            f"'{node.keyword}' operator: a result without columns", node.pos
        )
    return rel


def _replaced(expansion: mv_expand.MvExpand, input_names: list[str]) -> set[str]:
    """Input columns an expanded item replaced (`mv-apply Tags on ...` expands `Tags` itself)."""
    names = set(input_names)
    replaced: set[str] = set()
    for item in expansion.items:
        name = item.name or result_name(item.expr)
        if name in names:
            replaced.add(name)
    return replaced


register_operator("mv-apply", "mvapply", node=MvApply, parse=parse_node, lower=lower)
