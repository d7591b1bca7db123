"""Series functions: numeric arrays as `make-series` builds them (dynamic JSON arrays).

A series is read as a DuckDB `DOUBLE[]` (elements that are not numbers, and nulls, read as
0). Everything is computed with list lambdas.

`series_decompose_anomalies` produces three series and is assigned with
`extend (flag, score, baseline) = series_decompose_anomalies(...)` (see `MULTI_RESULT`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.types import T, Typed, fn, string
from xdrlab.kql.functions.common import const_int, const_str, number_arg
from xdrlab.kql.functions.registry import register, register_multi_result
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

_SERIES = "__series"  # placeholders for the arguments in the templates below
_THRESHOLD = "__threshold"
_LAMBDA_PARAMS = frozenset({"v", "i", "j", "lag"})

# A several-column function's SQL is a Tuple of levels, each a Tuple of `expr AS local`:
# `extend` computes each level as hidden columns of one SELECT, so later levels read earlier
# locals as columns (nesting the steps as lambdas makes DuckDB's binder exponentially slow).
# The last level holds one STRUCT with the result columns as fields.


def _doubles(series: str) -> str:
    """A JSON array as DOUBLE[] (non-numbers and nulls → 0); null when it is not an array."""
    return (
        f"CASE WHEN json_type({series}) = 'ARRAY' THEN list_transform("
        f"json_extract({series}, '$[*]'), lambda v: coalesce(TRY_CAST(v AS DOUBLE), 0.0)) END"
    )


def _period_levels(fixed: int, threshold: float) -> list[list[tuple[str, str]]]:
    """Levels computing `p`, the season length in bins, from `s` (the series) and `m`.

    `fixed` > 0 is used as given (when it fits the training part); 0 means none; -1 detects it:
    the lag in [2, m/2] with the highest autocorrelation of the mean-removed training series,
    used when that autocorrelation reaches `threshold`.
    """
    if fixed > 0:
        return [[("p", f"CASE WHEN {fixed} < m THEN {fixed} ELSE 0 END")]]
    if fixed == 0:
        return [[("p", "0")]]
    score = (
        "list_sum(list_transform(range(1, m - lag + 1), "
        "lambda j: (s[j] - mu) * (s[j + lag] - mu))) / nullif(tot, 0)"
    )
    best = (
        "CASE WHEN coalesce(list_max(sc), -1) >= "
        f"{threshold!r} THEN list_position(sc, list_max(sc)) + 1 ELSE 0 END"
    )
    return [
        [("mu", "list_avg(s[1:m])")],
        [("tot", "list_sum(list_transform(s[1:m], lambda v: (v - mu) * (v - mu)))")],
        [("sc", f"list_transform(range(2, m // 2 + 1), lambda lag: {score})")],
        [("p", best)],
    ]


def _trend_levels(kind: str) -> list[list[tuple[str, str]]]:
    """Levels computing `tr`, the trend over `d` (the deseasonalised series), as a DOUBLE[]."""
    if kind == "none":
        return [[("tr", "list_transform(range(1, n + 1), lambda i: 0.0)")]]
    if kind == "avg":
        return [[("tr", "list_transform(range(1, n + 1), lambda i: list_avg(d[1:m]))")]]
    # linefit: least squares of d[1..m] on x = 0..m-1, extended over every point
    sx = "(m * (m - 1) / 2.0)"
    sxx = "((m - 1) * m * (2 * m - 1) / 6.0)"
    sy = "list_sum(d[1:m])"
    sxy = "list_sum(list_transform(range(1, m + 1), lambda i: (i - 1) * d[i]))"
    slope = f"coalesce(({sxy} * m - {sx} * {sy}) / nullif(m * {sxx} - {sx} * {sx}, 0), 0.0)"
    return [
        [("k", slope)],
        [("tr", f"list_transform(range(1, n + 1), lambda i: ({sy} - k * {sx}) / m + k * (i - 1))")],
    ]


@lru_cache(maxsize=64)
def _decompose_anomalies_levels(
    seasonality: int, trend: str, test_points: int, method: str, season_threshold: float
) -> tuple[tuple[tuple[str, exp.Expr], ...], ...]:
    low, high = (0.1, 0.9) if method == "ctukey" else (0.25, 0.75)
    seasonal = (
        "list_transform(range(1, n + 1), lambda i: CASE WHEN p > 0 THEN "
        "list_median(list_transform(range((i - 1) % p + 1, m + 1, p), lambda j: s[j])) "
        "ELSE 0.0 END)"
    )
    spread = (
        "CASE WHEN qh - ql > 0 THEN qh - ql "
        "ELSE nullif(coalesce(list_stddev_pop(r[1:m]), 0), 0) END"
    )
    score = (
        "list_transform(r, lambda v: coalesce(CASE WHEN v > qh THEN (v - qh) / w "
        "WHEN v < ql THEN (v - ql) / w ELSE 0.0 END, 0.0))"
    )
    flags = "list_transform(sco, lambda v: CASE WHEN v > th THEN 1 WHEN v < -th THEN -1 ELSE 0 END)"
    result = (
        f"CASE WHEN n > 0 THEN struct_pack(ad_flag := to_json({flags})::JSON,"
        " ad_score := to_json(sco)::JSON, baseline := to_json(bl)::JSON) END"
    )
    levels: list[list[tuple[str, str]]] = [
        [("s", _doubles(_SERIES)), ("th", f"CAST({_THRESHOLD} AS DOUBLE)")],
        [("n", "coalesce(len(s), 0)"), ("m", f"greatest(coalesce(len(s), 0) - {test_points}, 1)")],
        *_period_levels(seasonality, season_threshold),
        [("se", seasonal)],
        [("d", "list_transform(range(1, n + 1), lambda i: s[i] - se[i])")],
        *_trend_levels(trend),
        [("bl", "list_transform(range(1, n + 1), lambda i: se[i] + tr[i])")],
        [("r", "list_transform(range(1, n + 1), lambda i: s[i] - bl[i])")],
        [
            ("ql", f"list_aggregate(r[1:m], 'quantile_cont', {low})"),
            ("qh", f"list_aggregate(r[1:m], 'quantile_cont', {high})"),
        ],
        [("w", spread)],
        [("sco", score)],
        [("result", result)],
    ]
    return tuple(tuple((name, _parse(text)) for name, text in level) for level in levels)


def _parse(text: str) -> exp.Expr:
    tree = sqlglot.parse_one(text, dialect="duckdb")
    # `json_extract` stays a call (sqlglot would print `->`, which reads as a lambda here)
    for node in list(tree.find_all(exp.JSONExtract)):
        node.replace(fn("json_extract", node.this.copy(), string("$[*]")))
    # lambda parameters get names no column of the query can have
    for identifier in tree.find_all(exp.Identifier):
        if identifier.name in _LAMBDA_PARAMS:
            identifier.set("this", f"__sd_{identifier.name}")
    return tree


def _fill(template: exp.Expr, values: dict[str, exp.Expr]) -> exp.Expr:
    tree = template.copy()
    for column in list(tree.find_all(exp.Column)):
        value = values.get(column.name)
        if value is not None and not column.table:
            column.replace(value.copy())
    return tree


@register(
    "series_decompose_anomalies",
    sig=(
        "series: dynamic, [threshold: real], [seasonality: const long], [trend: const string],"
        " [test_points: const long], [ad_method: const string],"
        " [seasonality_threshold: const real]"
    ),
    returns="three dynamic columns: ad_flag, ad_score, baseline",
    doc=(
        "Anomalies of a series: seasonal (median per phase; -1 detects the period by"
        " autocorrelation) plus trend (avg, linefit, none) as baseline; residuals scored with"
        " Tukey's fences (ctukey 10-90 %, tukey 25-75 %); flag ±1 past the threshold."
    ),
)
def series_decompose_anomalies(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    threshold = number_arg(args[1]) if len(args) > 1 else exp.Literal.number(1.5)
    seasonality = const_int(args[2]) if len(args) > 2 else -1
    trend = const_str(args[3]) if len(args) > 3 else "avg"
    test_points = const_int(args[4]) if len(args) > 4 else 0
    method = const_str(args[5]) if len(args) > 5 else "ctukey"
    season_threshold = 0.6
    if len(args) > 6:
        value = args[6].value
        season_threshold = float(value) if isinstance(value, int | float) else 0.6
    checks = (
        (2, seasonality is not None and seasonality >= -1, "-1, 0 or a positive period"),
        (3, trend in ("avg", "linefit", "none"), "'avg', 'linefit' or 'none'"),
        (4, test_points is not None and test_points >= 0, "a count of points (0 or more)"),
        (5, method in ("ctukey", "tukey"), "'ctukey' or 'tukey'"),
    )
    for index, ok, expected in checks:
        if index < len(args) and not ok:
            raise diag.argument_type(
                b.op, call.name, index + 1, expected, args[index].type.value, call.args[index].pos
            )
    assert seasonality is not None and trend is not None and test_points is not None
    assert method is not None
    levels = _decompose_anomalies_levels(seasonality, trend, test_points, method, season_threshold)
    values = {_SERIES: args[0].sql, _THRESHOLD: threshold}
    sql = exp.Tuple(
        expressions=[
            exp.Tuple(
                expressions=[
                    exp.Alias(this=_fill(e, values), alias=exp.to_identifier(name))
                    for name, e in level
                ]
            )
            for level in levels
        ]
    )
    return Typed(sql, T.DYNAMIC)


register_multi_result("series_decompose_anomalies", ("ad_flag", "ad_score", "baseline"))
