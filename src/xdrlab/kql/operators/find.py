"""`find` and `search` over hunting tables, in their predicate forms.

`find [withsource=Col] [in (T, U*, ...)] where Predicate [project Col, ...]` is the union of
the tables (all hunting tables without `in`) filtered by the predicate; a column a table lacks
is null there (empty for strings). Output: `source_` (or the withsource name), then the
`project` columns, or without `project` the columns every table has plus those the predicate
names. Kusto's `pack_` column (the other columns as a bag) is not produced.

`search [in (T, ...)] Predicate` is the same union with a `$table` column and every column.
Free-text terms (`search "x"`, `Col:"x"`) are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.operators.common import free_names
from xdrlab.kql.operators.join import parse_options
from xdrlab.kql.operators.registry import register_source
from xdrlab.kql.operators.union import UnionSpec, _wildcard, lower_union
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser


@dataclass(frozen=True, slots=True)
class Find(n.TabularExpr):
    withsource: str
    tables: tuple[n.Name, ...] | None
    predicate: n.Expr
    project: tuple[tuple[diag.Position, str], ...] | None


def _tables(p: Parser) -> tuple[n.Name, ...] | None:
    if not p.accept_word("in"):
        return None
    p.expect_punct("(")
    names: list[n.Name] = []
    while True:
        pos, name = p.parse_name_pattern()
        names.append(n.Name(pos, name))
        if not p.accept_punct(","):
            break
    p.expect_punct(")")
    return tuple(names)


def parse_find(p: Parser, keyword: Token) -> Find:
    withsource = "source_"
    for option in parse_options(p):
        if option.name != "withsource":
            raise diag.unsupported_feature(f"The 'find' option '{option.name}'", option.pos)
        withsource = option.value
    tables = _tables(p)
    p.expect_word("where")
    predicate = p.parse_expr()
    project: tuple[tuple[diag.Position, str], ...] | None = None
    if p.at_word("project-smart"):
        p.advance()
    elif p.accept_word("project"):
        items = [p.parse_name_pattern()]
        while p.accept_punct(","):
            items.append(p.parse_name_pattern())
        project = tuple(items)
    return Find(keyword.pos, keyword.text, withsource, tables, predicate, project)


def parse_search(p: Parser, keyword: Token) -> Find:
    for option in parse_options(p):
        if option.name != "kind":
            raise diag.unsupported_feature(f"The 'search' option '{option.name}'", option.pos)
    tables = _tables(p)
    t = p.tok
    if t.kind is Kind.STRING or (t.kind is Kind.IDENT and p.peek().is_punct(":")):
        raise diag.unsupported_feature("Free-text 'search' terms", t.pos)
    predicate = p.parse_expr()
    return Find(keyword.pos, keyword.text, "$table", tables, predicate, None)


def lower(ctx: Lowering, node: Find) -> Relation:
    legs: tuple[n.Expr, ...]
    if node.tables is None:
        legs = tuple(n.Name(node.pos, t) for t in sorted(ctx.tables))
    else:
        legs = node.tables
    spec = UnionSpec("outer", node.withsource, False, legs)
    rel = lower_union(ctx, spec, node.keyword, node.pos, None)
    condition = ctx.binder(rel, node.keyword).bind_bool(node.predicate)
    if condition.value is not True:
        rel.where.append(condition.sql)
    if node.keyword == "search":
        return rel
    if node.project is not None:
        keep = [node.withsource]
        for pos, name in node.project:
            if rel.output(name) is None:
                raise diag.unknown_column(node.keyword, name, pos)
            keep.append(name)
    else:
        tables = [ctx.tables[t] for t in rel_tables(ctx, legs)]
        common = (
            set.intersection(*({c.name for c in t.columns} for t in tables)) if tables else set()
        )
        named = free_names(node.predicate)
        keep = [node.withsource] + [
            o.name for o in rel.outputs[1:] if o.name in common or o.name in named
        ]
    rel.outputs = [o for o in rel.outputs if o.name in keep]
    rel.outputs.sort(key=lambda o: keep.index(o.name))
    return rel


def rel_tables(ctx: Lowering, legs: tuple[n.Expr, ...]) -> list[str]:
    """The hunting tables the legs name (lets left out)."""
    found: list[str] = []
    for leg in legs:
        if isinstance(leg, n.Name) and leg.name not in ctx.env.lets:
            regex = _wildcard(leg.name)
            found.extend(t for t in sorted(ctx.tables) if regex.fullmatch(t))
    return found


register_source("find", node=Find, parse=parse_find, lower=lower)
register_source("search", node=Find, parse=parse_search, lower=lower)
