"""`evaluate plugin(...)`: the `bag_unpack` and `pivot` plugins.

Both produce columns named after the data (a bag's keys, a column's values), which SQL must
know before it runs. Unless an output schema names them (`evaluate bag_unpack(d) : (A:string)`),
the compiler asks its `probe` (see `compile_query`) to run a small query over the pipeline so
far, inside the same sandbox, and builds the columns from the answer. Without a probe the
query is refused with a diagnostic.

- `bag_unpack(d [, prefix [, columnsConflict [, ignoredProperties]]])`: one column per
  top-level key of the bags in `d`, sorted by key (prefixed), `d` itself removed; a key's column
  is typed by its values when they all have one JSON type (string, long, real, bool), dynamic
  otherwise, as Kusto does.
- `pivot(col [, agg [, by...]])`: one row per combination of the other columns (or of `by`),
  one column per distinct value of `col` (sorted), holding `agg` (default `count()`) over the
  rows with that value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.naming import unique_name
from xdrlab.kql.binder.types import T, Typed, fn, string, try_cast
from xdrlab.kql.compiled import CompiledQuery
from xdrlab.kql.diagnostics import KqlError
from xdrlab.kql.functions.registry import FUNCTIONS
from xdrlab.kql.operators.registry import register_operator
from xdrlab.kql.operators.shaping import convert, parse_type_name
from xdrlab.kql.operators.summarize import Summarize
from xdrlab.kql.operators.summarize import lower as lower_summarize
from xdrlab.kql.relation import Output, column_ref, sql_names
from xdrlab.kql.syntax import nodes as n
from xdrlab.kql.syntax.tokens import Kind, Token
from xdrlab.lake.schema import Column, KustoType

if TYPE_CHECKING:
    from xdrlab.kql.compiler import Lowering
    from xdrlab.kql.relation import Relation
    from xdrlab.kql.syntax.parser import Parser

# What a probe does: run a compiled query over the caller's data, return its rows.
Probe = Callable[[CompiledQuery], Sequence[Sequence[Any]]]


class ProbeFailed(Exception):
    """The probe raised `error`; `compile_query` re-raises it as it is."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


MAX_COLUMNS = 1_000  # columns a plugin may add; more is refused, not built

# DuckDB's json_type of a value → the Kusto type of a column holding only such values.
_JSON_TYPES: dict[str, KustoType] = {
    "VARCHAR": T.STRING,
    "BIGINT": T.LONG,
    "UBIGINT": T.LONG,
    "DOUBLE": T.REAL,
    "BOOLEAN": T.BOOL,
}


@dataclass(frozen=True, slots=True)
class Evaluate(n.OperatorNode):
    plugin: str
    plugin_pos: diag.Position
    args: tuple[n.Expr, ...]
    schema: tuple[tuple[str, KustoType], ...] | None  # `: (A:string, ...)`
    schema_star: bool  # `: (*, A:string)`


def parse(p: Parser, keyword: Token) -> Evaluate:
    p.skip_hints()
    name = p.tok
    if name.kind is not Kind.IDENT:
        raise p.fail()
    p.advance()
    p.expect_punct("(")
    args: list[n.Expr] = []
    if not p.at_punct(")"):
        args.append(p.parse_expr())
        while p.accept_punct(","):
            args.append(p.parse_expr())
    p.expect_punct(")")
    schema: list[tuple[str, KustoType]] | None = None
    star = False
    if p.accept_punct(":"):
        schema = []
        p.expect_punct("(")
        if p.accept_punct("*"):
            star = True
            if not p.accept_punct(","):
                p.expect_punct(")")
                return Evaluate(
                    keyword.pos, keyword.text, name.text, name.pos, tuple(args), (), star
                )
        while True:
            column = p.tok
            if column.kind is not Kind.IDENT:
                raise p.fail()
            p.advance()
            p.expect_punct(":")
            schema.append((column.text, parse_type_name(p)[1]))
            if not p.accept_punct(","):
                break
        p.expect_punct(")")
    return Evaluate(
        keyword.pos,
        keyword.text,
        name.text,
        name.pos,
        tuple(args),
        None if schema is None else tuple(schema),
        star,
    )


def lower(ctx: Lowering, rel: Relation, node: Evaluate) -> Relation:
    if node.plugin == "bag_unpack":
        return _bag_unpack(ctx, rel, node)
    if node.plugin == "pivot":
        return _pivot(ctx, rel, node)
    raise diag.unsupported_feature(f"The '{node.plugin}' plugin", node.plugin_pos)


# --- shared --------------------------------------------------------------------------------


def _probe(ctx: Lowering, node: Evaluate, tree: exp.Query, columns: int) -> list[tuple[Any, ...]]:
    """Run `tree` (reading the pipeline so far) through the compiler's probe."""
    if ctx.probe is None:
        raise diag.unsupported_feature(
            f"'{node.plugin}' without an output schema (its columns depend on the data)"
            " outside the hunting engine",
            node.plugin_pos,
        )
    compiled = CompiledQuery(
        tree=tree,
        columns=tuple(Column(f"c{i}", T.STRING) for i in range(columns)),
        tables=frozenset(ctx.used),
    )
    try:
        rows = [tuple(row) for row in ctx.probe(compiled)]
    except KqlError:
        raise
    except Exception as error:  # the engine's error, for the caller (not a compiler bug)
        raise ProbeFailed(error) from error
    if len(rows) > MAX_COLUMNS:
        raise diag.too_complex(node.plugin_pos)
    return rows


def _pipeline_so_far(rel: Relation, value: exp.Expr) -> exp.Select:
    """SELECT `value` AS v over the pipeline built so far (`value` reads its SELECT's input;
    the SELECT keeps all its columns, so the probe reads the rows the final query reads)."""
    inner = rel.clone()
    name = unique_name("__probe", {x.lower() for x in inner.names()})
    inner.outputs.append(Output(Column(name, T.DYNAMIC), value))
    alias = sql_names(inner.names())[-1]
    source = exp.Subquery(
        this=inner.to_select(), alias=exp.TableAlias(this=exp.to_identifier("_p"))
    )
    return exp.select(exp.alias_(column_ref(alias), "v")).from_(source)


def _const_text(ctx: Lowering, rel: Relation, node: Evaluate, e: n.Expr, what: str) -> str:
    value = ctx.binder(rel, node.keyword).bind(e)
    if not (value.is_constant and isinstance(value.value, str)):
        raise diag.expected_constant(node.keyword, what, e.pos)
    return value.value


# --- bag_unpack ------------------------------------------------------------------------------


def _json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _bag_unpack(ctx: Lowering, rel: Relation, node: Evaluate) -> Relation:
    if not 1 <= len(node.args) <= 4:
        raise diag.argument_count(node.keyword, "bag_unpack", "1 to 4", node.plugin_pos)
    target = node.args[0]
    if not isinstance(target, n.Name) or rel.output(target.name) is None:
        raise diag.type_mismatch(
            node.keyword, "bag_unpack's first argument must be a column", target.pos
        )
    prefix = _const_text(ctx, rel, node, node.args[1], "The prefix") if len(node.args) > 1 else ""
    conflict = "error"
    if len(node.args) > 2:
        conflict = _const_text(ctx, rel, node, node.args[2], "columnsConflict")
        if conflict not in ("error", "replace_source", "keep_source"):
            raise diag.type_mismatch(
                node.keyword,
                "columnsConflict must be 'error', 'replace_source' or 'keep_source'",
                node.args[2].pos,
            )
    ignored: set[str] = set()
    if len(node.args) > 3:
        value = ctx.binder(rel, node.keyword).bind(node.args[3])
        if not (value.is_constant and isinstance(value.value, list)):
            raise diag.expected_constant(node.keyword, "ignoredProperties", node.args[3].pos)
        ignored = {str(x) for x in value.value}
    if not rel.can_project() or rel.limit is not None:
        rel = rel.wrap()
    source = rel.output(target.name)
    assert source is not None
    bag = Typed(source.sql, source.column.type)
    if bag.type is not T.DYNAMIC:
        raise diag.type_mismatch(
            node.keyword, f"bag_unpack needs a dynamic column, not {bag.type.value}", target.pos
        )
    # (output name, key, type) of every new column
    new: list[tuple[str, str, KustoType]] = []
    if node.schema is not None:
        for name, kind in node.schema:
            key = name[len(prefix) :] if prefix and name.startswith(prefix) else name
            new.append((name, key, kind))
    else:
        entries = fn(
            "unnest",
            exp.Case(
                ifs=[
                    exp.If(
                        this=exp.EQ(
                            this=fn("json_type", column_ref("v")), expression=string("OBJECT")
                        ),
                        true=fn("map_entries", exp.cast(column_ref("v"), "MAP(TEXT, JSON)")),
                    )
                ]
            ),
        )
        keys = exp.select(exp.alias_(entries, "e")).from_(
            exp.Subquery(
                this=_pipeline_so_far(rel, bag.sql.copy()),
                alias=exp.TableAlias(this=exp.to_identifier("_v")),
            )
        )
        entry = column_ref("e")
        probe = (
            exp.select(
                exp.alias_(exp.Dot(this=entry, expression=exp.to_identifier("key")), "k"),
                exp.alias_(
                    fn(
                        "json_type",
                        exp.Dot(this=entry.copy(), expression=exp.to_identifier("value")),
                    ),
                    "t",
                ),
            )
            .from_(exp.Subquery(this=keys, alias=exp.TableAlias(this=exp.to_identifier("_e"))))
            .distinct()
        )
        types: dict[str, set[str]] = {}
        for key, json_type in _probe(ctx, node, probe, 2):
            kinds = types.setdefault(str(key), set())
            if json_type is not None and json_type != "NULL":
                kinds.add(str(json_type))
        for key in sorted(types):
            if key in ignored:
                continue
            kinds = types[key]
            kind = _JSON_TYPES.get(next(iter(kinds)), T.DYNAMIC) if len(kinds) == 1 else T.DYNAMIC
            if kinds == {"BIGINT", "UBIGINT"}:
                kind = T.LONG
            new.append((prefix + key, key, kind))
    if node.schema is not None and not node.schema_star:
        kept: list[Output] = []
    else:
        kept = [o for o in rel.outputs if o.name != target.name]
    taken = {o.name for o in kept}
    outputs = list(kept)
    for name, key, kind in new:
        if not name:
            continue
        slot = fn("json_extract", bag.sql.copy(), string(_json_pointer(key)))
        output = Output(Column(name, kind), _as_kind(slot, kind))
        existing = rel.output(name)
        if node.schema is not None and existing is not None and name != target.name:
            # a schema column naming an input column is that column (as the schema types it)
            output = Output(Column(name, kind), existing.sql.copy())
            if existing.column.type is not kind:
                output = Output(
                    Column(name, kind),
                    convert(
                        ctx.binder(rel, node.keyword),
                        Typed(existing.sql.copy(), existing.column.type),
                        kind,
                        node.plugin_pos,
                    ).sql,
                )
        if name in taken:
            if conflict == "error" and node.schema is None:
                raise diag.duplicate_column(node.keyword, name, node.plugin_pos)
            if conflict == "keep_source":
                continue
            outputs = [output if o.name == name else o for o in outputs]
            continue
        taken.add(name)
        outputs.append(output)
    rel.outputs = outputs
    return rel


def _as_kind(value: exp.Expr, kind: KustoType) -> exp.Expr:
    """A JSON slot (NULL when missing) as a column of `kind`."""
    if kind is T.DYNAMIC:
        return value
    text = fn("json_extract_string", value, string("$"))
    if kind in (T.STRING, T.GUID):
        return exp.Coalesce(this=text, expressions=[string("")])
    if kind is T.BOOL:
        return try_cast(text, T.BOOL)
    return try_cast(text, kind)


# --- pivot -----------------------------------------------------------------------------------


def _pivot(ctx: Lowering, rel: Relation, node: Evaluate) -> Relation:
    if not node.args:
        raise diag.argument_count(node.keyword, "pivot", "at least 1", node.plugin_pos)
    target = node.args[0]
    if not isinstance(target, n.Name) or rel.output(target.name) is None:
        raise diag.type_mismatch(
            node.keyword, "pivot's first argument must be a column", target.pos
        )
    agg: n.Expr = n.Call(node.plugin_pos, "count", ())
    if len(node.args) > 1:
        agg = node.args[1]
    if not isinstance(agg, n.Call) or FUNCTIONS.get(agg.name + "if") is None:
        raise diag.unsupported_feature(
            "This aggregation in 'pivot' (count, sum, dcount, avg, min, max, ... are supported)",
            agg.pos,
        )
    by_names: list[str]
    if len(node.args) > 2:
        by_names = []
        for e in node.args[2:]:
            if not isinstance(e, n.Name) or rel.output(e.name) is None:
                raise diag.type_mismatch(node.keyword, "pivot groups by columns", e.pos)
            by_names.append(e.name)
    else:
        used = _names(agg) | {target.name}
        by_names = [o.name for o in rel.outputs if o.name not in used]
    if node.schema is not None:
        values = [name for name, _ in node.schema if name not in by_names]
    else:
        text = _text_of(rel, target.name)
        probe = _pipeline_so_far(rel, text).distinct()
        found = {str(row[0]) for row in _probe(ctx, node, probe, 1) if row[0] is not None}
        values = sorted(found)
    aggregates: list[n.Assignment] = []
    taken = set(by_names)
    for value in values:
        name = value if value and value not in taken else _free(value, taken)
        taken.add(name)
        test = n.Binary(
            agg.pos,
            "==",
            n.Call(agg.pos, "tostring", (target,)),
            n.Literal(agg.pos, "string", value),
        )
        aggregates.append(
            n.Assignment(agg.pos, name, n.Call(agg.pos, agg.name + "if", (*agg.args, test)))
        )
    keys = tuple(n.Assignment(node.pos, None, n.Name(node.pos, name)) for name in by_names)
    if not aggregates and not keys:
        raise diag.unsupported_feature("'pivot' of no value and no other column", node.plugin_pos)
    return lower_summarize(ctx, rel, Summarize(node.pos, node.keyword, tuple(aggregates), keys))


def _text_of(rel: Relation, name: str) -> exp.Expr:
    from xdrlab.kql.binder.convert import to_string_sql

    output = rel.output(name)
    assert output is not None
    return to_string_sql(Typed(output.sql.copy(), output.column.type))


def _names(e: n.Expr) -> set[str]:
    from xdrlab.kql.operators.common import free_names

    return free_names(e)


def _free(value: str, taken: set[str]) -> str:
    return unique_name(value or "Column", taken)


register_operator("evaluate", node=Evaluate, parse=parse, lower=lower)

__all__ = ["MAX_COLUMNS", "Evaluate", "Probe", "ProbeFailed"]
