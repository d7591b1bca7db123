"""Lowering a subquery once per partition of its input, in one SQL query.

`mv-apply` (a partition per input row) and `partition by Column` run a subquery on each part of
their input and return the union of the results. SQL has no per-group subquery that every
engine runs well, so the subquery is lowered once over the whole input with the partition key
as a hidden column: `summarize` groups by it, `sort` sorts by it first, `top`/`take` keep the
first N rows of each partition (a `row_number()` window), `distinct` and `count` are per
partition. Row-wise operators need nothing more. A `summarize` without `by` gives a row for
every partition, also one whose rows a `where` removed (Kusto's `summarize` of an empty table):
the partitions, read once more, are left-joined to its result. Columns the caller names as carried are kept
through every operator: one that would drop them (`project`, `summarize`, ...) keeps them
(constant within a partition, so `any_value` after a `summarize`).

An operator that looks across partitions (`join`, `union`, window functions, ...) is refused
with its position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
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
from xdrlab.kql.operators.registry import LOWERERS
from xdrlab.kql.relation import Aliased, Output, Relation, over, select_columns
from xdrlab.kql.syntax import nodes as n
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser


def parse_subquery(p: Parser) -> tuple[n.OperatorNode, ...]:
    """`( operator | operator ... )`: a subquery over an implicit input (its partitions)."""
    p.expect_punct("(")
    p.enter()
    operators = [p.parse_operator()]
    while p.accept_punct("|"):
        operators.append(p.parse_operator())
    p.leave()
    p.expect_punct(")")
    return tuple(operators)


# Operators whose output rows each depend on one input row only (registered by their modules
# when they live elsewhere): they run on a partitioned input as they are.
ROW_WISE: set[type[n.OperatorNode]] = set()


class PartitionedLowering:
    """Lowers a subquery once for every partition of its input: `row` names the column holding
    the partition key (hidden from the user, removed by the caller); `carried` are columns kept
    through every operator; `within` names the operator in diagnostics."""

    def __init__(
        self,
        ctx: Lowering,
        row: str,
        carried: list[str],
        within: str,
        partitions: Relation,
    ) -> None:
        self.ctx = ctx
        self.row = row
        self.carried = carried
        self.within = within
        # one row per partition: the key and the carried columns (read again by `summarize`
        # without `by`, which gives a row even for a partition with no rows left)
        self.partitions = partitions
        self.partitions_read = False

    def row_name(self, pos: diag.Position) -> n.Name:
        return n.Name(pos, self.row)

    # --- operators ---------------------------------------------------------------------------

    def lower(self, rel: Relation, op: n.OperatorNode) -> Relation:
        handler = self._handlers().get(type(op))
        if handler is None and type(op) in ROW_WISE:
            handler = self._row_wise
        if handler is None:
            raise diag.unsupported_feature(
                f"The '{op.keyword}' operator inside '{self.within}'", op.pos
            )
        rel = handler(rel, op)
        if rel.windowed:
            # row_number(), prev() and next() would count across partitions
            raise diag.unsupported_feature(
                f"A window function (row_number, prev or next) inside '{self.within}'", op.pos
            )
        return rel

    def _handlers(self) -> dict[type, Callable[[Relation, n.OperatorNode], Relation]]:
        return {
            where.Where: self._row_wise,
            extend.Extend: self._row_wise,
            parse.Parse: self._row_wise,
            mv_expand.MvExpand: self._row_wise,
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
        grouped = summarize.Summarize(op.pos, op.keyword, op.aggregates, by)
        if op.by:
            return self._grouped(rel, grouped)
        return self._every_partition(self._same_select(rel, grouped)[0])

    def _count(self, rel: Relation, op: n.OperatorNode) -> Relation:
        counted = n.Assignment(op.pos, "Count", n.Call(op.pos, "count", ()))
        by = (n.Assignment(op.pos, None, self.row_name(op.pos)),)
        grouped = summarize.Summarize(op.pos, op.keyword, (counted,), by)
        return self._every_partition(self._same_select(rel, grouped)[0])

    def _every_partition(self, grouped: Relation) -> Relation:
        """A `summarize` without `by` (or `count`) gives one row for every partition, as
        Kusto's subquery over an empty table does, even where `where` left no rows: the
        partitions left-joined to the grouped rows, and where a partition has none, the
        aggregates' values over no rows (`count()` 0, `make_list()` [], ...)."""
        self.partitions_read = True
        aggregates = [o for o in grouped.outputs if o.name != self.row]
        empty = Relation(
            grouped.source.copy(),
            [Output(o.column, o.sql.copy()) for o in aggregates],
            where=[exp.false()],
            group=[],
        )
        depth = grouped.depth + 1
        present = set(grouped.names())
        every = Aliased.of(self.partitions.clone(), "_p")
        found = Aliased.of(grouped, "_g")
        none = Aliased.of(empty, "_e")
        key = self.partitions.output(self.row)
        assert key is not None
        columns: list[tuple[Column, exp.Expr]] = [(key.column, every.col(self.row))]
        for o in aggregates:
            columns.append(
                (o.column, exp.Coalesce(this=found.col(o.name), expressions=[none.col(o.name)]))
            )
        # the carried columns, from the partitions (an aggregate of the same name wins)
        for o in self.partitions.outputs:
            if o.name in self.carried and o.name not in present:
                columns.append((o.column, every.col(o.name)))
        select = select_columns(columns)
        select.set("from_", exp.From(this=every.source))
        same = exp.NullSafeEQ(this=every.col(self.row), expression=found.col(self.row))
        select.set(
            "joins",
            [
                exp.Join(this=found.source, side="LEFT", on=same),
                exp.Join(this=none.source, kind="CROSS"),
            ],
        )
        return over(select, [c for c, _ in columns], depth, "_a")

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
        return rel.keep_ranked(rank, count)
