"""IPv4 functions: parse_ipv4, ipv4_is_private, ipv4_is_in_range, ipv4_is_match, ipv4_compare.

An address is parsed in SQL into its 32-bit number; text that is not a dotted quad (each part
0..255, optional `/prefix` 0..32) gives null, and so does every function reading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from xdrlab.kql.binder.convert import case
from xdrlab.kql.binder.types import T, Typed, cast, fn, number, string
from xdrlab.kql.functions.common import lam, long_arg, text_of, var
from xdrlab.kql.functions.registry import register
from xdrlab.kql.syntax import nodes as n

if TYPE_CHECKING:
    from xdrlab.kql.binder.scalar import Binder

_IPV4 = r"^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\s*(?:/\s*(\d{1,2})\s*)?$"
_FIELDS = ["a", "b", "c", "d", "m"]


def _parts(text: exp.Expr) -> exp.Expr:
    return fn(
        "regexp_extract",
        text,
        string(_IPV4),
        exp.Array(expressions=[string(f) for f in _FIELDS]),
    )


def _field(parts: exp.Expr, name: str) -> exp.Expr:
    return exp.Dot(this=exp.Paren(this=parts.copy()), expression=exp.to_identifier(name))


def _address(text: exp.Expr) -> tuple[exp.Expr, exp.Expr]:
    """(number, prefix length) of an IPv4 address text: both null when it is not one."""
    parts = _parts(text)
    octets = [exp.TryCast(this=_field(parts, f), to=exp.DataType.build("BIGINT")) for f in "abcd"]
    valid: exp.Expr = exp.NEQ(this=_field(parts, "a"), expression=string(""))
    for octet in octets:
        valid = exp.And(this=valid, expression=exp.LTE(this=octet.copy(), expression=number(255)))
    mask_text = _field(parts, "m")
    mask = case(
        [(exp.EQ(this=mask_text, expression=string("")), number(32))],
        exp.TryCast(this=mask_text.copy(), to=exp.DataType.build("BIGINT")),
    )
    valid = exp.And(this=valid, expression=exp.LTE(this=mask.copy(), expression=number(32)))
    value: exp.Expr = number(0)
    for i, octet in enumerate(octets):
        value = exp.Add(
            this=value, expression=exp.Mul(this=octet, expression=number(256 ** (3 - i)))
        )
    null = cast(exp.Null(), T.LONG)
    return case([(valid, value)], null), case([(valid.copy(), mask)], null.copy())


def _masked(value: exp.Expr, bits: exp.Expr) -> exp.Expr:
    """The address with only its first `bits` bits (0..32) kept."""
    shift = exp.Sub(this=number(32), expression=bits)
    return exp.BitwiseLeftShift(
        this=exp.BitwiseRightShift(this=value, expression=shift), expression=shift.copy()
    )


@register(
    "parse_ipv4",
    sig="ip: string",
    returns="long",
    doc="The IPv4 address (optionally with /prefix, which masks it) as a number, or null.",
)
def parse_ipv4(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value, bits = _address(text_of(args[0]))
    return Typed(cast(_masked(value, bits), T.LONG), T.LONG)


_PRIVATE = [("10.0.0.0", 8), ("172.16.0.0", 12), ("192.168.0.0", 16)]


def _number(ip: str) -> int:
    a, b, c, d = (int(x) for x in ip.split("."))
    return ((a * 256 + b) * 256 + c) * 256 + d


@register(
    "ipv4_is_private",
    sig="ip: string",
    returns="bool",
    doc="Whether the IPv4 address is in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.",
)
def ipv4_is_private(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    value, _bits = _address(text_of(args[0]))
    checks: exp.Expr | None = None
    for network, size in _PRIVATE:
        hit = exp.EQ(this=_masked(value.copy(), number(size)), expression=number(_number(network)))
        checks = hit if checks is None else exp.Or(this=checks, expression=hit)
    assert checks is not None
    return Typed(case([(exp.Is(this=value, expression=exp.Null()), exp.Null())], checks), T.BOOL)


def _compare_under(left: Typed, right: Typed, prefix: Typed | None) -> tuple[exp.Expr, exp.Expr]:
    """Both addresses masked to the shortest of their prefixes (and the explicit one)."""
    a, a_bits = _address(text_of(left))
    c, c_bits = _address(text_of(right))
    bits = fn("least", a_bits, c_bits)
    if prefix is not None:
        bits = fn("least", bits, long_arg(prefix))
    return _masked(a, bits), _masked(c, bits.copy())


@register(
    "ipv4_is_in_range",
    sig="ip: string, range: string",
    returns="bool",
    doc="Whether the IPv4 address is in the range (an address or a CIDR block).",
)
def ipv4_is_in_range(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    a, _ = _address(text_of(args[0]))
    r, r_bits = _address(text_of(args[1]))
    return Typed(exp.EQ(this=_masked(a, r_bits), expression=_masked(r, r_bits.copy())), T.BOOL)


@register(
    "ipv4_is_in_any_range",
    sig="ip: string, range: string|dynamic...",
    args=(2, 64),
    returns="bool",
    doc="Whether the IPv4 address is in any of the ranges (strings or arrays of strings).",
)
def ipv4_is_in_any_range(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    a, _ = _address(text_of(args[0]))
    ranges: list[exp.Expr] = []
    for r in args[1:]:
        if r.type is T.DYNAMIC:
            ranges.append(fn("json_transform", r.sql, string('["VARCHAR"]')))
        else:
            ranges.append(exp.Array(expressions=[text_of(r)]))
    every = fn("flatten", exp.Array(expressions=ranges))
    r_value, r_bits = _address(var("_r"))
    hit = exp.EQ(this=_masked(a, r_bits), expression=_masked(r_value, r_bits.copy()))
    hits = fn("list_filter", every, lam(hit, "_r"))
    return Typed(exp.GT(this=fn("len", hits), expression=number(0)), T.BOOL)


@register(
    "ipv4_is_match",
    sig="ip1: string, ip2: string, [prefix: long]",
    returns="bool",
    doc="Whether two IPv4 addresses are equal under their (or the given) prefix lengths.",
)
def ipv4_is_match(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    left, right = _compare_under(args[0], args[1], args[2] if len(args) == 3 else None)
    return Typed(exp.EQ(this=left, expression=right), T.BOOL)


@register(
    "ipv4_compare",
    sig="ip1: string, ip2: string, [prefix: long]",
    returns="int",
    doc="-1, 0 or 1 as the first IPv4 address is below, equal to or above the second.",
)
def ipv4_compare(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    left, right = _compare_under(args[0], args[1], args[2] if len(args) == 3 else None)
    sql = fn("sign", exp.Sub(this=left, expression=right))
    return Typed(cast(sql, T.INT), T.INT)


@register(
    "ipv4_netmask_suffix",
    sig="ip: string",
    returns="int",
    doc="The prefix length of an IPv4 address with /prefix (32 without one).",
)
def ipv4_netmask_suffix(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    _, bits = _address(text_of(args[0]))
    return Typed(cast(bits, T.INT), T.INT)


@register(
    "format_ipv4",
    sig="ip: string|long, [prefix: long]",
    returns="string",
    doc="The IPv4 address (text or number) as a dotted quad, masked by the prefix.",
)
def format_ipv4(b: Binder, call: n.Call, args: list[Typed]) -> Typed:
    v = args[0]
    if v.type in (T.INT, T.LONG):
        value: exp.Expr = cast(v.sql, T.LONG)
        bits: exp.Expr = number(32)
        value = case(
            [
                (
                    exp.Or(
                        this=exp.LT(this=value, expression=number(0)),
                        expression=exp.GT(this=value.copy(), expression=number(2**32 - 1)),
                    ),
                    exp.Null(),
                )
            ],
            value.copy(),
        )
    else:
        value, bits = _address(text_of(v))
    if len(args) == 2:
        bits = fn("least", bits, long_arg(args[1]))
    masked = _masked(value, bits)
    octets = [
        cast(
            exp.BitwiseAnd(
                this=exp.BitwiseRightShift(this=masked.copy(), expression=number(shift)),
                expression=number(255),
            ),
            T.STRING,
        )
        for shift in (24, 16, 8, 0)
    ]
    text = fn("concat_ws", string("."), *octets)
    return Typed(exp.Coalesce(this=text, expressions=[string("")]), T.STRING)
