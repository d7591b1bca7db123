"""Scalar operators: comparisons, KQL's string operators, arithmetic, logic.

Case rules: `==`, `!=`, `in`, `*_cs` are case-sensitive; `=~`, `!~`, `in~`, `has`,
`contains`, `startswith`, `endswith` are not. `has` matches whole terms: a term is a maximal
run of letters and digits, so the needle must be bounded by non-alphanumerics (or the ends).
Predicates are emitted as plain comparisons on the raw column where possible (`lower(x) = 'a'`,
`contains(lower(x), 'a')`, `starts_with(...)`) and a regular expression only where the term
boundary needs one, behind a cheap substring test.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import as_type, case, to_bool_sql, to_string_sql
from xdrlab.kql.binder.types import (
    INTEGER,
    NUMERIC,
    STRINGLIKE,
    T,
    Typed,
    cast,
    constant,
    fn,
    interval_micros,
    micros_interval,
    string,
    try_cast,
)

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

__all__ = ["between", "binary", "list_op", "logical", "negate", "to_bool_sql"]

_ALNUM = r"\pL\pN"
_NEGATED = {
    "!has": "has",
    "!has_cs": "has_cs",
    "!hasprefix": "hasprefix",
    "!hasprefix_cs": "hasprefix_cs",
    "!hassuffix": "hassuffix",
    "!hassuffix_cs": "hassuffix_cs",
    "!contains": "contains",
    "!contains_cs": "contains_cs",
    "notcontains": "contains",
    "nothas": "has",
    "!startswith": "startswith",
    "!startswith_cs": "startswith_cs",
    "!endswith": "endswith",
    "!endswith_cs": "endswith_cs",
    "!matches regex": "matches regex",
    "notlike": "like",
    "!~": "=~",
    "!=": "==",
}
_STRING_PREDICATES = frozenset(
    {
        "has",
        "has_cs",
        "hasprefix",
        "hasprefix_cs",
        "hassuffix",
        "hassuffix_cs",
        "contains",
        "contains_cs",
        "startswith",
        "startswith_cs",
        "endswith",
        "endswith_cs",
        "matches regex",
        "like",
        "=~",
    }
)
_COMPARE = {"==": exp.EQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


def logical(op: str, left: Typed, right: Typed) -> Typed:
    if op == "and":
        if left.value is True:
            return right
        if right.value is True:
            return left
        return Typed(exp.And(this=_paren(left.sql), expression=_paren(right.sql)), T.BOOL)
    if left.value is False:
        return right
    if right.value is False:
        return left
    return Typed(exp.Or(this=_paren(left.sql), expression=_paren(right.sql)), T.BOOL)


def _paren(sql: exp.Expr) -> exp.Expr:
    if isinstance(sql, exp.Or | exp.And):
        return exp.Paren(this=sql)
    return sql


def negate(b: Binder, v: Typed, pos: diag.Position) -> Typed:
    if v.type not in NUMERIC and v.type is not T.TIMESPAN:
        raise diag.type_mismatch(b.op, f"Cannot negate a value of type {v.type.value}", pos)
    if v.is_constant and isinstance(v.value, int | float):
        return constant(v.type, -v.value)
    return Typed(exp.Neg(this=exp.Paren(this=v.sql)), v.type)


def _not(v: Typed) -> Typed:
    if v.is_constant and isinstance(v.value, bool):
        return constant(T.BOOL, not v.value)
    return Typed(exp.Not(this=exp.Paren(this=v.sql)), T.BOOL)


def binary(b: Binder, op: str, left: Typed, right: Typed, pos: diag.Position) -> Typed:
    if op in ("+", "-", "*", "/", "%"):
        return arithmetic(b, op, left, right, pos)
    if op in _NEGATED:
        return _not(binary(b, _NEGATED[op], left, right, pos))
    if op in _STRING_PREDICATES:
        return string_predicate(b, op, left, right, pos)
    if op in _COMPARE:
        return compare(b, op, left, right, pos)
    raise diag.syntax_error(op, pos)


# --- comparisons ---------------------------------------------------------------------------


def comparable(b: Binder, left: Typed, right: Typed, pos: diag.Position) -> tuple[Typed, Typed]:
    lt, rt = left.type, right.type
    if left.is_constant and left.value is None:
        return as_type(left, rt), right
    if right.is_constant and right.value is None:
        return left, as_type(right, lt)
    if lt is rt:
        return left, right
    if lt in NUMERIC and rt in NUMERIC:
        return left, right
    if lt is T.BOOL and rt in NUMERIC:
        return Typed(cast(left.sql, T.LONG), T.LONG), right
    if rt is T.BOOL and lt in NUMERIC:
        return left, Typed(cast(right.sql, T.LONG), T.LONG)
    if lt in STRINGLIKE and rt in STRINGLIKE:
        return left, right
    if lt is T.DYNAMIC:
        return as_type(left, rt), right
    if rt is T.DYNAMIC:
        return left, as_type(right, lt)
    raise diag.cannot_compare(b.op, lt.value, rt.value, pos)


def _number_of_text(text: Typed, target: T) -> Typed:
    """A string compared for equality with a number, read as that number's type (a string
    that is not a number equals no number)."""
    if text.is_constant and isinstance(text.value, str):
        raw = text.value.strip()
        try:
            value: int | float = float(raw) if target in (T.REAL, T.DECIMAL) else int(raw)
        except ValueError:
            return Typed(cast(exp.Null(), target), target, None)
        return constant(target, value)
    return Typed(try_cast(text.sql, target), target)


def compare(b: Binder, op: str, left: Typed, right: Typed, pos: diag.Position) -> Typed:
    # `RemotePort == "3389"`, `extract(...) == ProcessId`: Kusto accepts equality (only)
    # between a string and a number and compares them as numbers.
    if op == "==" and left.type is T.STRING and right.type in NUMERIC:
        left = _number_of_text(left, right.type)
    elif op == "==" and right.type is T.STRING and left.type in NUMERIC:
        right = _number_of_text(right, left.type)
    left, right = comparable(b, left, right, pos)
    if left.type is T.DYNAMIC and right.type is T.DYNAMIC:
        left = Typed(to_string_sql(left), T.STRING)
        right = Typed(to_string_sql(right), T.STRING)
    if op != "==" and left.type is T.BOOL:
        raise diag.cannot_compare(b.op, "bool", "bool", pos)
    if (
        left.is_constant
        and right.is_constant
        and left.value is not None
        and right.value is not None
    ):
        try:
            result = _fold_compare(op, left.value, right.value)
        except TypeError:
            result = None
        if result is not None:
            return constant(T.BOOL, result)
    return Typed(_COMPARE[op](this=left.sql, expression=right.sql), T.BOOL)


def _fold_compare(op: str, a: object, b: object) -> bool | None:
    if op == "==":
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, int | float) and isinstance(b, int | float):
        x, y = float(a), float(b)
    elif (isinstance(a, str) and isinstance(b, str)) or (
        isinstance(a, datetime) and isinstance(b, datetime)
    ):
        return {
            "<": a < b,  # type: ignore[operator]
            "<=": a <= b,  # type: ignore[operator]
            ">": a > b,  # type: ignore[operator]
            ">=": a >= b,  # type: ignore[operator]
        }[op]
    else:
        return None
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def between(
    b: Binder, left: Typed, low: Typed, high: Typed, negated: bool, pos: diag.Position
) -> Typed:
    if left.type is T.DATETIME and low.type is T.DATETIME and high.type is T.TIMESPAN:
        high = arithmetic(b, "+", low, high, pos)
    left, low = comparable(b, left, low, pos)
    left, high = comparable(b, left, high, pos)
    if left.type in STRINGLIKE or left.type is T.BOOL:
        raise diag.type_mismatch(b.op, f"'between' does not apply to {left.type.value}", pos)
    sql = exp.Between(this=left.sql, low=low.sql, high=high.sql)
    result = Typed(sql, T.BOOL)
    return _not(result) if negated else result


# --- string operators ----------------------------------------------------------------------


def _text(b: Binder, v: Typed, op: str, pos: diag.Position) -> Typed:
    if v.type in STRINGLIKE:
        return v
    if v.type is T.DYNAMIC or op in ("has", "has_cs", "contains", "contains_cs"):
        # Kusto applies string operators to the text of other scalars.
        value = v.value if v.is_constant and isinstance(v.value, str) else None
        if value is not None:
            return constant(T.STRING, value)
        return Typed(to_string_sql(v), T.STRING)
    raise diag.type_mismatch(
        b.op, f"The operator '{op}' needs string operands, not {v.type.value}", pos
    )


def _lower(v: Typed) -> exp.Expr:
    if v.is_constant and isinstance(v.value, str):
        return string(v.value.lower())
    return exp.Lower(this=v.sql)


def string_predicate(b: Binder, op: str, left: Typed, right: Typed, pos: diag.Position) -> Typed:
    left = _text(b, left, op, pos)
    right = _text(b, right, op, pos)
    cs = op.endswith("_cs")
    base = op.removesuffix("_cs")
    if op == "matches regex":
        if not right.is_constant:
            raise diag.expected_constant(b.op, "The regular expression", pos)
        return Typed(fn("regexp_matches", left.sql, right.sql), T.BOOL)
    if op == "like":
        return Typed(exp.Like(this=left.sql, expression=right.sql), T.BOOL)
    if op == "=~":
        return Typed(exp.EQ(this=_lower(left), expression=_lower(right)), T.BOOL)
    lhs = left.sql if cs else _lower(left)
    rhs = right.sql if cs else _lower(right)
    if base == "contains":
        return Typed(fn("contains", lhs, rhs), T.BOOL)
    if base == "startswith":
        return Typed(exp.StartsWith(this=lhs, expression=rhs), T.BOOL)
    if base == "endswith":
        return Typed(fn("ends_with", lhs, rhs), T.BOOL)
    # has, hasprefix, hassuffix
    if not (right.is_constant and isinstance(right.value, str)):
        return Typed(row_term_match(lhs, rhs, base), T.BOOL)
    needle = right.value if cs else right.value.lower()
    return Typed(term_match(left.sql, [needle], base, cs), T.BOOL)


def term_match(text: exp.Expr, needles: list[str], kind: str, cs: bool) -> exp.Expr:
    """`has`-family matching of any of `needles` in `text` (needles lower-cased unless `cs`)."""
    needles = list(dict.fromkeys(needles))
    if any(x == "" for x in needles):
        return exp.Boolean(this=True)
    bounded = [x for x in needles if _needs_boundary(x, kind)]
    if not bounded and len(needles) <= 4:
        # No term boundary to check: a plain substring test is the whole answer.
        haystack = text if cs else exp.Lower(this=text)
        found: exp.Expr | None = None
        for x in needles:
            test = fn("contains", haystack.copy(), string(x))
            found = test if found is None else exp.Or(this=found, expression=test)
        assert found is not None
        return found
    parts = []
    for x in needles:
        left = f"(?:^|[^{_ALNUM}])" if kind in ("has", "hasprefix") and _is_alnum(x[0]) else ""
        right = f"(?:$|[^{_ALNUM}])" if kind in ("has", "hassuffix") and _is_alnum(x[-1]) else ""
        parts.append(left + re.escape(x) + right)
    pattern = "|".join(parts)
    if not cs:
        pattern = "(?i)" + pattern if len(parts) == 1 else "(?i)(?:" + pattern + ")"
    # One RE2 scan decides; a `contains(lower(x))` pre-filter would copy every value to
    # lower-case first, which costs more than the regex on long text (command lines).
    return fn("regexp_matches", text.copy(), string(pattern))


_ROW_TERM = """
CASE WHEN length(__y) = 0 THEN TRUE ELSE contains(__x, __y) AND coalesce(list_bool_or(
  list_transform(range(1, length(__x) - length(__y) + 2), __p -> substring(__x, __p, length(__y)) = __y
    AND (__left OR __p = 1 OR NOT regexp_matches(substring(__y, 1, 1), '[\\pL\\pN]')
         OR NOT regexp_matches(substring(__x, __p - 1, 1), '[\\pL\\pN]'))
    AND (__right OR __p + length(__y) > length(__x)
         OR NOT regexp_matches(substring(__y, length(__y), 1), '[\\pL\\pN]')
         OR NOT regexp_matches(substring(__x, __p + length(__y), 1), '[\\pL\\pN]')))), FALSE) END
"""


def row_term_match(text: exp.Expr, needle: exp.Expr, kind: str) -> exp.Expr:
    """`has`-family matching of a needle computed per row: some occurrence of the needle in the
    text with a term boundary (start/end or a non-alphanumeric neighbour) on each side where
    the needle's edge is alphanumeric (`has`: both sides, `hasprefix`: left, `hassuffix`:
    right); an empty needle matches. Both sides come already lower-cased unless `_cs`."""
    tree = sqlglot.parse_one(_ROW_TERM, dialect="duckdb")
    skip_left = kind == "hassuffix"
    skip_right = kind == "hasprefix"
    for column in list(tree.find_all(exp.Column)):
        if column.name == "__x":
            column.replace(exp.Paren(this=text.copy()))
        elif column.name == "__y":
            column.replace(exp.Paren(this=needle.copy()))
        elif column.name == "__left":
            column.replace(exp.Boolean(this=skip_left))
        elif column.name == "__right":
            column.replace(exp.Boolean(this=skip_right))
    return tree


def _is_alnum(ch: str) -> bool:
    return ch.isalnum()


def _needs_boundary(needle: str, kind: str) -> bool:
    if kind == "hasprefix":
        return _is_alnum(needle[0])
    if kind == "hassuffix":
        return _is_alnum(needle[-1])
    return _is_alnum(needle[0]) or _is_alnum(needle[-1])


def list_op(b: Binder, op: str, left: Typed, items: list[Typed], pos: diag.Position) -> Typed:
    if op in ("has_any", "has_all"):
        left = _text(b, left, "has", pos)
        needles: list[str] = []
        for item in items:
            if not item.is_constant:
                raise diag.unsupported_feature(f"A non-constant list for '{op}'", pos)
            if item.value is None:
                continue
            needles.append(str(item.value).lower())
        if not needles:
            return constant(T.BOOL, op == "has_all")
        if op == "has_any":
            return Typed(term_match(left.sql, needles, "has", cs=False), T.BOOL)
        conds = [term_match(left.sql.copy(), [x], "has", cs=False) for x in dict.fromkeys(needles)]
        sql = conds[0]
        for c in conds[1:]:
            sql = exp.And(this=_paren(sql), expression=_paren(c))
        return Typed(sql, T.BOOL)
    negated = op.startswith("!")
    insensitive = op.endswith("~")
    if not items:
        return constant(T.BOOL, negated)
    values: list[Typed] = []
    for item in items:
        left_c, item_c = comparable(b, left, item, pos)
        left = left_c
        values.append(item_c)
    if insensitive:
        if left.type not in STRINGLIKE:
            raise diag.type_mismatch(b.op, f"'{op}' needs string operands", pos)
        lhs: exp.Expr = exp.Lower(this=left.sql)
        rhs = [_lower(v) for v in values]
    else:
        lhs = left.sql
        rhs = [v.sql for v in values]
    member: exp.Expr = exp.In(this=lhs, expressions=rhs)
    if negated:
        member = exp.Not(this=exp.Paren(this=member))
    return Typed(member, T.BOOL)


# --- arithmetic ----------------------------------------------------------------------------

_SQL_ARITH = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "%": exp.Mod}


def _numeric_result(a: T, b: T) -> T:
    if a in (T.REAL, T.DECIMAL) or b in (T.REAL, T.DECIMAL):
        return T.REAL
    if a is T.LONG or b is T.LONG:
        return T.LONG
    return T.INT


def arithmetic(b: Binder, op: str, left: Typed, right: Typed, pos: diag.Position) -> Typed:
    lt, rt = left.type, right.type
    if lt is T.DYNAMIC and rt in NUMERIC:
        left, lt = as_type(left, T.REAL), T.REAL
    if rt is T.DYNAMIC and lt in NUMERIC:
        right, rt = as_type(right, T.REAL), T.REAL
    if lt in NUMERIC and rt in NUMERIC:
        result = _numeric_result(lt, rt)
        folded = _fold_numeric(op, left.value, right.value, result)
        if folded is not None:
            return constant(result, folded)
        if op == "/" and result in INTEGER:
            return Typed(exp.IntDiv(this=_wrap(left.sql), expression=_wrap(right.sql)), result)
        if op == "/":
            return Typed(exp.Div(this=_wrap(left.sql), expression=_wrap(right.sql)), result)
        return Typed(_SQL_ARITH[op](this=_wrap(left.sql), expression=_wrap(right.sql)), result)
    if op in ("+", "-") and lt is T.DATETIME and rt is T.TIMESPAN:
        return _datetime_shift(op, left, right)
    if op == "+" and lt is T.TIMESPAN and rt is T.DATETIME:
        return _datetime_shift(op, right, left)
    if op == "-" and lt is T.DATETIME and rt is T.DATETIME:
        if isinstance(left.value, datetime) and isinstance(right.value, datetime):
            delta = left.value - right.value
            return constant(T.TIMESPAN, delta // _US)
        return Typed(exp.Sub(this=_wrap(left.sql), expression=_wrap(right.sql)), T.TIMESPAN)
    if lt is T.TIMESPAN and rt is T.TIMESPAN and op in ("+", "-", "/", "%"):
        if isinstance(left.value, int) and isinstance(right.value, int):
            if op == "+":
                return constant(T.TIMESPAN, left.value + right.value)
            if op == "-":
                return constant(T.TIMESPAN, left.value - right.value)
            if op == "/" and right.value:
                return constant(T.REAL, left.value / right.value)
        lu, ru = interval_micros(left.sql), interval_micros(right.sql)
        if op == "/":
            return Typed(exp.Div(this=cast(lu, T.REAL), expression=ru), T.REAL)
        cls = {"+": exp.Add, "-": exp.Sub, "%": exp.Mod}[op]
        return Typed(micros_interval(cls(this=lu, expression=ru)), T.TIMESPAN)
    if op in ("*", "/") and lt is T.TIMESPAN and rt in NUMERIC:
        return _scale(op, left, right)
    if op == "*" and lt in NUMERIC and rt is T.TIMESPAN:
        return _scale(op, right, left)
    raise diag.type_mismatch(
        b.op,
        f"The operator '{op}' cannot be applied to {lt.value} and {rt.value}",
        pos,
    )


_US = timedelta(microseconds=1)


def _wrap(sql: exp.Expr) -> exp.Expr:
    if isinstance(sql, exp.Binary) and not isinstance(sql, exp.Paren):
        return exp.Paren(this=sql)
    return sql


def _fold_numeric(op: str, a: object, b: object, result: T) -> int | float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if result in INTEGER:
        x, y = int(a), int(b)
        if op == "+":
            v = x + y
        elif op == "-":
            v = x - y
        elif op == "*":
            v = x * y
        elif y == 0:
            return None
        elif op == "/":
            v = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
        else:
            v = abs(x) % abs(y) * (1 if x >= 0 else -1)
        return v if -(2**63) <= v < 2**63 else None
    fx, fy = float(a), float(b)
    if op == "+":
        return fx + fy
    if op == "-":
        return fx - fy
    if op == "*":
        return fx * fy
    if fy == 0:
        return None
    return fx / fy if op == "/" else fx % fy


def _datetime_shift(op: str, dt: Typed, span: Typed) -> Typed:
    if isinstance(dt.value, datetime) and isinstance(span.value, int):
        micros = span.value if op == "+" else -span.value
        try:
            return constant(T.DATETIME, dt.value + _US * micros)
        except OverflowError:
            pass
    cls = exp.Add if op == "+" else exp.Sub
    return Typed(cls(this=_wrap(dt.sql), expression=_wrap(span.sql)), T.DATETIME)


def _scale(op: str, span: Typed, factor: Typed) -> Typed:
    if isinstance(span.value, int) and isinstance(factor.value, int | float):
        if op == "*":
            return constant(T.TIMESPAN, round(span.value * factor.value))
        if factor.value:
            return constant(T.TIMESPAN, round(span.value / factor.value))
    cls = exp.Mul if op == "*" else exp.Div
    scaled = cls(this=cast(interval_micros(span.sql), T.REAL), expression=_wrap(factor.sql))
    return Typed(micros_interval(cast(fn("round", scaled), T.LONG)), T.TIMESPAN)


def in_subquery(
    b: Binder,
    op: str,
    left: Typed,
    select: exp.Select,
    column_type: T,
    pos: diag.Position,
) -> Typed:
    """`x in (T | project y)`: membership in the first column of a tabular expression.

    A dynamic column (`summarize make_list(x)`) is flattened, as Kusto does: each array's
    elements (or the value itself when it is not an array) converted to the left side's type.
    """
    column = select.expressions[0]
    value = column.this if isinstance(column, exp.Alias) else column
    if column_type is T.DYNAMIC and left.type is not T.DYNAMIC:
        select.set("expressions", [exp.alias_(value.copy(), "v")])
        element = exp.column("e")
        items = case(
            [
                (
                    exp.EQ(this=fn("json_type", exp.column("v")), expression=string("ARRAY")),
                    fn("json_extract", exp.column("v"), string("$[*]")),
                )
            ],
            exp.Array(expressions=[exp.column("v")]),
        )
        flat = exp.select(exp.alias_(fn("unnest", items), "e")).from_(
            exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier("_in")))
        )
        select = exp.select(exp.alias_(as_type(Typed(element, T.DYNAMIC), left.type).sql, "x"))
        select = select.from_(
            exp.Subquery(this=flat, alias=exp.TableAlias(this=exp.to_identifier("_items")))
        )
        column = select.expressions[0]
        value = column.this
    if op.endswith("~"):
        if left.type not in STRINGLIKE:
            raise diag.type_mismatch(b.op, f"'{op}' needs string operands", pos)
        select.set("expressions", [exp.Lower(this=value.copy())])
        lhs: exp.Expr = exp.Lower(this=left.sql)
    else:
        select.set("expressions", [value.copy()])
        lhs = left.sql
    condition = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    where = select.args.get("where")
    select.set(
        "where",
        exp.Where(
            this=condition
            if where is None
            else exp.And(this=exp.Paren(this=where.this), expression=condition)
        ),
    )
    sql: exp.Expr = exp.In(this=lhs, query=exp.Subquery(this=select))
    if op.startswith("!"):
        sql = exp.Not(this=exp.Paren(this=sql))
    return Typed(sql, T.BOOL)
