"""String functions: case, concatenation, length, substrings, search, regex, encodings, hashes.

Kusto strings are never null: every function here returns '' where SQL would give NULL.
Regular expressions run as RE2 inside DuckDB and are always passed as literals.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.binder.convert import case, coalesce
from xdrlab.kql.binder.types import T, Typed, cast, constant, fn, number, string
from xdrlab.kql.functions.common import (
    bind_args,
    const_int,
    const_str,
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


def require_constant_string(b: Binder, call: n.Call, v: Typed, index: int) -> str:
    value = const_str(v)
    if value is None:
        raise diag.expected_constant(
            b.op, f"Argument {index + 1} of '{call.name}'", call.args[index].pos
        )
    return value


def _regex(b: Binder, call: n.Call, v: Typed, index: int) -> str:
    """A constant regular expression, checked to compile (Python's syntax is close to RE2's)."""
    return require_constant_string(b, call, v, index)


def _string(sql: exp.Expr) -> Typed:
    return Typed(sql, T.STRING)


def _long(sql: exp.Expr) -> Typed:
    return Typed(cast(sql, T.LONG), T.LONG)


def _not_null_text(sql: exp.Expr) -> exp.Expr:
    return coalesce(sql, string(""))


# --- case, concatenation, length ------------------------------------------------------------


@register("tolower", sig="value: string", returns="string", doc="The text in lower case.")
def tolower(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = const_str(args[0])
    if value is not None:
        return constant(T.STRING, value.lower())
    return _string(exp.Lower(this=text_of(args[0])))


@register("toupper", sig="value: string", returns="string", doc="The text in upper case.")
def toupper(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = const_str(args[0])
    if value is not None:
        return constant(T.STRING, value.upper())
    return _string(exp.Upper(this=text_of(args[0])))


@register(
    "strcat",
    sig="value: scalar...",
    args=(1, 64),
    returns="string",
    doc="The arguments' texts concatenated (null counts as '').",
)
def strcat(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    values = [const_str(a) for a in args]
    if all(v is not None for v in values):
        return constant(T.STRING, "".join(v for v in values if v is not None))
    return _string(fn("concat", *[text_of(a) for a in args]))


@register(
    "strcat_delim",
    sig="delimiter: string, value: scalar...",
    args=(2, 64),
    returns="string",
    doc="The arguments' texts joined by the delimiter.",
)
def strcat_delim(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _string(fn("concat_ws", *[text_of(a) for a in args]))


@register(
    "strlen",
    sig="source: string",
    returns="long",
    doc="The number of characters of the text (of its JSON text for dynamic values).",
)
def strlen(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = const_str(args[0])
    if value is not None:
        return constant(T.LONG, len(value))
    return _long(exp.Length(this=text_of(args[0])))


@register(
    "reverse",
    sig="value: scalar",
    returns="string",
    doc="The text of the value, characters in reverse order.",
)
def reverse(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _string(fn("reverse", text_of(args[0])))


@register(
    "strrep",
    sig="value: scalar, multiplier: long, [delimiter: string]",
    returns="string",
    doc="The text repeated `multiplier` times (at most 1024), joined by the delimiter.",
)
def strrep(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    count = fn("least", fn("greatest", long_arg(args[1]), number(0)), number(1024))
    if len(args) == 2:
        return _string(_not_null_text(fn("repeat", text_of(args[0]), count)))
    copies = exp.Transform(this=fn("range", count), expression=lam(text_of(args[0]), "_i"))
    return _string(_not_null_text(fn("array_to_string", copies, text_of(args[2]))))


@register(
    "strcmp",
    sig="string1: string, string2: string",
    returns="int",
    doc="-1, 0 or 1 as the first text sorts before, equal to or after the second.",
)
def strcmp(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    left, right = text_of(args[0]), text_of(args[1])
    sql = case(
        [
            (exp.LT(this=left, expression=right), number(-1)),
            (exp.GT(this=left.copy(), expression=right.copy()), number(1)),
        ],
        number(0),
    )
    return Typed(cast(sql, T.INT), T.INT)


# --- substrings and search ------------------------------------------------------------------


@register(
    "substring",
    sig="source: scalar, startingIndex: long, [length: long]",
    returns="string",
    doc="The part of the text from a zero-based index (negative: from the end), of a length or "
    "to its end.",
)
def substring(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    source = text_of(args[0])
    start = const_int(args[1])
    if start is not None and start >= 0:
        begin: exp.Expr = number(min(start, 2**31) + 1)  # past any text, in DuckDB's range
    else:
        # a negative start counts from the end
        index = long_arg(args[1])
        from_end = fn(
            "greatest", exp.Add(this=exp.Length(this=source.copy()), expression=index), number(0)
        )
        zero_based = case(
            [(exp.LT(this=index.copy(), expression=number(0)), from_end)], index.copy()
        )
        begin = exp.Add(this=zero_based, expression=number(1))
    length = (  # clamped to what DuckDB accepts; no text is that long
        fn("least", fn("greatest", long_arg(args[2]), number(0)), number(2**31))
        if len(args) == 3
        else None
    )
    return _string(_not_null_text(exp.Substring(this=source, start=begin, length=length)))


@register(
    "split",
    sig="source: string, delimiter: string, [requestedIndex: long]",
    returns="dynamic",
    doc="The text split at each delimiter, as an array (or the one-element array at an index).",
)
def split(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    pieces = fn("string_split", text_of(args[0]), text_of(args[1]))
    if len(args) == 3:
        index = long_arg(args[2])
        element = fn("list_extract", pieces, exp.Add(this=index, expression=number(1)))
        in_range = exp.And(
            this=exp.GTE(this=index.copy(), expression=number(0)),
            expression=exp.LT(this=index.copy(), expression=fn("len", pieces.copy())),
        )
        chosen = case(
            [(in_range, exp.Array(expressions=[element]))],
            exp.Cast(this=exp.Array(expressions=[]), to=exp.DataType.build("VARCHAR[]")),
        )
        return Typed(json_list(chosen), T.DYNAMIC)
    return Typed(json_list(pieces), T.DYNAMIC)


@register(
    "indexof",
    sig="source: scalar, lookup: scalar, [start: long], [length: long], [occurrence: long]",
    returns="long",
    doc="The zero-based index of an occurrence of the lookup text, or -1.",
)
def indexof(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    source = text_of(args[0])
    lookup = text_of(args[1])
    length_of = exp.Length(this=source.copy())
    start: exp.Expr = long_arg(args[2]) if len(args) > 2 else number(0)
    # a negative start counts from the end
    start = case(
        [(exp.LT(this=start, expression=number(0)), exp.Add(this=length_of, expression=start))],
        start.copy(),
    )
    start = fn("greatest", start, number(0))
    end: exp.Expr = exp.Length(this=source.copy())
    bad: list[exp.Expr] = []
    if len(args) > 3:
        length = long_arg(args[3])
        end = case(
            [(exp.EQ(this=length, expression=number(-1)), end)],
            fn("least", end.copy(), exp.Add(this=start.copy(), expression=length.copy())),
        )
        bad.append(exp.LT(this=length.copy(), expression=number(-1)))
    occurrence: exp.Expr = number(1)
    if len(args) > 4:
        occurrence = long_arg(args[4])
        bad.append(exp.LT(this=occurrence.copy(), expression=number(0)))
    positions = exp.Transform(
        this=fn(
            "range",
            start.copy(),
            exp.Add(
                this=exp.Sub(this=end, expression=exp.Length(this=lookup.copy())),
                expression=number(1),
            ),
        ),
        expression=lam(var("_i"), "_i"),
    )
    found = fn(
        "list_filter",
        positions,
        lam(
            exp.EQ(
                this=exp.Substring(
                    this=source.copy(),
                    start=exp.Add(this=var("_i"), expression=number(1)),
                    length=exp.Length(this=lookup.copy()),
                ),
                expression=lookup.copy(),
            ),
            "_i",
        ),
    )
    picked = coalesce(fn("list_extract", found, occurrence), number(-1))
    whens = [(condition, cast(exp.Null(), T.LONG)) for condition in bad]
    return _long(case(whens, picked) if whens else picked)


@register(
    "countof",
    sig="source: string, search: string, [kind: const string]",
    returns="long",
    doc="How many times the text (overlapping) or regex (kind 'regex') occurs in the source.",
)
def countof(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    kind = const_str(args[2]) if len(args) == 3 else "normal"
    if kind not in ("normal", "regex"):
        raise diag.argument_type(
            b.op, call.name, 3, "'normal' or 'regex'", repr(kind), call.args[2].pos
        )
    source = text_of(args[0])
    if kind == "regex":
        regex = _regex(b, call, args[1], 1)
        matches = fn("regexp_extract_all", source, string(regex), number(0))
        return _long(fn("len", matches))
    search = text_of(args[1])
    hits = fn(
        "list_filter",
        fn("range", number(1), exp.Add(this=exp.Length(this=source), expression=number(1))),
        lam(
            exp.EQ(
                this=exp.Substring(
                    this=source.copy(), start=var("_i"), length=exp.Length(this=search.copy())
                ),
                expression=search.copy(),
            ),
            "_i",
        ),
    )
    empty = exp.EQ(this=exp.Length(this=search), expression=number(0))
    return _long(case([(empty, number(0))], fn("len", hits)))


# --- replacing and trimming -----------------------------------------------------------------


@register(
    "replace_string",
    sig="text: string, lookup: string, rewrite: string",
    returns="string",
    doc="The text with every occurrence of the lookup text replaced.",
)
def replace_string(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    text, lookup, rewrite = (text_of(a) for a in args)
    empty = exp.EQ(this=lookup, expression=string(""))
    return _string(case([(empty, text)], fn("replace", text.copy(), lookup.copy(), rewrite)))


@register(
    "replace_regex",
    sig="source: string, lookup_regex: const string, rewrite_pattern: string",
    returns="string",
    doc="The text with every match of the regex replaced (\\1, \\2 refer to groups).",
)
def replace_regex(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    regex = _regex(b, call, args[1], 1)
    return _string(
        fn("regexp_replace", text_of(args[0]), string(regex), text_of(args[2]), string("g"))
    )


@register(
    "replace",
    sig="regex: const string, rewrite: string, text: string",
    returns="string",
    doc="The older spelling of replace_regex, arguments in the order regex, rewrite, text.",
)
def replace(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    regex = _regex(b, call, args[0], 0)
    return _string(
        fn("regexp_replace", text_of(args[2]), string(regex), text_of(args[1]), string("g"))
    )


def _trim(b: Binder, call: n.Call, args: list[Typed], leading: bool, trailing: bool) -> Typed:
    regex = _regex(b, call, args[0], 0)
    alternatives = []
    if leading:
        alternatives.append(f"^(?:{regex})+")
    if trailing:
        alternatives.append(f"(?:{regex})+$")
    pattern = "|".join(alternatives)
    return _string(fn("regexp_replace", text_of(args[1]), string(pattern), string(""), string("g")))


@register(
    "trim",
    sig="regex: const string, source: string",
    returns="string",
    doc="The text without leading and trailing matches of the regex.",
)
def trim(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _trim(b, call, args, True, True)


@register(
    "trim_start",
    sig="regex: const string, source: string",
    returns="string",
    doc="The text without leading matches of the regex.",
)
def trim_start(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _trim(b, call, args, True, False)


@register(
    "trim_end",
    sig="regex: const string, source: string",
    returns="string",
    doc="The text without trailing matches of the regex.",
)
def trim_end(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _trim(b, call, args, False, True)


# --- regular expressions --------------------------------------------------------------------


def _group_count(regex: str) -> int | None:
    try:
        return re.compile(regex).groups
    except re.error:
        return None


@register(
    "extract",
    sig="regex: const string, captureGroup: const long, source: string, [typeLiteral: scalar]",
    returns="string, or the type of typeof(T)",
    doc="The first match of a capture group of the regex ('' / null when none), as a type.",
    raw=True,
)
def extract(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    target = T.STRING
    skip = None
    if len(call.args) == 4:
        target = type_literal(b, call, 3)
        skip = 3
    regex_v, group_v, source = bind_args(b, call, skip)
    check_arguments(b, call, FUNCTIONS[call.name], [regex_v, group_v, source])
    regex = _regex(b, call, regex_v, 0)
    group = const_int(group_v)
    if group is None:
        raise diag.expected_constant(b.op, "The capture group of 'extract'", call.args[1].pos)
    groups = _group_count(regex)
    if group < 0 or (groups is not None and group > groups):
        return constant(target, "" if target is T.STRING else None)
    found = fn("regexp_extract", text_of(source), string(regex), number(group))
    if target is T.STRING:
        return _string(_not_null_text(found))
    matched = fn("regexp_matches", text_of(source), string(regex))
    return Typed(case([(matched, text_as(found, target))], exp.Null()), target)


@register(
    "extract_all",
    "extractall",
    sig="regex: const string, captureGroups_or_source: dynamic|string, [source: string]",
    returns="dynamic",
    doc="Every match of the regex: an array of the group (one group) or of arrays of groups.",
)
def extract_all(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    regex = _regex(b, call, args[0], 0)
    source = text_of(args[-1])
    groups = _group_count(regex)
    if groups == 0 or groups is None:
        raise diag.argument_type(
            b.op, call.name, 1, "a regex with capture groups", "no group", call.args[0].pos
        )
    wanted = list(range(1, groups + 1))
    if len(args) == 3:
        chosen = args[1].value
        if not (
            isinstance(chosen, list)
            and chosen
            and all(isinstance(g, int) and 0 <= g <= groups for g in chosen)
        ):
            raise diag.argument_type(
                b.op, call.name, 2, "an array of group numbers", "dynamic", call.args[1].pos
            )
        wanted = [g for g in chosen if isinstance(g, int)]
    matches = fn("regexp_extract_all", source, string(regex), number(0))
    if len(wanted) == 1:
        items: exp.Expr = fn("regexp_extract_all", source.copy(), string(regex), number(wanted[0]))
    else:
        items = exp.Transform(
            this=matches,
            expression=lam(
                exp.Array(
                    expressions=[
                        fn("regexp_extract", var("_m"), string(regex), number(g)) for g in wanted
                    ]
                ),
                "_m",
            ),
        )
    none = exp.EQ(this=fn("len", matches.copy()), expression=number(0))
    return Typed(case([(none, exp.Null())], json_list(items)), T.DYNAMIC)


# --- encodings ------------------------------------------------------------------------------


@register(
    "url_decode",
    sig="encoded_url: string",
    returns="string",
    doc="The URL with %XX escapes and '+' decoded.",
)
def url_decode(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    plus = fn("replace", text_of(args[0]), string("+"), string(" "))
    return _string(_not_null_text(fn("try", fn("url_decode", plus))))


_URL_SAFE = "[A-Za-z0-9_.!*()-]"


def _url_encode(text: exp.Expr, space: str) -> exp.Expr:
    c = var("_c")
    char = case(
        [
            (fn("regexp_full_match", c, string(_URL_SAFE)), c.copy()),
            (exp.EQ(this=c.copy(), expression=string(" ")), string(space)),
            (exp.EQ(this=c.copy(), expression=string("~")), string("%7e")),
        ],
        exp.Lower(this=fn("url_encode", c.copy())),
    )
    chars = exp.Transform(this=fn("string_split", text, string("")), expression=lam(char, "_c"))
    return fn("array_to_string", chars, string(""))


@register(
    "url_encode",
    sig="url: string",
    returns="string",
    doc="The URL percent-encoded, spaces as '+' (lower-case hex, as Kusto).",
)
def url_encode(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _string(_url_encode(text_of(args[0]), "+"))


@register(
    "url_encode_component",
    sig="url: string",
    returns="string",
    doc="The URL percent-encoded, spaces as '%20'.",
)
def url_encode_component(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _string(_url_encode(text_of(args[0]), "%20"))


@register(
    "base64_encode_tostring",
    sig="value: string",
    returns="string",
    doc="The UTF-8 bytes of the text, base64-encoded.",
)
def base64_encode_tostring(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _string(fn("to_base64", fn("encode", text_of(args[0]))))


@register(
    "base64_decode_tostring",
    "base64_decodestring",
    sig="base64_string: string",
    returns="string",
    doc="The base64 text decoded as UTF-8 ('' when it is not base64 or not UTF-8).",
)
def base64_decode_tostring(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    decoded = fn("try", fn("decode", fn("from_base64", text_of(args[0]))))
    return _string(_not_null_text(decoded))


@register(
    "base64_decode_toarray",
    sig="base64_string: string",
    returns="dynamic",
    doc="The base64 text decoded to an array of byte values (null when it is not base64).",
)
def base64_decode_toarray(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    hexed = fn("hex", fn("try", fn("from_base64", text_of(args[0]))))
    pair = exp.Substring(
        this=var("_h"),
        start=exp.Add(this=exp.Mul(this=var("_i"), expression=number(2)), expression=number(1)),
        length=number(2),
    )
    byte = cast(exp.DPipe(this=string("0x"), expression=pair), T.LONG)
    bytes_ = exp.Transform(
        this=fn("range", exp.IntDiv(this=exp.Length(this=var("_h")), expression=number(2))),
        expression=lam(byte, "_i"),
    )
    # bind the hex text once: a one-element list mapped by a lambda
    once = exp.Transform(this=exp.Array(expressions=[hexed]), expression=lam(bytes_, "_h"))
    return Typed(json_list(fn("list_extract", once, number(1))), T.DYNAMIC)


@register(
    "unicode_codepoints_to_string",
    "make_string",
    sig="values: long|dynamic...",
    args=(1, 64),
    returns="string",
    doc="The text of the code points given as numbers or arrays of numbers.",
)
def unicode_codepoints_to_string(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    parts: list[exp.Expr] = []
    for a in args:
        if a.type is T.DYNAMIC:
            points = fn("json_transform", a.sql, string('["BIGINT"]'))
            chars = exp.Transform(
                this=points, expression=lam(fn("chr", cast(var("_p"), T.INT)), "_p")
            )
            parts.append(_not_null_text(fn("array_to_string", chars, string(""))))
        else:
            parts.append(_not_null_text(fn("chr", cast(a.sql, T.INT))))
    return _string(fn("concat", *parts))


@register(
    "unicode_codepoints_from_string",
    sig="value: string",
    returns="dynamic",
    doc="The Unicode code points of the text's characters, as an array.",
)
def unicode_codepoints_from_string(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    chars = fn("string_split", text_of(args[0]), string(""))
    points = exp.Transform(this=chars, expression=lam(cast(fn("unicode", var("_c")), T.LONG), "_c"))
    return Typed(json_list(points), T.DYNAMIC)


def _hash_text(name: str, sql_name: str, what: str) -> None:
    def impl(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
        return _string(fn(sql_name, text_of(args[0])))

    register(
        name,
        sig="source: scalar",
        returns="string",
        doc=f"The {what} hash of the value's text, as lower-case hex.",
    )(impl)


_hash_text("hash_sha256", "sha256", "SHA-256")
_hash_text("hash_sha1", "sha1", "SHA-1")
_hash_text("hash_md5", "md5", "MD5")


@register(
    "hash",
    sig="source: scalar, [mod: long]",
    returns="long",
    doc="A deterministic 63-bit hash of the value (not Kusto's xxhash64 values), modulo `mod`.",
)
def hash_(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value = cast(exp.BitwiseRightShift(this=fn("hash", args[0].sql), expression=number(1)), T.LONG)
    if len(args) == 2:
        value = exp.Mod(this=value, expression=long_arg(args[1]))
    return _long(value)


# --- dynamic text helpers used by the string family -----------------------------------------


@register(
    "strcat_array",
    sig="array: dynamic, delimiter: string",
    returns="string",
    doc="The array's elements as text, joined by the delimiter.",
)
def strcat_array(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    items = json_items(args[0].sql)
    texts = exp.Transform(
        this=items,
        expression=lam(
            exp.Coalesce(
                this=fn("json_extract_string", var("_e"), string("$")), expressions=[string("")]
            ),
            "_e",
        ),
    )
    delimiter = text_of(args[1])
    if args[1].is_constant:
        return _string(_not_null_text(fn("array_to_string", texts, delimiter)))
    # DuckDB's array_to_string wants a constant delimiter: a per-row one joins by reduction
    joined = fn(
        "list_reduce",
        texts.copy(),
        lam(
            exp.DPipe(this=exp.DPipe(this=var("_a"), expression=delimiter), expression=var("_b")),
            "_a",
            "_b",
        ),
    )
    empty = exp.EQ(this=fn("len", texts), expression=exp.Literal.number(0))
    return _string(
        _not_null_text(exp.Case(ifs=[exp.If(this=empty, true=string(""))], default=joined))
    )


_CSV_FIELD = r'(?:^|,)("(?:[^"]|"")*"|[^,]*)'


@register(
    "parse_csv",
    sig="csv_text: string",
    returns="dynamic",
    doc="The fields of one comma-separated record, as an array of strings (quotes removed).",
)
def parse_csv(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    fields = fn("regexp_extract_all", text_of(args[0]), string(_CSV_FIELD), number(1))
    f = var("_f")
    quoted = fn("starts_with", f, string('"'))
    inner = exp.Substring(
        this=f.copy(),
        start=number(2),
        length=exp.Sub(this=exp.Length(this=f.copy()), expression=number(2)),
    )
    unquoted = case([(quoted, fn("replace", inner, string('""'), string('"')))], f.copy())
    return Typed(json_list(exp.Transform(this=fields, expression=lam(unquoted, "_f"))), T.DYNAMIC)


@register(
    "translate",
    sig="searchList: string, replacementList: string, source: string",
    returns="string",
    doc="The text with each character of searchList replaced by the one at the same place in "
    "replacementList (its last one past its end; removed when it is empty).",
)
def translate(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    search, replacement, source = (text_of(a) for a in args)
    # DuckDB's translate drops characters past the replacement's end; Kusto repeats its last
    padded = fn(
        "rpad",
        replacement,
        cast(
            fn("greatest", exp.Length(this=search.copy()), exp.Length(this=replacement.copy())),
            T.INT,
        ),
        fn("right", replacement.copy(), number(1)),
    )
    empty = exp.EQ(this=exp.Length(this=replacement.copy()), expression=number(0))
    chosen = case([(empty, replacement.copy())], padded)
    return _string(_not_null_text(fn("translate", source, search, chosen)))


@register(
    "string_size",
    sig="source: string",
    returns="long",
    doc="The size of the text in bytes (UTF-8).",
)
def string_size(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return _long(fn("octet_length", fn("encode", text_of(args[0]))))


@register(
    "isascii",
    sig="value: string",
    returns="bool",
    doc="Whether every character of the text is ASCII.",
)
def isascii(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    return Typed(fn("regexp_full_match", text_of(args[0]), string(r"[\x00-\x7f]*")), T.BOOL)


@register(
    "has_any_index",
    sig="source: string, values: const dynamic",
    returns="long",
    doc="The index in the array of the first value the text `has` (term match, any case), or -1.",
)
def has_any_index(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    from xdrlab.kql.binder.operators import term_match

    values = args[1].value
    if not isinstance(values, list):
        raise diag.argument_type(b.op, call.name, 2, "a dynamic array", "dynamic", call.args[1].pos)
    text = text_of(args[0])
    whens = []
    for i, item in enumerate(values):
        needle = item if isinstance(item, str) else json.dumps(item)
        whens.append((term_match(text.copy(), [needle.lower()], "has", False), number(i)))
    if not whens:
        return constant(T.LONG, -1)
    empty = exp.EQ(this=text.copy(), expression=string(""))
    return _long(case([(empty, number(-1)), *whens], number(-1)))


# a Windows command-line argument: runs of unquoted characters and quoted sections
_ARGUMENT = r'(?:[^\s"]|"[^"]*(?:"|$))+'


@register(
    "parse_command_line",
    sig="command_line: string, parser: const string",
    returns="dynamic",
    doc="The arguments of a Windows command line, as an array (quotes removed; backslash "
    "escapes of quotes are not interpreted).",
)
def parse_command_line(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    parser = const_str(args[1])
    if parser is None or parser.lower() != "windows":
        raise diag.argument_type(b.op, call.name, 2, "'windows'", repr(parser), call.args[1].pos)
    found = fn("regexp_extract_all", text_of(args[0]), string(_ARGUMENT), number(0))
    unquoted = exp.Transform(
        this=found, expression=lam(fn("replace", var("_a"), string('"'), string("")), "_a")
    )
    return Typed(json_list(unquoted), T.DYNAMIC)
