"""A relation read more than once by one operator, as a named common table expression.

Repeating the relation's SQL would run it twice, and two runs need not give the same rows (a
row number, `take` without a sort); a CTE is one result both readers see.
"""

from __future__ import annotations

from sqlglot import exp

from xdrlab.kql.relation import Output, Relation, column_ref, sql_names


class SharedInput:
    """A partitioned operator's input as a named common table expression: the subquery reads
    it, and so does `summarize` without `by` for the list of partitions. Named, rather than
    repeated, so that both see the same rows (a row number is not the same on a second run)."""

    def __init__(self, rel: Relation, name: str) -> None:
        self.name = name
        self.select = rel.to_select()
        names = sql_names(rel.names())
        self._outputs = [
            Output(o.column, column_ref(alias)) for o, alias in zip(rel.outputs, names, strict=True)
        ]
        self._depth = rel.depth + 1

    def scan(self, names: list[str] | None = None) -> Relation:
        """A relation reading the input (only the columns `names`, when given)."""
        table = exp.Table(this=exp.Identifier(this=self.name, quoted=True))
        outputs = [
            Output(o.column, o.sql.copy())
            for o in self._outputs
            if names is None or o.name in names
        ]
        return Relation(table, outputs, depth=self._depth)

    def attach(self, rel: Relation, read_twice: bool) -> Relation:
        """`rel` (which reads the input) wrapped in a SELECT that defines it. Read twice, the
        input is materialized once; read once, the engine inlines it."""
        rel = rel.wrap()
        assert isinstance(rel.source, exp.Subquery)
        cte = exp.CTE(
            this=self.select,
            alias=exp.TableAlias(this=exp.Identifier(this=self.name, quoted=True)),
            materialized=read_twice,
        )
        rel.source.this.set("with_", exp.With(expressions=[cte]))
        return rel
