"""The compiled query's SQL tree, rewritten where DuckDB and Spark SQL differ, as Spark SQL text.

The KQL compiler builds its tree for DuckDB: most nodes are sqlglot expressions that render
for any dialect, but DuckDB-only functions appear as anonymous calls (``regexp_matches``,
``time_bucket``, ``json_extract_string``...) and dynamic values have DuckDB's JSON type. Each
rewrite below is one small named function over one kind of node, replacing it with a tree of
the same meaning in Spark SQL. A call no rewrite knows and Spark does not have under the same
name with the same meaning makes the query unsupported here (`Unsupported`), before Spark sees
it: a query either runs with DuckDB's results or is refused, never runs with different ones.

Dynamic values are JSON text in Spark (a string column), the way the lake stores them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError


class Unsupported(Exception):
    """The tree uses something the Spark rewrites cannot express with the same meaning."""

    def __init__(self, construct: str) -> None:
        super().__init__(construct)
        self.construct = construct


# Functions the compiler calls by name that Spark SQL has with the same arguments and meaning.
SAME_IN_SPARK = frozenset(
    {
        "abs",
        "ceil",
        "chr",
        "concat",
        "contains",
        "day",
        "floor",
        "greatest",
        "hex",
        "hour",
        "json_array_length",
        "least",
        "lpad",
        "minute",
        "month",
        "replace",
        "split_part",
        "substr",
        "year",
    }
)

# DuckDB name → Spark name, same arguments and meaning.
RENAMED = {
    "ends_with": "endswith",
    "len": "length",
    "array_to_string": "array_join",
    "list_contains": "array_contains",
    "from_base64": "unbase64",
    "unnest": "explode",
    "list_extract": "element_at",  # both 1-based, NULL past the end (ANSI mode off)
    # the value of the row with the largest (smallest) key, null values kept, null keys
    # skipped; every such aggregate of one group picks the same row among ties in both
    "arg_max_null": "max_by",
    "arg_min_null": "min_by",
}

# DuckDB's default origin for buckets without months: Monday 2000-01-03, midnight.
_BUCKET_ORIGIN_MICROS = int((datetime(2000, 1, 3) - datetime(1970, 1, 1)).total_seconds()) * 10**6
_UNIT_MICROS = {
    "MICROSECOND": 1,
    "MILLISECOND": 1_000,
    "SECOND": 1_000_000,
    "MINUTE": 60_000_000,
    "HOUR": 3_600_000_000,
    "DAY": 86_400_000_000,
    "WEEK": 7 * 86_400_000_000,
}


def _call(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _string_arg(node: exp.Anonymous, index: int) -> str | None:
    args = node.expressions
    if index < len(args) and isinstance(args[index], exp.Literal) and args[index].is_string:
        return str(args[index].this)
    return None


# ---- rewrites of anonymous calls: each takes the call, returns its Spark tree ----


def rewrite_regexp_matches(node: exp.Anonymous) -> exp.Expr:
    """``regexp_matches(s, p)`` (a match anywhere) is Spark's ``s RLIKE p``."""
    text, pattern = node.expressions
    return exp.RegexpLike(this=text, expression=pattern)


def rewrite_regexp_full_match(node: exp.Anonymous) -> exp.Expr:
    """``regexp_full_match(s, p)`` is ``s RLIKE '^(?:p)$'`` (only for a literal pattern)."""
    pattern = _string_arg(node, 1)
    if pattern is None:
        raise Unsupported("regexp_full_match with a computed pattern")
    return exp.RegexpLike(
        this=node.expressions[0], expression=exp.Literal.string(f"^(?:{pattern})$")
    )


def rewrite_regexp_extract(node: exp.Anonymous) -> exp.Expr:
    """DuckDB's group defaults to 0 (the whole match), Spark's to 1: always pass it."""
    args = list(node.expressions)
    if len(args) == 2:
        args.append(exp.Literal.number(0))
    if len(args) != 3 or not isinstance(args[2], exp.Literal) or args[2].is_string:
        raise Unsupported("regexp_extract with named groups or options")
    return _call("regexp_extract", *args)


_BACKREFERENCE = re.compile(r"\\(\d)")


def rewrite_regexp_replace(node: exp.Anonymous) -> exp.Expr:
    """With DuckDB's ``'g'`` option (replace all) it is Spark's ``regexp_replace``.

    The replacement's back-references are ``\\1`` in RE2 and ``$1`` in Java; a literal ``$`` is
    escaped for Java.
    """
    if _string_arg(node, 3) != "g" or len(node.expressions) != 4:
        raise Unsupported("regexp_replace of the first match only")
    replacement = _string_arg(node, 2)
    if replacement is None:
        raise Unsupported("regexp_replace with a computed replacement")
    java = _BACKREFERENCE.sub(r"$\1", replacement.replace("$", "\\$"))
    text, pattern = node.expressions[:2]
    return _call("regexp_replace", text, pattern, exp.Literal.string(java))


def rewrite_time_bucket(node: exp.Anonymous) -> exp.Expr:
    """``time_bucket(INTERVAL 'n' unit, t)``: whole widths since DuckDB's origin, in microseconds."""
    if len(node.expressions) != 2 or not isinstance(node.expressions[0], exp.Interval):
        raise Unsupported("bin() with an origin or a computed width")
    interval, moment = node.expressions
    width = _interval_micros(interval)
    if width is None or width <= 0:
        raise Unsupported("bin() with a calendar or computed width")
    origin = exp.Literal.number(_BUCKET_ORIGIN_MICROS)
    # (a tree built by hand prints no parentheses of its own: without Paren, a - b / c)
    since = exp.Paren(this=exp.Sub(this=_call("unix_micros", moment), expression=origin))
    whole = exp.Mul(
        this=exp.Floor(this=exp.Div(this=since, expression=exp.Literal.number(width))),
        expression=exp.Literal.number(width),
    )
    return _call("timestamp_micros", exp.Add(this=whole, expression=origin.copy()))


def _interval_micros(interval: exp.Interval) -> int | None:
    value, unit = interval.this, interval.unit
    if not isinstance(value, exp.Literal) or unit is None:
        return None
    scale = _UNIT_MICROS.get(unit.name.upper().removesuffix("S"))
    try:
        amount = float(value.this)
    except ValueError:
        return None
    return None if scale is None else round(amount * scale)


def rewrite_struct_extract(node: exp.Anonymous) -> exp.Expr:
    """``struct_extract(s, 'f')`` is field access ``s.f``."""
    name = _string_arg(node, 1)
    if name is None:
        raise Unsupported("struct_extract with a computed field")
    return exp.Dot(this=node.expressions[0], expression=exp.to_identifier(name, quoted=True))


# One step of the JSON paths the compiler writes for `x.a`, `x["a b"]`, `x[0]`.
_PATH_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\."([^"\\]*)"|\[(\d+)\]')


def _spark_path(path: str) -> str | None:
    """A DuckDB JSON path as the JSONPath Spark's `get_json_object` and `variant_get` both
    read, or None for any other kind of path (wildcards, indexes from the end, pointers)."""
    if not path.startswith("$"):
        return None
    steps = ["$"]
    at = 1
    while at < len(path):
        step = _PATH_STEP.match(path, at)
        if step is None:
            return None
        key, quoted, index = step.groups()
        if index is not None:
            steps.append(f"[{index}]")
        elif key is not None:
            steps.append(f".{key}")
        elif "'" in quoted:
            return None
        else:
            steps.append(f"['{quoted}']")
        at = step.end()
    return "".join(steps)


def rewrite_json_extract(node: exp.Anonymous) -> exp.Expr:
    """``json_extract(x, path)``: the JSON text of the value at `path` (NULL when missing).

    Spark's `get_json_object` gives that text for objects, arrays, numbers and booleans (as
    written, so `1.0` stays a real), but a string without its quotes; a string is therefore
    written by `to_json` of the value read as Spark's variant type, which quotes and escapes it.
    A JSON null is NULL rather than the text 'null' (both are null to the API)."""
    value = node.expressions[0]
    path = _spark_path(_string_arg(node, 1) or "")
    if path is None:
        raise Unsupported("json_extract with a path other than members and indexes")
    found = _call(
        "variant_get",
        _call("parse_json", value),
        exp.Literal.string(path),
        exp.Literal.string("variant"),
    )
    is_string = exp.EQ(
        this=_call("schema_of_variant", found), expression=exp.Literal.string("STRING")
    )
    raw = _call("get_json_object", value.copy(), exp.Literal.string(path))
    return exp.Case(ifs=[exp.If(this=is_string, true=_call("to_json", found.copy()))], default=raw)


def rewrite_json_extract_string(node: exp.Anonymous) -> exp.Expr:
    """``json_extract_string(x, path)`` is ``get_json_object`` with the path in Spark's syntax
    (a path Spark reads differently would silently give NULL)."""
    path = _spark_path(_string_arg(node, 1) or "")
    if path is None:
        raise Unsupported("json_extract_string with a path other than members and indexes")
    return _call("get_json_object", node.expressions[0], exp.Literal.string(path))


def rewrite_to_json(node: exp.Anonymous) -> exp.Expr:
    """``to_json`` of a list or struct is Spark's (`split` is `string_split` already rewritten:
    an array of strings); of text cast as such, the JSON string Spark writes for the text as a
    variant; of other scalars, whose type the tree does not tell, it is refused."""
    (value,) = node.expressions
    if isinstance(value, exp.ArrayAgg | exp.Array | exp.Struct | exp.Filter) or (
        isinstance(value, exp.Anonymous) and value.name.lower() == "split"
    ):
        return _call("to_json", value)
    if isinstance(value, exp.Cast) and value.to.is_type(*exp.DataType.TEXT_TYPES):
        return _call("to_json", exp.cast(value, exp.DataType.build("VARIANT", dialect="spark")))
    raise Unsupported("to_json of a scalar value")


def rewrite_json_type(node: exp.Anonymous) -> exp.Expr:
    """DuckDB's JSON type name, read from the text's first character (Spark keeps JSON as text)."""
    (value,) = node.expressions
    first = _call("left", _call("ltrim", value), exp.Literal.number(1))
    kinds = [("[", "ARRAY"), ("{", "OBJECT"), ('"', "VARCHAR"), ("t", "BOOLEAN")]
    kinds += [("f", "BOOLEAN"), ("n", "NULL")]
    case = exp.Case()
    for char, kind in kinds:
        same = exp.EQ(this=first.copy(), expression=exp.Literal.string(char))
        case = case.when(same, exp.Literal.string(kind))
    whole = exp.RegexpLike(this=value.copy(), expression=exp.Literal.string(r"^\s*-?[0-9]+\s*$"))
    case = case.when(whole, exp.Literal.string("BIGINT"))
    case = case.when(
        exp.Not(this=exp.Is(this=first, expression=exp.null())), exp.Literal.string("DOUBLE")
    )
    return case


def rewrite_json_valid(node: exp.Anonymous) -> exp.Expr:
    """Valid JSON text is text Spark's JSON parser accepts."""
    (value,) = node.expressions
    return exp.Not(this=exp.Is(this=_call("try_parse_json", value), expression=exp.null()))


def rewrite_try(node: exp.Anonymous) -> exp.Expr:
    """DuckDB's ``try(x)`` makes errors NULL; with ANSI mode off Spark's functions already do."""
    value: exp.Expr = node.expressions[0]
    return value


def rewrite_string_split(node: exp.Anonymous) -> exp.Expr:
    """``string_split(s, sep)`` splits on text; Spark's ``split`` on a regex, so quote it."""
    separator = _string_arg(node, 1)
    if separator is None:
        raise Unsupported("split() on a computed separator")
    quoted = re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\1", separator)
    return _call("split", node.expressions[0], exp.Literal.string(quoted), exp.Literal.number(-1))


def rewrite_trunc(node: exp.Anonymous) -> exp.Expr:
    """Numeric ``trunc(x)``: toward zero (Spark's ``trunc`` is for dates)."""
    (value,) = node.expressions
    return exp.If(
        this=exp.GTE(this=value, expression=exp.Literal.number(0)),
        true=exp.Floor(this=value.copy()),
        false=exp.Ceil(this=value.copy()),
    )


def rewrite_url_decode(node: exp.Anonymous) -> exp.Expr:
    """DuckDB leaves malformed escapes alone; Spark's ``url_decode`` raises, its ``try_`` form NULLs."""
    return _call("try_url_decode", *node.expressions)


CALL_REWRITES: dict[str, Callable[[exp.Anonymous], exp.Expr]] = {
    "regexp_matches": rewrite_regexp_matches,
    "regexp_full_match": rewrite_regexp_full_match,
    "regexp_extract": rewrite_regexp_extract,
    "regexp_replace": rewrite_regexp_replace,
    "time_bucket": rewrite_time_bucket,
    "struct_extract": rewrite_struct_extract,
    "to_json": rewrite_to_json,
    "json_type": rewrite_json_type,
    "json_extract": rewrite_json_extract,
    "json_extract_string": rewrite_json_extract_string,
    "json_valid": rewrite_json_valid,
    "try": rewrite_try,
    "string_split": rewrite_string_split,
    "trunc": rewrite_trunc,
    "url_decode": rewrite_url_decode,
}


# ---- rewrites of typed nodes ----


# Spark's interval constructors by DuckDB unit: (function, arguments before the count,
# arguments after it, the count's scale)
_MAKE_INTERVAL = {
    "YEAR": ("make_ym_interval", 0, 1, 1),
    "MONTH": ("make_ym_interval", 1, 0, 1),
    "DAY": ("make_dt_interval", 0, 3, 1),
    "HOUR": ("make_dt_interval", 1, 2, 1),
    "MINUTE": ("make_dt_interval", 2, 1, 1),
    "SECOND": ("make_dt_interval", 3, 0, 1),
    "MILLISECOND": ("make_dt_interval", 3, 0, 1_000),
    "MICROSECOND": ("make_dt_interval", 3, 0, 1_000_000),
}


def rewrite_interval(node: exp.Interval) -> exp.Expr:
    """``INTERVAL (CAST(n AS VARCHAR)) unit`` (a computed count, as `datetime_add` writes it)
    is Spark's ``make_dt_interval``/``make_ym_interval`` of n; literal intervals stay."""
    count = node.this
    if isinstance(count, exp.Literal) or node.unit is None:
        return node
    if isinstance(count, exp.Cast) and count.to.is_type(*exp.DataType.TEXT_TYPES):
        count = count.this
    spec = _MAKE_INTERVAL.get(node.unit.name.upper().removesuffix("S"))
    if spec is None:
        raise Unsupported(f"an interval of {node.unit.name}")
    function, before, after, scale = spec
    if scale != 1:  # seconds are DECIMAL(18, 6): whole microseconds
        decimal = exp.DataType.build("DECIMAL(18, 6)")
        count = exp.Div(this=exp.cast(count, decimal), expression=exp.Literal.number(scale))
    zero = exp.Literal.number(0)
    return _call(function, *[zero.copy() for _ in range(before)], count, *[zero] * after)


def rewrite_json_cast(node: exp.Cast) -> exp.Expr:
    """JSON is text in Spark: a cast to JSON keeps the text, ``CAST(NULL AS JSON)`` is a string."""
    if isinstance(node.this, exp.Null):
        return exp.cast(exp.null(), exp.DataType.build("STRING"))
    text: exp.Expr = node.this
    return text


def rewrite_unordered_row_number(node: exp.Window) -> exp.Expr:
    """`row_number() OVER ()` numbers rows in any order in DuckDB; Spark wants an ORDER BY, and
    `monotonically_increasing_id()` is the order the rows already have."""
    if node.args.get("order") is None:
        order = exp.Ordered(this=_call("monotonically_increasing_id"))
        node.set("order", exp.Order(expressions=[order]))
    return node


def rewrite_range_table(node: exp.Table) -> exp.Expr:
    """DuckDB's ``range(start, stop)`` table function (the row numbers of a KQL `range`) is
    Spark's ``range(start, stop)``: BIGINTs from start up to stop excluded, streamed, the
    column renamed by the same alias. Spark evaluates its arguments when it plans the query,
    so only a count the compiler folded to a number is accepted."""
    series = node.this
    bounds = [series.args.get("start"), series.args.get("end"), series.args.get("step")]
    if not series.args.get("is_end_exclusive") or not all(
        b is None or (isinstance(b, exp.Literal) and not b.is_string) for b in bounds
    ):
        raise Unsupported("range() over bounds computed when the query runs")
    node.set("this", _call("range", *[b for b in bounds if b is not None]))
    return node


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        rewrite = CALL_REWRITES.get(name)
        if rewrite is not None:
            try:
                return rewrite(node)
            except ValueError:  # unexpected arity
                raise Unsupported(f"{name}() with these arguments") from None
        if name in RENAMED:
            return _call(RENAMED[name], *node.expressions)
        if name in SAME_IN_SPARK:
            return node
        raise Unsupported(f"{name}()")
    if isinstance(node, exp.Cast | exp.TryCast) and node.to.is_type(exp.DataType.Type.JSON):
        return rewrite_json_cast(node)
    if isinstance(node, exp.DataType) and node.is_type(exp.DataType.Type.JSON):
        return exp.DataType.build("STRING")
    if isinstance(node, exp.Interval):
        return rewrite_interval(node)
    if isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber):
        return rewrite_unordered_row_number(node)
    if isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries):
        return rewrite_range_table(node)
    if isinstance(node, exp.CTE):  # Spark has no [NOT] MATERIALIZED; it reuses a CTE itself
        node.set("materialized", None)
    return node


def _bottom_up(node: exp.Expr) -> exp.Expr:
    """Rewrite the children first, so each rewrite sees arguments already in Spark's terms."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expr):
            node.set(key, _bottom_up(value))
        elif isinstance(value, list):
            node.set(key, [_bottom_up(v) if isinstance(v, exp.Expr) else v for v in value])
    return _rewrite(node)


def spark_tree(tree: exp.Query) -> exp.Query:
    """A copy of `tree` with every DuckDB-only construct rewritten for Spark SQL."""
    rewritten = _bottom_up(tree.copy())
    if not isinstance(rewritten, exp.Query):
        raise Unsupported("a statement that is not a query")
    return rewritten


def spark_sql(tree: exp.Query) -> str:
    """Spark SQL text for `tree` (raises `Unsupported` for what Spark cannot run the same)."""
    try:
        return spark_tree(tree).sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        raise Unsupported(str(error).split("\n", 1)[0]) from None
