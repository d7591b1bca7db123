"""`join` and `lookup`: match the rows of the input ($left) with those of another table ($right).

Kinds: innerunique (Kusto's default: the left side is deduplicated on the join keys first, one
arbitrary row per key), inner, leftouter, rightouter, fullouter, leftsemi, leftanti (also `anti`,
`leftantisemi`), rightsemi, rightanti (`rightantisemi`). Keys are equalities only: `on Col`
(same name on both sides) and `on $left.A == $right.B`, several joined by `,` or `and`.
Hints (`hint.strategy=...`, `hint.shufflekey=...`) are accepted and ignored.

Semantics kept from Kusto:
- Output columns: the left's, then the right's; a right column whose name is taken gets the
  first free numeric suffix (`DeviceId` -> `DeviceId1`), key columns included. Semi and anti
  joins output one side only.
- A null key matches nothing (Kusto's `==` on nulls is not true); strings are never null, so
  empty strings match each other.
- Columns a non-matching row lacks are null, except strings, which are empty (Kusto strings
  cannot be null).
- `lookup` (kind leftouter by default, or inner) is a join that leaves out the right's key
  columns and does not deduplicate.

Lowering: each side becomes a subquery and one SQL join on the equalities, so DuckDB plans it
as a hash join; innerunique adds `DISTINCT ON (keys)` on the left unless the left is already
unique on the keys (a `summarize ... by` the keys, `distinct`, `take 1`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import NUMERIC, STRINGLIKE, T, string
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.relation import (
    Aliased,
    Output,
    Relation,
    over,
    select_columns,
)
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token
from xdrlab.lake.schema import Column

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.syntax.parser import Parser

JOIN_KINDS = {
    "innerunique": "innerunique",
    "inner": "inner",
    "leftouter": "leftouter",
    "rightouter": "rightouter",
    "fullouter": "fullouter",
    "outer": "fullouter",
    "leftsemi": "leftsemi",
    "semi": "leftsemi",
    "leftanti": "leftanti",
    "anti": "leftanti",
    "leftantisemi": "leftanti",
    "rightsemi": "rightsemi",
    "rightanti": "rightanti",
    "rightantisemi": "rightanti",
}
LOOKUP_KINDS = {"leftouter": "leftouter", "inner": "inner"}


@dataclass(frozen=True, slots=True)
class JoinKey:
    pos: diag.Position  # where the left column is named
    left: str
    right: str
    right_pos: diag.Position


@dataclass(frozen=True, slots=True)
class Join(n.OperatorNode):
    kind: str  # normalised (JOIN_KINDS values)
    right: n.Expr
    keys: tuple[JoinKey, ...]


@dataclass(frozen=True, slots=True)
class Lookup(n.OperatorNode):
    kind: str
    right: n.Expr
    keys: tuple[JoinKey, ...]


# --- parsing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    pos: diag.Position
    name: str
    value: str


def parse_options(p: Parser) -> list[Option]:
    """`name = value` and `hint.name = value` options before an operator's arguments."""
    options: list[Option] = []
    while p.tok.kind is Kind.IDENT and (
        p.peek().is_punct("=") or (p.tok.text.startswith("hint") and p.peek().is_punct("."))
    ):
        t = p.advance()
        name = t.text
        if p.accept_punct("."):
            name += "." + p.parse_identifier()
        p.expect_punct("=")
        value = p.tok
        if value.kind not in (Kind.IDENT, Kind.LONG, Kind.STRING):
            raise p.fail()
        p.advance()
        options.append(
            Option(t.pos, name, str(value.value if value.kind is Kind.STRING else value.text))
        )
    return options


def kind_option(options: list[Option], kinds: dict[str, str], default: str, op: str) -> str:
    kind = default
    for option in options:
        if option.name == "kind":
            if option.value not in kinds:
                raise diag.unsupported_feature(f"The '{op}' kind '{option.value}'", option.pos)
            kind = kinds[option.value]
        elif not option.name.startswith("hint."):
            raise diag.syntax_error(option.name, option.pos)
    return kind


def parse_right(p: Parser) -> n.Expr:
    """The right side: a name, a call, or a parenthesised tabular expression."""
    if not (p.tok.kind is Kind.IDENT or p.at_punct("(", "[")):
        raise p.fail()
    return p.parse_source()


def parse_keys(p: Parser, op: str) -> tuple[JoinKey, ...]:
    p.expect_word("on")
    keys: list[JoinKey] = []
    while True:
        _condition_keys(p.parse_expr(), keys, op)
        if not p.accept_punct(","):
            return tuple(keys)


def _side(e: n.Expr) -> tuple[str, str, diag.Position] | None:
    if (
        isinstance(e, n.Member)
        and isinstance(e.target, n.Name)
        and e.target.name in ("$left", "$right")
    ):
        return e.target.name, e.name, e.target.pos
    return None


def _condition_keys(e: n.Expr, keys: list[JoinKey], op: str) -> None:
    if isinstance(e, n.Name) and not e.name.startswith("$"):
        keys.append(JoinKey(e.pos, e.name, e.name, e.pos))
        return
    if isinstance(e, n.Binary) and e.op == "and":
        _condition_keys(e.left, keys, op)
        _condition_keys(e.right, keys, op)
        return
    if isinstance(e, n.Binary) and e.op == "==":
        a, b = _side(e.left), _side(e.right)
        if a is not None and b is not None and {a[0], b[0]} == {"$left", "$right"}:
            left, right = (a, b) if a[0] == "$left" else (b, a)
            keys.append(JoinKey(left[2], left[1], right[1], right[2]))
            return
    raise diag.unsupported_feature(
        f"A '{op}' condition other than equality of a $left and a $right column", e.pos
    )


def parse_join(p: Parser, keyword: Token) -> Join:
    kind = kind_option(parse_options(p), JOIN_KINDS, "innerunique", keyword.text)
    right = parse_right(p)
    return Join(keyword.pos, keyword.text, kind, right, parse_keys(p, keyword.text))


def parse_lookup(p: Parser, keyword: Token) -> Lookup:
    kind = kind_option(parse_options(p), LOOKUP_KINDS, "leftouter", keyword.text)
    right = parse_right(p)
    return Lookup(keyword.pos, keyword.text, kind, right, parse_keys(p, keyword.text))


# --- lowering -------------------------------------------------------------------------------


def free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    i = 1
    while f"{name}{i}" in taken:
        i += 1
    return f"{name}{i}"


def _key_type_ok(left: Column, right: Column) -> bool:
    if left.type is T.DYNAMIC or right.type is T.DYNAMIC:
        return False
    if left.type == right.type:
        return True
    return {left.type, right.type} <= NUMERIC or {left.type, right.type} <= STRINGLIKE


def _unique_on(rel: Relation, keys: set[str]) -> bool:
    """Whether the relation has at most one row per value of `keys` (by what built it)."""
    if rel.limit is not None and rel.limit <= 1:
        return True
    if rel.group is not None:
        grouped = [o for o in rel.outputs if any(o.sql == g for g in rel.group)]
        return len(grouped) >= len(rel.group) and all(o.name in keys for o in grouped)
    if rel.distinct:
        return all(o.name in keys for o in rel.outputs)
    return False


def nullable(sql: exp.Expr, column: Column) -> exp.Expr:
    """A column of the side that may not match: strings stay empty rather than null."""
    if column.type in STRINGLIKE:
        return exp.Coalesce(this=sql, expressions=[string("")])
    return sql


def lower_join(
    ctx: Lowering,
    left: Relation,
    right: Relation,
    keys: tuple[JoinKey, ...],
    kind: str,
    op: str,
    *,
    drop_right_keys: bool = False,
) -> Relation:
    pairs: list[tuple[Output, Output]] = []
    for key in keys:
        lo = left.output(key.left)
        if lo is None:
            raise diag.unknown_column(op, key.left, key.pos)
        ro = right.output(key.right)
        if ro is None:
            raise diag.unknown_column(op, key.right, key.right_pos)
        if not _key_type_ok(lo.column, ro.column):
            raise diag.type_mismatch(
                op,
                f"The key '{key.left}' has type {lo.column.type.value} on the left and "
                f"'{key.right}' type {ro.column.type.value} on the right",
                key.pos,
            )
        pairs.append((lo, ro))
    if kind == "innerunique":
        if not _unique_on(left, {lo.name for lo, _ in pairs}):
            left = _distinct_on(left, [lo.name for lo, _ in pairs])
        kind = "inner"
    depth = max(left.depth, right.depth) + 1
    left_columns, right_columns = left.columns, right.columns
    lefts, rights = Aliased.of(left, "_l"), Aliased.of(right, "_r")
    condition: exp.Expr | None = None
    for lo, ro in pairs:
        eq = exp.EQ(this=lefts.col(lo.name), expression=rights.col(ro.name))
        condition = eq if condition is None else exp.And(this=condition, expression=eq)
    assert condition is not None

    columns: list[tuple[Column, exp.Expr]] = []
    if kind in ("rightsemi", "rightanti"):
        columns = [(c, rights.col(c.name)) for c in right_columns]
        source = rights.source
        join = exp.Join(
            this=lefts.source, kind="SEMI" if kind == "rightsemi" else "ANTI", on=condition
        )
    elif kind in ("leftsemi", "leftanti"):
        columns = [(c, lefts.col(c.name)) for c in left_columns]
        source = lefts.source
        join = exp.Join(
            this=rights.source, kind="SEMI" if kind == "leftsemi" else "ANTI", on=condition
        )
    else:
        left_may_miss = kind in ("rightouter", "fullouter")
        right_may_miss = kind in ("leftouter", "fullouter")
        taken = {c.name for c in left_columns}
        for c in left_columns:
            sql: exp.Expr = lefts.col(c.name)
            columns.append((c, nullable(sql, c) if left_may_miss else sql))
        right_keys = {ro.name for _, ro in pairs}
        for c in right_columns:
            if drop_right_keys and c.name in right_keys:
                continue
            name = free_name(c.name, taken)
            taken.add(name)
            sql = rights.col(c.name)
            columns.append((Column(name, c.type), nullable(sql, c) if right_may_miss else sql))
        source = lefts.source
        side = {"inner": None, "leftouter": "LEFT", "rightouter": "RIGHT", "fullouter": "FULL"}
        join = exp.Join(
            this=rights.source,
            side=side[kind],
            kind="INNER" if kind == "inner" else "OUTER",
            on=condition,
        )
    select = select_columns(columns)
    select.set("from_", exp.From(this=source))
    select.set("joins", [join])
    return over(select, [c for c, _ in columns], depth, "_j")


def _distinct_on(rel: Relation, keys: list[str]) -> Relation:
    """One arbitrary row per value of `keys` (innerunique's left side)."""
    rel = rel.wrap()
    rel.order = []
    on = exp.Tuple(expressions=[rel.scope()[k].sql for k in keys])
    select = rel.to_select()
    select.set("distinct", exp.Distinct(on=on))
    return over(select, rel.columns, rel.depth + 1, "_u")


def lower_join_node(ctx: Lowering, rel: Relation, node: Join) -> Relation:
    right = ctx.source(node.right, node.keyword)
    return lower_join(ctx, rel, right, node.keys, node.kind, node.keyword)


def lower_lookup_node(ctx: Lowering, rel: Relation, node: Lookup) -> Relation:
    right = ctx.source(node.right, node.keyword)
    return lower_join(ctx, rel, right, node.keys, node.kind, node.keyword, drop_right_keys=True)


register_operator("join", node=Join, parse=parse_join, lower=lower_join_node)
register_operator("lookup", node=Lookup, parse=parse_lookup, lower=lower_lookup_node)
