"""The relation a pipeline builds: one SELECT under construction.

Operators add to the current SELECT while SQL's clause order allows it (`where` after
`project`-ing plain columns stays one WHERE on the raw columns, so row-group pruning works);
otherwise the SELECT built so far becomes a subquery and a new one starts on top of it.
Each output column is kept with the SQL that computes it from the SELECT's input, so later
operators can substitute it instead of nesting.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from xdrlab.kql.binder.types import T, Typed
from xdrlab.lake.schema import Column


@dataclass(frozen=True, slots=True)
class Output:
    column: Column
    sql: exp.Expr

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def simple(self) -> bool:
        """Cheap to repeat: a plain column reference or a literal."""
        return isinstance(self.sql, exp.Column | exp.Literal | exp.Boolean | exp.Null) or (
            isinstance(self.sql, exp.Cast) and isinstance(self.sql.this, exp.Literal | exp.Null)
        )


def column_ref(name: str) -> exp.Column:
    return exp.Column(this=exp.Identifier(this=name, quoted=True))


@dataclass
class Relation:
    source: exp.Expr
    outputs: list[Output]
    where: list[exp.Expr] = field(default_factory=list)
    group: list[exp.Expr] | None = None
    distinct: bool = False
    order: list[exp.Ordered] = field(default_factory=list)
    limit: int | None = None
    depth: int = 0
    # `serialize` (or a sort) has fixed the row order: window functions may be used
    serialized: bool = False

    @classmethod
    def scan(cls, table: str, columns: tuple[Column, ...]) -> Relation:
        source = exp.Table(this=exp.Identifier(this=table, quoted=True))
        return cls(source, [Output(c, column_ref(c.name)) for c in columns])

    # --- shape -------------------------------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(o.column for o in self.outputs)

    def names(self) -> list[str]:
        return [o.name for o in self.outputs]

    def output(self, name: str) -> Output | None:
        for o in self.outputs:
            if o.name == name:
                return o
        return None

    def scope(self) -> dict[str, Typed]:
        """Output columns by name, each as the SQL computing it from this SELECT's input."""
        return {o.name: Typed(o.sql, o.column.type) for o in self.outputs}

    def __iter__(self) -> Iterator[Output]:
        return iter(self.outputs)

    # --- what can still be added to this SELECT ---------------------------------------------

    @property
    def aggregated(self) -> bool:
        return self.group is not None

    @property
    def windowed(self) -> bool:
        """An output is computed by a window function (`row_number()`, `prev()`, ...): a WHERE,
        GROUP BY or DISTINCT of this SELECT would run before it, so they need a new SELECT."""
        # (plain columns, most outputs of a wide table, need no walk)
        return any(
            not isinstance(o.sql, exp.Column) and o.sql.find(exp.Window) is not None
            for o in self.outputs
        )

    def window_order(self) -> list[exp.Ordered] | None:
        """The ORDER BY of a window function over this SELECT's rows; None if not serialized."""
        if self.order:
            return [o.copy() for o in self.order]
        return [] if self.serialized else None

    def can_filter(self) -> bool:
        return (
            not self.aggregated and not self.distinct and self.limit is None and not self.windowed
        )

    def can_project(self) -> bool:
        return not self.aggregated and not self.distinct

    def can_sort(self) -> bool:
        return not self.aggregated and not self.distinct and self.limit is None

    def refs_are_simple(self, names: set[str]) -> bool:
        """Whether every referenced output column is cheap to substitute."""
        return all(o.simple for o in self.outputs if o.name in names)

    # --- building ------------------------------------------------------------------------------

    def clone(self) -> Relation:
        return Relation(
            self.source.copy(),
            [Output(o.column, o.sql.copy()) for o in self.outputs],
            [w.copy() for w in self.where],
            None if self.group is None else [g.copy() for g in self.group],
            self.distinct,
            [o.copy() for o in self.order],
            self.limit,
            self.depth,
            self.serialized,
        )

    def to_select(self, final: bool = False, *, copy_source: bool = True) -> exp.Select:
        """This relation as a SELECT. `copy_source=False` reuses the source tree (cheaper for
        deep sources) and may only be used when this relation is not used afterwards."""
        names = self.names() if final else sql_names(self.names())
        expressions: list[exp.Expr] = []
        for o, name in zip(self.outputs, names, strict=True):
            sql = o.sql.copy()
            if isinstance(sql, exp.Column) and sql.name == name:
                expressions.append(sql)
            else:
                expressions.append(
                    exp.Alias(this=sql, alias=exp.Identifier(this=name, quoted=True))
                )
        select = exp.Select(expressions=expressions)
        source = self.source.copy() if copy_source else self.source
        select.set("from_", exp.From(this=source))
        if self.where:
            condition = self.where[0].copy()
            for extra in self.where[1:]:
                condition = exp.And(this=_paren(condition), expression=_paren(extra.copy()))
            select.set("where", exp.Where(this=condition))
        if self.group:
            select.set("group", exp.Group(expressions=[_keyed(g.copy()) for g in self.group]))
        if self.distinct:
            select.set("distinct", exp.Distinct())
        if self.order:
            order = [o.copy() for o in self.order]
            for key in order:
                key.set("this", _keyed(key.this))
            select.set("order", exp.Order(expressions=order))
        if self.limit is not None:
            select.set("limit", exp.Limit(expression=exp.Literal.number(self.limit)))
        return select

    def wrap(self) -> Relation:
        """This SELECT as a subquery, with a new SELECT over it that passes every column on."""
        wrapped = over(self.to_select(), self.columns, self.depth + 1, "_q")
        names = sql_names(self.names())
        order: list[exp.Ordered] = []
        # Keep the row order for the operators above (SQL does not promise a subquery's
        # order survives): sort again by the same keys when they are output columns.
        for key in self.order:
            index = next((i for i, o in enumerate(self.outputs) if o.sql == key.this), None)
            if index is None:
                order = []
                break
            order.append(replace_this(key, column_ref(names[index])))
        wrapped.order = order
        wrapped.serialized = self.serialized and not self.aggregated and not self.distinct
        return wrapped

    def keep_ranked(self, rank: exp.Window, most: int) -> Relation:
        """The rows whose `rank` (a window over this SELECT's rows) is at most `most`: the
        rank is computed here, and filtered on in a new SELECT above."""
        self.outputs.append(Output(Column("__rank", T.LONG), rank))
        ranked = self.wrap()
        kept = ranked.outputs.pop()
        ranked.where.append(exp.LTE(this=kept.sql, expression=exp.Literal.number(most)))
        return ranked


def over(query: exp.Query, columns: Sequence[Column], depth: int, prefix: str) -> Relation:
    """A relation reading `query` (whose output names are `sql_names` of the columns') as a
    subquery aliased `{prefix}{depth}`."""
    alias = exp.TableAlias(this=exp.Identifier(this=f"{prefix}{depth}", quoted=True))
    names = sql_names([c.name for c in columns])
    outputs = [Output(c, column_ref(name)) for c, name in zip(columns, names, strict=True)]
    return Relation(exp.Subquery(this=query, alias=alias), outputs, depth=depth)


def select_columns(columns: Sequence[tuple[Column, exp.Expr]]) -> exp.Select:
    """`SELECT sql AS name, ...` for each (column, sql), under the columns' `sql_names`."""
    names = sql_names([c.name for c, _ in columns])
    return exp.Select(
        expressions=[
            exp.Alias(this=sql, alias=exp.Identifier(this=name, quoted=True))
            for (_, sql), name in zip(columns, names, strict=True)
        ]
    )


def union_all(queries: Sequence[exp.Query]) -> exp.Query:
    """The rows of every query, one after the other (same columns, in the same order)."""
    tree = queries[0]
    for query in queries[1:]:
        tree = exp.Union(this=tree, expression=query, distinct=False)
    return tree


@dataclass(frozen=True)
class Aliased:
    """A relation as an aliased subquery, for a FROM or a JOIN of a hand-built SELECT."""

    source: exp.Subquery
    alias: str
    sql_names: dict[str, str]  # Kusto column name -> the subquery's column name

    @classmethod
    def of(cls, rel: Relation, alias: str) -> Aliased:
        """`rel` as the subquery `alias` (the relation is consumed)."""
        if rel.limit is None:
            rel.order = []  # a subquery's order means nothing to the query above it
        table_alias = exp.TableAlias(this=exp.Identifier(this=alias, quoted=True))
        select = rel.to_select(copy_source=False)
        names = dict(zip(rel.names(), sql_names(rel.names()), strict=True))
        return cls(exp.Subquery(this=select, alias=table_alias), alias, names)

    def col(self, name: str) -> exp.Column:
        """A new reference to the column Kusto calls `name`."""
        return qualified(self.alias, self.sql_names[name])


def qualified(alias: str, name: str) -> exp.Column:
    return exp.Column(
        this=exp.Identifier(this=name, quoted=True), table=exp.Identifier(this=alias, quoted=True)
    )


def replace_this(ordered: exp.Ordered, this: exp.Expr) -> exp.Ordered:
    copy = ordered.copy()
    copy.set("this", this)
    return copy


def _paren(sql: exp.Expr) -> exp.Expr:
    return exp.Paren(this=sql) if isinstance(sql, exp.Or) else sql


def sql_names(names: list[str]) -> list[str]:
    """Column aliases for one SELECT: the Kusto names, made unique ignoring case.

    Kusto column names are case-sensitive and DuckDB's are not, so `FileName` and `filename`
    in one SELECT get distinct aliases inside the query; the outermost SELECT restores them.
    """
    taken: set[str] = set()
    out: list[str] = []
    for name in names:
        alias = name
        i = 2
        while alias.lower() in taken:
            alias = f"{name}__{i}"
            i += 1
        taken.add(alias.lower())
        out.append(alias)
    return out


__all__ = [
    "Aliased",
    "Output",
    "Relation",
    "column_ref",
    "over",
    "qualified",
    "select_columns",
    "sql_names",
    "union_all",
]


def _keyed(key: exp.Expr) -> exp.Expr:
    """A GROUP BY or ORDER BY key safe from SQL's positional reading: a bare integer literal
    there means "the n-th column" (and other literals are refused), so a constant key (a
    column the query set to a constant, inlined) is cast, which keeps its meaning."""
    if isinstance(key, exp.Literal):
        kind = "VARCHAR" if key.is_string else "BIGINT" if key.is_int else "DOUBLE"
        return exp.Cast(this=key, to=exp.DataType.build(kind))
    if isinstance(key, exp.Boolean | exp.Null):
        kind = "BOOLEAN" if isinstance(key, exp.Boolean) else "VARCHAR"
        return exp.Cast(this=key, to=exp.DataType.build(kind))
    return key
