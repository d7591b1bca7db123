"""Dynamic (JSON) functions: parsing, arrays, property bags, sets, URLs.

Dynamic values are DuckDB JSON. Array functions work on the list of an array's elements
(`json_extract(x, '$[*]')`, each a JSON value) and return JSON; a value that is not an array
makes them return null, as Kusto does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import case, coalesce, to_string_sql
from xdrlab.kql.binder.types import (
    STRINGLIKE,
    T,
    Typed,
    cast,
    constant,
    fn,
    interval_micros,
    micros_interval,
    number,
    string,
)
from xdrlab.kql.functions.common import (
    bind_args,
    json_items,
    json_list,
    lam,
    long_arg,
    text_as,
    text_of,
    type_literal,
    var,
)
from xdrlab.kql.functions.registry import FUNCTIONS, check_arguments, register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder


def parse_json_sql(text: exp.Expr) -> exp.Expr:
    """Text to JSON; text that is not JSON becomes a JSON string (as Kusto does). (The cast to
    VARCHAR is free in DuckDB; it tells the Spark rewrite that `to_json` gets text.)"""
    return case(
        [(fn("json_valid", text), cast(text.copy(), T.DYNAMIC))],
        fn("to_json", cast(text.copy(), T.STRING)),
    )


def _dynamic(sql: exp.Expr) -> Typed:
    return Typed(sql, T.DYNAMIC)


@register(
    "parse_json",
    "todynamic",
    "parsejson",
    "toobject",
    sig="json: scalar",
    returns="dynamic",
    doc="The text parsed as JSON (text that is not JSON becomes a JSON string).",
    name_kind="first",
)
def parse_json(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.type is T.DYNAMIC:
        return v
    if v.is_constant and isinstance(v.value, str):
        try:
            return constant(T.DYNAMIC, json.loads(v.value))
        except ValueError:
            return constant(T.DYNAMIC, v.value)
    if v.type in STRINGLIKE:
        return _dynamic(parse_json_sql(v.sql))
    return _dynamic(fn("to_json", as_json_value(v)))


@register(
    "array_length",
    sig="array: dynamic",
    returns="long",
    doc="The number of elements of an array (null when the value is not an array).",
)
def array_length(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    (v,) = args
    if v.is_constant:
        return constant(T.LONG, len(v.value) if isinstance(v.value, list) else None)
    sql = case(
        [
            (
                exp.EQ(this=fn("json_type", v.sql), expression=string("ARRAY")),
                fn("json_array_length", v.sql.copy()),
            )
        ],
        cast(exp.Null(), T.LONG),
    )
    return Typed(cast(sql, T.LONG), T.LONG)


def as_json_value(v: Typed) -> exp.Expr:
    """A value as SQL that DuckDB turns into the JSON Kusto would hold (dates as text)."""
    if v.type is T.DYNAMIC:
        return v.sql
    if v.type in (T.DATETIME, T.TIMESPAN):
        return case(
            [(exp.Is(this=v.sql.copy(), expression=exp.Null()), exp.Null())], to_string_sql(v)
        )
    return v.sql


@register(
    "pack_array",
    sig="value: scalar...",
    args=(1, 1024),
    returns="dynamic",
    doc="An array of the arguments.",
)
def pack_array(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if all(a.is_constant for a in args) and all(
        isinstance(a.value, str | int | float | bool | list | dict) or a.value is None for a in args
    ):
        return constant(T.DYNAMIC, [a.value for a in args])
    return _dynamic(fn("json_array", *[as_json_value(a) for a in args]))


def _object(pairs: list[tuple[exp.Expr, exp.Expr]]) -> exp.Expr:
    parts: list[exp.Expr] = []
    for key, value in pairs:
        parts += [key, value]
    return fn("json_object", *parts)


@register(
    "bag_pack",
    "pack",
    "pack_dictionary",
    sig="key: string, value: scalar, ...",
    returns="dynamic",
    doc="A property bag of the key/value pairs.",
)
def bag_pack(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    if len(args) % 2:
        raise diag.argument_count(b.op, call.name, "an even number of", call.pos)
    pairs = [(to_string_sql(args[i]), as_json_value(args[i + 1])) for i in range(0, len(args), 2)]
    return _dynamic(_object(pairs))


@register(
    "pack_all",
    sig="[ignore_null_empty: const bool]",
    returns="dynamic",
    doc="A property bag of every column of the row (optionally without null/empty ones).",
)
def pack_all(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    skip_empty = bool(args and args[0].value)
    pairs: list[tuple[exp.Expr, exp.Expr]] = []
    for name, col in b.columns.items():
        value = Typed(col.sql.copy(), col.type)
        pairs.append((string(name), as_json_value(value)))
    if not skip_empty:
        return _dynamic(_object(pairs))
    # only the members whose value is neither null nor ''
    entries = exp.Array(
        expressions=[
            fn(
                "struct_pack",
                exp.PropertyEQ(this=exp.to_identifier("k"), expression=key),
                exp.PropertyEQ(
                    this=exp.to_identifier("v"), expression=cast(fn("to_json", value), T.STRING)
                ),
            )
            for key, value in pairs
        ]
    )
    # struct_extract, not `_p.v`: a column named _p would shadow the lambda parameter
    entry_v = fn("struct_extract", var("_p"), string("v"))
    entry_k = fn("struct_extract", var("_p"), string("k"))
    kept = fn(
        "list_filter",
        entries,
        lam(
            exp.And(
                this=exp.Not(this=exp.Is(this=entry_v, expression=exp.Null())),
                expression=exp.Not(
                    this=exp.In(this=entry_v.copy(), expressions=[string("null"), string('""')])
                ),
            ),
            "_p",
        ),
    )
    member = exp.DPipe(
        this=exp.DPipe(this=cast(fn("to_json", entry_k.copy()), T.STRING), expression=string(":")),
        expression=entry_v.copy(),
    )
    text = exp.DPipe(
        this=exp.DPipe(
            this=string("{"),
            expression=fn(
                "array_to_string",
                exp.Transform(this=kept, expression=lam(member, "_p")),
                string(","),
            ),
        ),
        expression=string("}"),
    )
    return _dynamic(cast(text, T.DYNAMIC))


@register(
    "extract_json",
    "extractjson",
    sig="jsonPath: const string, dataSource: scalar, [type: scalar]",
    returns="string, or the type of typeof(T)",
    doc="The element at a JSON path of the JSON text, as text or as typeof(T).",
    raw=True,
)
def extract_json(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    target = T.STRING
    skip = None
    if len(call.args) == 3:
        target = type_literal(b, call, 2)
        skip = 2
    path, text = bind_args(b, call, skip)
    check_arguments(b, call, FUNCTIONS[call.name], [path, text])
    if not (path.is_constant and isinstance(path.value, str)):
        raise diag.expected_constant(b.op, "The JSON path", call.args[0].pos)
    source = text.sql if text.type is T.DYNAMIC else parse_json_sql(to_string_sql(text))
    found = fn("json_extract_string", source, string(path.value))
    if target in STRINGLIKE:
        return Typed(coalesce(found, string("")), T.STRING)
    if target is T.DYNAMIC:
        return _dynamic(fn("json_extract", source.copy(), string(path.value)))
    return Typed(text_as(found, target), target)


@register(
    "bag_keys",
    sig="object: dynamic",
    returns="dynamic",
    doc="The keys of a property bag, as an array (null when the value is not a bag).",
)
def bag_keys(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0].sql
    is_bag = exp.EQ(this=fn("json_type", v), expression=string("OBJECT"))
    return _dynamic(case([(is_bag, json_list(fn("json_keys", v.copy())))], exp.Null()))


@register(
    "bag_has_key",
    sig="bag: dynamic, key: string",
    returns="bool",
    doc="Whether the property bag has the key.",
)
def bag_has_key(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0].sql
    is_bag = exp.EQ(this=fn("json_type", v), expression=string("OBJECT"))
    has = fn("list_contains", fn("json_keys", v.copy()), text_of(args[1]))
    return Typed(exp.And(this=is_bag, expression=has), T.BOOL)


@register(
    "bag_merge",
    sig="bag: dynamic...",
    args=(2, 64),
    returns="dynamic",
    doc="The property bags merged; for a key in several bags the leftmost value wins.",
)
def bag_merge(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    # as maps (json_merge_patch would drop keys whose value is null); the leftmost value wins
    map_type = exp.DataType.build("MAP(VARCHAR, JSON)")
    merged: exp.Expr | None = None
    for a in reversed(args):
        is_bag = exp.EQ(this=fn("json_type", a.sql), expression=string("OBJECT"))
        bag = case(
            [(is_bag, exp.Cast(this=a.sql.copy(), to=map_type))],
            exp.Cast(this=fn("map"), to=map_type.copy()),
        )
        merged = bag if merged is None else fn("map_concat", merged, bag)
    assert merged is not None
    return _dynamic(cast(fn("to_json", merged), T.DYNAMIC))


def _element_match(item: exp.Expr, value: Typed) -> exp.Expr:
    """Whether a JSON element equals a value (compared as Kusto text; null never equal)."""
    return exp.EQ(
        this=fn("json_extract_string", item, string("$")),
        expression=text_of(value)
        if value.type is not T.DYNAMIC
        else fn("json_extract_string", value.sql, string("$")),
    )


@register(
    "array_index_of",
    sig="array: dynamic, value: scalar, [start: long], [length: long], [occurrence: long]",
    returns="long",
    doc="The zero-based index of the value in the array, or -1 (null when not an array).",
)
def array_index_of(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    items = json_items(args[0].sql)
    start = long_arg(args[2]) if len(args) > 2 else number(0)
    occurrence = long_arg(args[4]) if len(args) > 4 else number(1)
    length = long_arg(args[3]) if len(args) > 3 else number(-1)
    size = fn("len", items)
    # a negative start counts from the end
    start = case(
        [(exp.LT(this=start, expression=number(0)), exp.Add(this=size, expression=start))],
        start.copy(),
    )
    end = case(
        [(exp.EQ(this=length, expression=number(-1)), size.copy())],
        fn("least", size.copy(), exp.Add(this=start.copy(), expression=length.copy())),
    )
    hits = fn(
        "list_filter",
        fn("range", fn("greatest", start.copy(), number(0)), end),
        lam(
            _element_match(
                fn("list_extract", items.copy(), exp.Add(this=var("_i"), expression=number(1))),
                args[1],
            ),
            "_i",
        ),
    )
    found = coalesce(fn("list_extract", hits, occurrence), number(-1))
    return Typed(
        cast(case([(exp.Is(this=items.copy(), expression=exp.Null()), exp.Null())], found), T.LONG),
        T.LONG,
    )


@register(
    "set_has_element",
    sig="set: dynamic, value: scalar",
    returns="bool",
    doc="Whether the array holds the value.",
)
def set_has_element(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    items = json_items(args[0].sql)
    hit = fn("list_filter", items, lam(_element_match(var("_e"), args[1]), "_e"))
    return Typed(exp.GT(this=fn("len", hit), expression=number(0)), T.BOOL)


def _distinct(items: exp.Expr) -> exp.Expr:
    """The list without repeated elements, first occurrences kept in order."""
    return fn(
        "list_filter",
        items,
        lam(
            exp.EQ(this=fn("list_position", items.copy(), var("_e")), expression=var("_i")),
            "_e",
            "_i",
        ),
    )


def _arrays(args: list[Typed]) -> tuple[list[exp.Expr], exp.Expr]:
    """Each argument's element list, and a condition true when any is not an array."""
    lists = [json_items(a.sql) for a in args]
    not_array: exp.Expr = exp.Or(
        this=exp.Is(this=lists[0].copy(), expression=exp.Null()),
        expression=exp.Boolean(this=False),
    )
    for items in lists[1:]:
        not_array = exp.Or(
            this=not_array, expression=exp.Is(this=items.copy(), expression=exp.Null())
        )
    return lists, not_array


def _or_null(not_array: exp.Expr, value: exp.Expr) -> Typed:
    return _dynamic(case([(not_array, exp.Null())], json_list(value)))


@register(
    "set_union",
    sig="set: dynamic...",
    args=(2, 64),
    returns="dynamic",
    doc="The distinct elements of all the arrays, in order of first appearance.",
)
def set_union(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args)
    return _or_null(not_array, _distinct(fn("flatten", exp.Array(expressions=lists))))


def _in_list(items: exp.Expr) -> exp.Expr:
    return fn("list_contains", items, var("_e"))


@register(
    "set_intersect",
    sig="set: dynamic...",
    args=(2, 64),
    returns="dynamic",
    doc="The distinct elements of the first array found in every other array.",
)
def set_intersect(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args)
    condition: exp.Expr = _in_list(lists[1])
    for other in lists[2:]:
        condition = exp.And(this=condition, expression=_in_list(other))
    return _or_null(not_array, fn("list_filter", _distinct(lists[0]), lam(condition, "_e")))


@register(
    "set_difference",
    sig="set: dynamic...",
    args=(2, 64),
    returns="dynamic",
    doc="The distinct elements of the first array found in none of the others.",
)
def set_difference(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args)
    condition: exp.Expr = exp.Not(this=_in_list(lists[1]))
    for other in lists[2:]:
        condition = exp.And(this=condition, expression=exp.Not(this=_in_list(other)))
    return _or_null(not_array, fn("list_filter", _distinct(lists[0]), lam(condition, "_e")))


@register(
    "array_concat",
    sig="array: dynamic...",
    args=(1, 64),
    returns="dynamic",
    doc="The arrays concatenated (null when any argument is not an array).",
)
def array_concat(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args)
    return _or_null(not_array, fn("flatten", exp.Array(expressions=lists)))


@register(
    "array_reverse",
    sig="array: dynamic",
    returns="dynamic",
    doc="The array's elements in reverse order.",
)
def array_reverse(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args)
    return _or_null(not_array, fn("list_reverse", lists[0]))


@register(
    "array_slice",
    sig="array: dynamic, start: long, end: long",
    returns="dynamic",
    doc="The elements from index start to end, both included (negative indexes count from the end).",
)
def array_slice(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args[:1])
    size = fn("len", lists[0])

    def position(v: Typed) -> exp.Expr:
        # Kusto's zero-based index, negative from the end, as a zero-based index
        i = long_arg(v)
        return case(
            [
                (
                    exp.LT(this=i, expression=number(0)),
                    exp.Add(this=size.copy(), expression=i.copy()),
                )
            ],
            i.copy(),
        )

    begin = fn("greatest", position(args[1]), number(0))
    end = fn("least", position(args[2]), exp.Sub(this=size.copy(), expression=number(1)))
    sliced = case(
        [
            (
                exp.GT(this=begin, expression=end),
                exp.Cast(this=exp.Array(expressions=[]), to=exp.DataType.build("JSON[]")),
            )
        ],
        fn(
            "list_slice",
            lists[0].copy(),
            exp.Add(this=begin.copy(), expression=number(1)),
            exp.Add(this=end.copy(), expression=number(1)),
        ),
    )
    return _or_null(not_array, sliced)


@register(
    "zip",
    sig="array: dynamic...",
    args=(2, 64),
    returns="dynamic",
    doc="An array of arrays: the i-th elements of each array together (null-padded).",
)
def zip_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    lists, not_array = _arrays(args)
    longest = fn("greatest", *[fn("len", items) for items in lists])
    rows = exp.Transform(
        this=fn("range", longest),
        expression=lam(
            exp.Array(
                expressions=[
                    fn("list_extract", items.copy(), exp.Add(this=var("_i"), expression=number(1)))
                    for items in lists
                ]
            ),
            "_i",
        ),
    )
    return _or_null(not_array, rows)


@register(
    "array_sum",
    sig="array: dynamic",
    returns="real",
    doc="The sum of the array's numeric elements.",
)
def array_sum(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    values = fn("json_transform", args[0].sql, string('["DOUBLE"]'))
    return Typed(fn("list_sum", values), T.REAL)


# --- URLs -----------------------------------------------------------------------------------

_URL = (
    r"^([A-Za-z][A-Za-z0-9+.\-]*)://"  # scheme
    r"(?:([^:@/?#]*)(?::([^@/?#]*))?@)?"  # username, password
    r"(\[[^\]]*\]|[^:/?#]*)"  # host
    r"(?::([0-9]*))?"  # port
    r"([^?#]*)"  # path
    r"(?:\?([^#]*))?"  # query
    r"(?:#(.*))?$"  # fragment
)


def _query_parameters(query: exp.Expr) -> exp.Expr:
    """`k1=v1&k2=v2` as a JSON object of the decoded values."""
    pair = var("_q")
    key = fn("split_part", pair, string("="), number(1))
    value = fn(
        "substr",
        pair.copy(),
        exp.Add(this=exp.Length(this=key.copy()), expression=number(2)),
    )

    def decoded(x: exp.Expr) -> exp.Expr:
        return coalesce(
            fn("try", fn("url_decode", fn("replace", x, string("+"), string(" ")))), x.copy()
        )

    member = exp.DPipe(
        this=exp.DPipe(this=cast(fn("to_json", decoded(key)), T.STRING), expression=string(":")),
        expression=cast(fn("to_json", decoded(value)), T.STRING),
    )
    pairs = fn(
        "list_filter",
        fn("string_split", query, string("&")),
        lam(exp.NEQ(this=var("_q"), expression=string("")), "_q"),
    )
    members = exp.Transform(this=pairs, expression=lam(member, "_q"))
    text = exp.DPipe(
        this=exp.DPipe(this=string("{"), expression=fn("array_to_string", members, string(","))),
        expression=string("}"),
    )
    return cast(text, T.DYNAMIC)


@register(
    "parse_url",
    sig="url: string",
    returns="dynamic",
    doc="The parts of an absolute URL: Scheme, Host, Port, Path, Username, Password, "
    "Query Parameters, Fragment.",
)
def parse_url(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    text = text_of(args[0])
    names = ["Scheme", "Username", "Password", "Host", "Port", "Path", "Query", "Fragment"]
    parts = fn(
        "regexp_extract",
        text,
        string(_URL),
        exp.Array(expressions=[string(x) for x in names]),
    )

    def part(name: str) -> exp.Expr:
        return exp.Dot(this=exp.Paren(this=parts.copy()), expression=exp.to_identifier(name))

    url = _object(
        [
            (string("Scheme"), part("Scheme")),
            (string("Host"), part("Host")),
            (string("Port"), part("Port")),
            (string("Path"), part("Path")),
            (string("Username"), part("Username")),
            (string("Password"), part("Password")),
            (string("Query Parameters"), _query_parameters(part("Query"))),
            (string("Fragment"), part("Fragment")),
        ]
    )
    return _dynamic(url)


@register(
    "gettype",
    sig="value: scalar",
    returns="string",
    doc="The value's runtime type: string, long, real, bool, datetime, timespan, guid, int, "
    "decimal, array, dictionary or null.",
)
def gettype(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0]
    if v.type is not T.DYNAMIC:
        return constant(T.STRING, v.type.value)
    if v.is_constant and v.value is None:
        return constant(T.STRING, "null")
    kind = fn("json_type", v.sql)
    names = {
        "VARCHAR": "string",
        "BIGINT": "long",
        "UBIGINT": "long",
        "DOUBLE": "real",
        "BOOLEAN": "bool",
        "ARRAY": "array",
        "OBJECT": "dictionary",
    }
    sql = case(
        [(exp.EQ(this=kind.copy(), expression=string(k)), string(v_)) for k, v_ in names.items()],
        string("null"),
    )
    return Typed(sql, T.STRING)


MAX_RANGE = 1_048_576


@register(
    "range",
    sig="start: real|datetime, stop: real|datetime, [step: real|timespan]",
    returns="dynamic",
    doc="An array of the values from start to stop (included) by step (default 1).",
)
def range_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    start, stop = args[0], args[1]
    if start.type is T.DATETIME or stop.type is T.DATETIME:
        if start.type is not T.DATETIME or stop.type is not T.DATETIME:
            raise diag.argument_type(
                b.op, call.name, 2, "datetime", stop.type.value, call.args[1].pos
            )
        if len(args) < 3 or args[2].type is not T.TIMESPAN:
            raise diag.argument_type(b.op, call.name, 3, "timespan", "none", call.pos)
        step_us = interval_micros(args[2].sql)
        span = exp.Sub(this=interval_micros(stop.sql), expression=interval_micros(start.sql))
        count = exp.Add(this=exp.IntDiv(this=span, expression=step_us), expression=number(1))
        item: exp.Expr = to_string_sql(
            Typed(
                exp.Add(
                    this=start.sql.copy(),
                    expression=micros_interval(exp.Mul(this=var("_i"), expression=step_us.copy())),
                ),
                T.DATETIME,
            )
        )
    else:
        if len(args) == 3 and args[2].type is T.TIMESPAN:  # a timespan step needs datetimes
            raise diag.argument_type(
                b.op, call.name, 3, "real", args[2].type.value, call.args[2].pos
            )
        step = args[2].sql if len(args) == 3 else number(1)
        span = exp.Sub(this=cast(stop.sql, T.REAL), expression=cast(start.sql, T.REAL))
        count = exp.Add(
            this=cast(fn("floor", exp.Div(this=span, expression=cast(step, T.REAL))), T.LONG),
            expression=number(1),
        )
        item = exp.Add(
            this=start.sql.copy(), expression=exp.Mul(this=var("_i"), expression=step.copy())
        )
    bounded = fn("least", fn("greatest", count, number(0)), number(MAX_RANGE))
    values = exp.Transform(this=fn("range", bounded), expression=lam(item, "_i"))
    return _dynamic(json_list(values))


# --- file paths -----------------------------------------------------------------------------

_SCHEME = r"^([A-Za-z][A-Za-z0-9+.\-]*)://"


@register(
    "parse_path",
    sig="path: string",
    returns="dynamic",
    doc="The parts of a file path: Scheme, RootPath, DirectoryPath, DirectoryName, Filename, "
    "Extension, AlternateDataStreamName.",
)
def parse_path(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    text = text_of(args[0])
    scheme = fn("regexp_extract", text, string(_SCHEME), number(1))
    rest = fn("regexp_replace", text.copy(), string(_SCHEME), string(""))
    has_slash = fn("regexp_matches", rest, string(r"[\\/]"))
    directory = case(
        [(has_slash, fn("regexp_extract", rest.copy(), string(r"^(.*)[\\/]"), number(1)))],
        string(""),
    )
    last = fn("regexp_extract", rest.copy(), string(r"([^\\/]*)$"), number(1))
    filename = fn("split_part", last, string(":"), number(1))
    colon = fn("strpos", last.copy(), string(":"))
    stream = case(
        [
            (
                exp.GT(this=colon, expression=number(0)),
                fn("substr", last.copy(), exp.Add(this=colon.copy(), expression=number(1))),
            )
        ],
        string(""),
    )
    parts = [
        ("Scheme", scheme),
        (
            "RootPath",
            fn("regexp_extract", rest.copy(), string(r"^(?:\\\\\?\\)?([A-Za-z]:)"), number(1)),
        ),
        ("DirectoryPath", directory),
        (
            "DirectoryName",
            fn("regexp_extract", directory.copy(), string(r"([^\\/:]*)$"), number(1)),
        ),
        ("Filename", filename),
        ("Extension", fn("regexp_extract", filename.copy(), string(r"\.([^.]*)$"), number(1))),
        ("AlternateDataStreamName", stream),
    ]
    return _dynamic(_object([(string(k), v) for k, v in parts]))


@register(
    "bag_remove_keys",
    sig="bag: dynamic, keys: dynamic",
    returns="dynamic",
    doc="The property bag without the given top-level keys (null when it is not a bag).",
)
def bag_remove_keys(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    bag, keys = args
    map_type = exp.DataType.build("MAP(VARCHAR, JSON)")
    entries = fn("map_entries", exp.Cast(this=bag.sql, to=map_type))
    names = fn("json_transform", keys.sql, string('["VARCHAR"]'))
    key = fn("struct_extract", var("_e"), string("key"))  # not `_e.key`: see above
    kept = fn(
        "list_filter",
        entries,
        lam(exp.Not(this=fn("coalesce", fn("list_contains", names, key), exp.false())), "_e"),
    )
    is_bag = exp.EQ(this=fn("json_type", bag.sql.copy()), expression=string("OBJECT"))
    result = cast(fn("to_json", fn("map_from_entries", kept)), T.DYNAMIC)
    return _dynamic(case([(is_bag, result)], exp.Null()))
