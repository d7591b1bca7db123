"""The scalar and aggregate function registry.

Each family module (`strings.py`, `datetime.py`, ...) registers its functions with `register`;
the binder looks calls up in `FUNCTIONS`. Aggregates that produce several columns
(`arg_max(Timestamp, *)`) register in `TUPLE_AGGREGATES` and are expanded by `summarize`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xdrlab.kql.binder.types import Typed
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

FunctionImpl = Callable[["Binder", n.Call, list[Typed]], Typed]


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


@dataclass(frozen=True, slots=True)
class OutputColumn:
    name: str
    value: Typed


TupleAggregateImpl = Callable[["Binder", n.Call, Sequence[str]], list[OutputColumn]]

FUNCTIONS: dict[str, FunctionSpec] = {}
TUPLE_AGGREGATES: dict[str, TupleAggregateImpl] = {}


def register(
    *names: str,
    args: int | tuple[int, int | None],
    aggregate: bool = False,
    name_kind: str | None = None,
    prefix: str | None = None,
    raw: bool = False,
) -> Callable[[FunctionImpl], FunctionImpl]:
    low, high = (args, args) if isinstance(args, int) else args

    def decorate(impl: FunctionImpl) -> FunctionImpl:
        for name in names:
            FUNCTIONS[name] = FunctionSpec(
                name, impl, low, high, aggregate, name_kind, prefix, raw
            )
        return impl

    return decorate


def register_tuple_aggregate(
    *names: str,
) -> Callable[[TupleAggregateImpl], TupleAggregateImpl]:
    def decorate(impl: TupleAggregateImpl) -> TupleAggregateImpl:
        for name in names:
            TUPLE_AGGREGATES[name] = impl
        return impl

    return decorate


# Functions KQL has that this compiler does not implement: refused as unsupported, not unknown.
KNOWN_KQL_FUNCTIONS = frozenset(
    """
    abs acos ago array_concat array_iff array_index_of array_length array_reverse array_rotate_left
    array_rotate_right array_shift_left array_shift_right array_slice array_sort_asc array_sort_desc
    array_split array_sum asin atan atan2 bag_has_key bag_keys bag_merge bag_pack bag_pack_columns
    bag_remove_keys bag_set_key base64_decode_toarray base64_decode_toguid base64_decode_tostring
    base64_encode_fromarray base64_encode_fromguid base64_encode_tostring beta_cdf beta_inv beta_pdf
    bin bin_at bin_auto binary_and binary_not binary_or binary_shift_left binary_shift_right
    binary_xor bitset_count_ones case ceiling coalesce column_ifexists convert_angle convert_energy
    convert_force convert_length convert_mass convert_speed convert_temperature convert_volume cos
    cot countof current_cluster_endpoint current_database current_principal
    current_principal_details current_principal_is_member_of cursor_after cursor_before_or_at
    cursor_current datetime_add datetime_diff datetime_list_timezones datetime_local_to_utc
    datetime_part datetime_utc_to_local dayofmonth dayofweek dayofyear dcount_hll degrees
    dynamic_to_json endofday endofmonth endofweek endofyear erf erfc estimate_data_size exp exp10
    exp2 extent_id extent_tags_ingestion_time extract extract_all extract_json extractall
    extractjson format_bytes format_datetime format_ipv4 format_ipv4_mask format_timespan gamma
    geo_angle geo_azimuth geo_distance_2points geo_distance_point_to_line
    geo_point_in_circle geo_point_in_polygon geo_point_to_geohash geo_point_to_h3cell
    geo_point_to_s2cell getmonth gettype getyear gzip_compress_to_base64_string
    gzip_decompress_from_base64_string has_any_index has_ipv4 has_ipv4_prefix hash hash_combine
    hash_many hash_md5 hash_sha1 hash_sha256 hash_xxhash64 hourofday iif iff indexof
    indexof_regex ingestion_time ipv4_compare ipv4_is_in_any_range ipv4_is_in_range
    ipv4_is_match ipv4_is_private ipv4_netmask_suffix ipv4_range_to_cidr_list ipv6_compare
    ipv6_is_in_any_range ipv6_is_in_range ipv6_is_match isascii isempty isfinite isinf isnan
    isnotempty isnotnull isnull isutf8 jaccard_index log log10 log2 loggamma make_datetime
    make_timespan max_of merge_tdigest min_of monthofyear new_guid not now pack pack_all pack_array
    pack_dictionary parse_command_line parse_csv parse_ipv4 parse_ipv4_mask parse_ipv6
    parse_ipv6_mask parse_json parse_path parse_url parse_urlquery parse_user_agent parse_version
    parse_xml parsejson percentile_array_tdigest percentile_tdigest percentrank_tdigest pi pow
    punycode_from_string punycode_to_string radians rand range regex_quote repeat replace
    replace_regex replace_string reverse round row_cumsum row_number row_rank_dense
    row_rank_min row_window_session series_add series_decompose series_decompose_anomalies
    series_decompose_forecast series_divide series_equals series_fill_backward
    series_fill_const series_fill_forward series_fill_linear series_fir series_fit_2lines
    series_fit_line series_greater series_iir series_less series_multiply series_outliers
    series_periods_detect series_periods_validate series_seasonal series_stats
    series_stats_dynamic series_subtract set_difference set_has_element set_intersect set_union
    sign sin split sqrt startofday startofmonth startofweek startofyear strcat strcat_array
    strcat_delim strcmp string_size strlen strrep substring tan to_utf8 tobool toboolean todatetime
    todecimal todouble todynamic toguid tohex toint tolong tolower toobject toreal toscalar
    tostring totimespan toupper translate treepath trim trim_end trim_start trunc typeof
    unicode_codepoints_from_string unicode_codepoints_to_string unixtime_microseconds_todatetime
    unixtime_milliseconds_todatetime unixtime_nanoseconds_todatetime
    unixtime_seconds_todatetime url_decode url_encode url_encode_component week_of_year
    welch_test zip materialize table view externaldata datatable cluster database
    count countif dcount dcountif sum sumif avg avgif min max minif maxif make_set make_set_if
    make_list make_list_if make_list_with_nulls makeset makelist make_bag make_bag_if
    arg_max arg_min argmax argmin any anyif take_any take_anyif percentile percentiles
    percentiles_array percentilew percentilesw stdev stdevif stdevp variance varianceif
    variancep hll hll_merge tdigest tdigest_merge buildschema binary_all_and binary_all_or
    binary_all_xor count_distinct count_distinctif make_dictionary prev next make_string
    """.split()
)
