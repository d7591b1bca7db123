"""The scalar and aggregate function registry.

Each family module (`strings.py`, `datetime.py`, ...) registers its functions with `register`;
the binder looks calls up in `FUNCTIONS`. Aggregates that produce several columns
(`arg_max(Timestamp, *)`) register in `TUPLE_AGGREGATES` and are expanded by `summarize`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.binder.types import T, Typed
from xdrlab.kql.syntax import nodes as n
from xdrlab.lake.schema import KustoType

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

FunctionImpl = Callable[["Binder", n.Call, list[Typed]], Typed]
NameRule = Callable[[n.Call, Callable[[n.Expr], str | None]], str | None]

# Argument kinds a signature may name, and the Kusto types each accepts. A constant null is
# accepted by every kind (Kusto's typed nulls); `dynamic` values are accepted wherever a scalar
# is, since Kusto converts them at run time.
KIND_TYPES: dict[str, frozenset[KustoType]] = {
    "string": frozenset({T.STRING, T.GUID, T.DYNAMIC}),
    "long": frozenset({T.INT, T.LONG, T.DYNAMIC}),
    "real": frozenset({T.INT, T.LONG, T.REAL, T.DECIMAL, T.DYNAMIC}),
    "bool": frozenset({T.BOOL, T.DYNAMIC}),
    "datetime": frozenset({T.DATETIME, T.DYNAMIC}),
    "timespan": frozenset({T.TIMESPAN, T.DYNAMIC}),
    "dynamic": frozenset({T.DYNAMIC}),
    "scalar": frozenset(T),
}


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a signature: `name: kind`, `[name: kind]` (optional), `name: kind...`
    (repeated), with `const` before the kind when the argument must be a constant; `a|b` kinds
    accept either."""

    name: str
    kinds: tuple[str, ...]
    optional: bool = False
    repeated: bool = False
    constant: bool = False
    # part of a group that repeats as a whole (`key: string, value: scalar, ...`)
    group: bool = False

    def __str__(self) -> str:
        text = f"{self.name}: {'const ' if self.constant else ''}{'|'.join(self.kinds)}"
        if self.repeated:
            text += ", ..."
        return f"[{text}]" if self.optional else text


_PARAM = re.compile(r"\s*(\[)?\s*(\w+)\s*:\s*(const\s+)?([\w|]+)\s*(\.\.\.)?\s*(\])?\s*")


def parse_signature(text: str) -> tuple[Param, ...]:
    """`"source: string, [index: long]"` to its parameters."""
    params: list[Param] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if part == "...":
            params = [replace(p, group=True) for p in params]
            continue
        m = _PARAM.fullmatch(part)
        if m is None or bool(m.group(1)) != bool(m.group(6)):
            raise ValueError(f"bad parameter {part!r} in signature {text!r}")
        kinds = tuple(m.group(4).split("|"))
        unknown = [k for k in kinds if k not in KIND_TYPES]
        if unknown:
            raise ValueError(f"unknown kind {unknown} in signature {text!r}")
        params.append(
            Param(m.group(2), kinds, bool(m.group(1)), bool(m.group(5)), bool(m.group(3)))
        )
    return tuple(params)


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    impl: FunctionImpl
    min_args: int
    max_args: int | None
    aggregate: bool = False
    # How a column computed by this call is named when no name is given:
    # "first" = like the first argument; "prefix" = f"{prefix}_{first argument's name}".
    name_kind: str | None = None
    prefix: str | None = None
    # The implementation binds the arguments itself (gets an empty list).
    raw: bool = False
    # The catalogue entry: the parameters (checked before `impl` runs unless `raw`), the rule
    # for the result type, a one-line description, and the entry's names (first = canonical).
    params: tuple[Param, ...] = ()
    returns: str = ""
    description: str = ""
    names: tuple[str, ...] = ()
    # the parameter list as documented, when the checked `params` cannot say it
    shown: str | None = None
    # a naming rule other than `name_kind`: (call, name of an expression) -> column name
    name_rule: NameRule | None = None

    @property
    def canonical(self) -> str:
        return self.names[0] if self.names else self.name

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.names[1:]

    @property
    def signature(self) -> str:
        if self.shown is not None:
            return f"{self.canonical}({self.shown})"
        text = ", ".join(str(p) for p in self.params)
        if any(p.group for p in self.params):
            text += ", ..."
        return f"{self.canonical}({text})"


@dataclass(frozen=True, slots=True)
class OutputColumn:
    """One result column of a several-column aggregate.

    When `field` is set, `value` is an aggregate producing a struct shared by several columns
    (`group` names it) and the column is that struct's `field`; `summarize` computes the struct
    once and extracts the fields in a SELECT on top.
    """

    name: str
    value: Typed
    group: str | None = None
    field: str | None = None


TupleAggregateImpl = Callable[["Binder", n.Call, Sequence[str]], list[OutputColumn]]


@dataclass(frozen=True, slots=True)
class TupleAggregateSpec:
    """Catalogue entry of an aggregate producing several columns (documentation only)."""

    names: tuple[str, ...]
    signature: str
    returns: str
    description: str


FUNCTIONS: dict[str, FunctionSpec] = {}
TUPLE_AGGREGATES: dict[str, TupleAggregateImpl] = {}
TUPLE_AGGREGATE_SPECS: dict[str, TupleAggregateSpec] = {}


def _param_for(params: tuple[Param, ...], index: int) -> Param | None:
    if index < len(params):
        return params[index]
    if params and params[-1].group:
        return params[index % len(params)]
    if params and params[-1].repeated:
        return params[-1]
    return None


def check_arguments(b: Binder, call: n.Call, spec: FunctionSpec, args: list[Typed]) -> None:
    """Refuse arguments whose type the signature does not accept, or that must be constant."""
    from xdrlab.kql import diagnostics as diag

    for i, v in enumerate(args):
        param = _param_for(spec.params, i)
        if param is None:
            continue
        if param.constant and not v.is_constant:
            raise diag.expected_constant(
                b.op, f"Argument {i + 1} ({param.name}) of '{call.name}'", call.args[i].pos
            )
        if v.is_constant and v.value is None:
            continue
        if not any(v.type in KIND_TYPES[k] for k in param.kinds):
            raise diag.argument_type(
                b.op, call.name, i + 1, " or ".join(param.kinds), v.type.value, call.args[i].pos
            )


def _bounds(params: tuple[Param, ...]) -> tuple[int, int | None]:
    low = sum(1 for p in params if not p.optional)
    high = None if any(p.repeated or p.group for p in params) else len(params)
    return low, high


# nodes whose parts must stay as they are (`a.b`, `k := v`, `x LIKE p ESCAPE e`, ...)
_NOT_WRAPPED = (exp.Dot, exp.PropertyEQ, exp.Paren, exp.Escape, exp.Collate, exp.Kwarg)


def parenthesize(sql: exp.Expr) -> exp.Expr:
    """Wrap operators nested in operators in parentheses.

    sqlglot prints the tree as built, without adding parentheses for precedence, so a tree
    `Mod(Add(a, 1), 12)` would print as `a + 1 % 12`. Function implementations build such trees
    freely; every result passes through here.
    """
    nested = [
        node
        for node in sql.walk()
        if isinstance(node, exp.Binary | exp.Unary)
        and not isinstance(node, _NOT_WRAPPED)
        and isinstance(node.parent, exp.Binary | exp.Unary)
        and not isinstance(node.parent, _NOT_WRAPPED)
    ]
    for node in nested:
        paren = exp.Paren()
        node.replace(paren)
        paren.set("this", node)
    return sql


def register(
    *names: str,
    args: int | tuple[int, int | None] | None = None,
    sig: str | None = None,
    returns: str = "",
    doc: str = "",
    aggregate: bool = False,
    name_kind: str | None = None,
    prefix: str | None = None,
    raw: bool = False,
    shown: str | None = None,
    name_rule: NameRule | None = None,
) -> Callable[[FunctionImpl], FunctionImpl]:
    """Register a function under `names` (the first is canonical, the others aliases).

    `sig` declares the parameters (see `Param`); the argument count follows from it unless
    `args` narrows it. `returns` is the result type or its rule, `doc` a one-line description;
    `shown` replaces the documented parameter list when `sig` cannot express it.
    """
    params = parse_signature(sig) if sig is not None else ()
    if args is None:
        if sig is None:
            raise ValueError(f"{names[0]}: give a signature or an argument count")
        low, high = _bounds(params)
    else:
        low, high = (args, args) if isinstance(args, int) else args

    def decorate(impl: FunctionImpl) -> FunctionImpl:
        def checked(b: Binder, call: n.Call, values: list[Typed]) -> Typed:
            if params and not raw:
                check_arguments(b, call, FUNCTIONS[call.name], values)
            result = impl(b, call, values)
            return replace(result, sql=parenthesize(result.sql))

        for name in names:
            FUNCTIONS[name] = FunctionSpec(
                name,
                checked,
                low,
                high,
                aggregate,
                name_kind,
                prefix,
                raw,
                params,
                returns,
                doc,
                tuple(names),
                shown,
                name_rule,
            )
        return impl

    return decorate


# Scalar functions producing several columns (`extend (a, b) = f(...)`): name → the fields of
# the STRUCT their SQL returns, in column order; each field is a dynamic column.
MULTI_RESULT: dict[str, tuple[str, ...]] = {}


def register_multi_result(name: str, fields: tuple[str, ...]) -> None:
    MULTI_RESULT[name] = fields


def register_tuple_aggregate(
    *names: str, sig: str = "", returns: str = "", doc: str = ""
) -> Callable[[TupleAggregateImpl], TupleAggregateImpl]:
    def decorate(impl: TupleAggregateImpl) -> TupleAggregateImpl:
        spec = TupleAggregateSpec(tuple(names), sig, returns, doc)
        for name in names:
            TUPLE_AGGREGATES[name] = impl
            TUPLE_AGGREGATE_SPECS[name] = spec
        return impl

    return decorate


# Functions KQL has that this compiler does not implement: refused as unsupported, not unknown.
KNOWN_KQL_FUNCTIONS = frozenset(
    [
        "abs",
        "acos",
        "ago",
        "array_concat",
        "array_iff",
        "array_index_of",
        "array_length",
        "array_reverse",
        "array_rotate_left",
        "array_rotate_right",
        "array_shift_left",
        "array_shift_right",
        "array_slice",
        "array_sort_asc",
        "array_sort_desc",
        "array_split",
        "array_sum",
        "asin",
        "atan",
        "atan2",
        "bag_has_key",
        "bag_keys",
        "bag_merge",
        "bag_pack",
        "bag_pack_columns",
        "bag_remove_keys",
        "bag_set_key",
        "base64_decode_toarray",
        "base64_decode_toguid",
        "base64_decode_tostring",
        "base64_encode_fromarray",
        "base64_encode_fromguid",
        "base64_encode_tostring",
        "beta_cdf",
        "beta_inv",
        "beta_pdf",
        "bin",
        "bin_at",
        "bin_auto",
        "binary_and",
        "binary_not",
        "binary_or",
        "binary_shift_left",
        "binary_shift_right",
        "binary_xor",
        "bitset_count_ones",
        "case",
        "ceiling",
        "coalesce",
        "column_ifexists",
        "convert_angle",
        "convert_energy",
        "convert_force",
        "convert_length",
        "convert_mass",
        "convert_speed",
        "convert_temperature",
        "convert_volume",
        "cos",
        "cot",
        "countof",
        "current_cluster_endpoint",
        "current_database",
        "current_principal",
        "current_principal_details",
        "current_principal_is_member_of",
        "cursor_after",
        "cursor_before_or_at",
        "cursor_current",
        "datetime_add",
        "datetime_diff",
        "datetime_list_timezones",
        "datetime_local_to_utc",
        "datetime_part",
        "datetime_utc_to_local",
        "dayofmonth",
        "dayofweek",
        "dayofyear",
        "dcount_hll",
        "degrees",
        "dynamic_to_json",
        "endofday",
        "endofmonth",
        "endofweek",
        "endofyear",
        "erf",
        "erfc",
        "estimate_data_size",
        "exp",
        "exp10",
        "exp2",
        "extent_id",
        "extent_tags_ingestion_time",
        "extract",
        "extract_all",
        "extract_json",
        "extractall",
        "extractjson",
        "format_bytes",
        "format_datetime",
        "format_ipv4",
        "format_ipv4_mask",
        "format_timespan",
        "gamma",
        "geo_angle",
        "geo_azimuth",
        "geo_distance_2points",
        "geo_distance_point_to_line",
        "geo_point_in_circle",
        "geo_point_in_polygon",
        "geo_point_to_geohash",
        "geo_point_to_h3cell",
        "geo_point_to_s2cell",
        "getmonth",
        "gettype",
        "getyear",
        "gzip_compress_to_base64_string",
        "gzip_decompress_from_base64_string",
        "has_any_index",
        "has_ipv4",
        "has_ipv4_prefix",
        "hash",
        "hash_combine",
        "hash_many",
        "hash_md5",
        "hash_sha1",
        "hash_sha256",
        "hash_xxhash64",
        "hourofday",
        "iif",
        "iff",
        "indexof",
        "indexof_regex",
        "ingestion_time",
        "ipv4_compare",
        "ipv4_is_in_any_range",
        "ipv4_is_in_range",
        "ipv4_is_match",
        "ipv4_is_private",
        "ipv4_netmask_suffix",
        "ipv4_range_to_cidr_list",
        "ipv6_compare",
        "ipv6_is_in_any_range",
        "ipv6_is_in_range",
        "ipv6_is_match",
        "isascii",
        "isempty",
        "isfinite",
        "isinf",
        "isnan",
        "isnotempty",
        "isnotnull",
        "isnull",
        "isutf8",
        "jaccard_index",
        "log",
        "log10",
        "log2",
        "loggamma",
        "make_datetime",
        "make_timespan",
        "max_of",
        "merge_tdigest",
        "min_of",
        "monthofyear",
        "new_guid",
        "not",
        "now",
        "pack",
        "pack_all",
        "pack_array",
        "pack_dictionary",
        "parse_command_line",
        "parse_csv",
        "parse_ipv4",
        "parse_ipv4_mask",
        "parse_ipv6",
        "parse_ipv6_mask",
        "parse_json",
        "parse_path",
        "parse_url",
        "parse_urlquery",
        "parse_user_agent",
        "parse_version",
        "parse_xml",
        "parsejson",
        "percentile_array_tdigest",
        "percentile_tdigest",
        "percentrank_tdigest",
        "pi",
        "pow",
        "punycode_from_string",
        "punycode_to_string",
        "radians",
        "rand",
        "range",
        "regex_quote",
        "repeat",
        "replace",
        "replace_regex",
        "replace_string",
        "reverse",
        "round",
        "row_cumsum",
        "row_number",
        "row_rank_dense",
        "row_rank_min",
        "row_window_session",
        "series_add",
        "series_decompose",
        "series_decompose_anomalies",
        "series_decompose_forecast",
        "series_divide",
        "series_equals",
        "series_fill_backward",
        "series_fill_const",
        "series_fill_forward",
        "series_fill_linear",
        "series_fir",
        "series_fit_2lines",
        "series_fit_line",
        "series_greater",
        "series_iir",
        "series_less",
        "series_multiply",
        "series_outliers",
        "series_periods_detect",
        "series_periods_validate",
        "series_seasonal",
        "series_stats",
        "series_stats_dynamic",
        "series_subtract",
        "set_difference",
        "set_has_element",
        "set_intersect",
        "set_union",
        "sign",
        "sin",
        "split",
        "sqrt",
        "startofday",
        "startofmonth",
        "startofweek",
        "startofyear",
        "strcat",
        "strcat_array",
        "strcat_delim",
        "strcmp",
        "string_size",
        "strlen",
        "strrep",
        "substring",
        "tan",
        "to_utf8",
        "tobool",
        "toboolean",
        "todatetime",
        "todecimal",
        "todouble",
        "todynamic",
        "toguid",
        "tohex",
        "toint",
        "tolong",
        "tolower",
        "toobject",
        "toreal",
        "toscalar",
        "tostring",
        "totimespan",
        "toupper",
        "translate",
        "treepath",
        "trim",
        "trim_end",
        "trim_start",
        "trunc",
        "typeof",
        "unicode_codepoints_from_string",
        "unicode_codepoints_to_string",
        "unixtime_microseconds_todatetime",
        "unixtime_milliseconds_todatetime",
        "unixtime_nanoseconds_todatetime",
        "unixtime_seconds_todatetime",
        "url_decode",
        "url_encode",
        "url_encode_component",
        "week_of_year",
        "welch_test",
        "zip",
        "materialize",
        "table",
        "view",
        "externaldata",
        "datatable",
        "cluster",
        "database",
        "count",
        "countif",
        "dcount",
        "dcountif",
        "sum",
        "sumif",
        "avg",
        "avgif",
        "min",
        "max",
        "minif",
        "maxif",
        "make_set",
        "make_set_if",
        "make_list",
        "make_list_if",
        "make_list_with_nulls",
        "makeset",
        "makelist",
        "make_bag",
        "make_bag_if",
        "arg_max",
        "arg_min",
        "argmax",
        "argmin",
        "any",
        "anyif",
        "take_any",
        "take_anyif",
        "percentile",
        "percentiles",
        "percentiles_array",
        "percentilew",
        "percentilesw",
        "stdev",
        "stdevif",
        "stdevp",
        "variance",
        "varianceif",
        "variancep",
        "hll",
        "hll_merge",
        "tdigest",
        "tdigest_merge",
        "buildschema",
        "binary_all_and",
        "binary_all_or",
        "binary_all_xor",
        "count_distinct",
        "count_distinctif",
        "make_dictionary",
        "prev",
        "next",
        "make_string",
    ]
)
