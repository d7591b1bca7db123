"""`$top`, `$skip`, `$count`, unknown options and the next-page link."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from xdrlab.api.odata import (
    ODataError,
    check_options,
    next_link,
    parse_count,
    parse_skip,
    parse_top,
)


def detail(call: object) -> str:
    assert callable(call)
    with pytest.raises(ODataError) as caught:
        call()
    return caught.value.detail


@pytest.mark.parametrize(
    ("raw", "value"), [(None, 50), ("1", 1), ("100", 100), ("007", 7), (" 10", 10)]
)
def test_top(raw: str | None, value: int) -> None:
    assert parse_top(raw, default=50, maximum=100) == value


def test_top_over_the_defender_maximum() -> None:
    assert detail(lambda: parse_top("101", default=100, maximum=100)) == (
        "The limit of '100' for Top query has been exceeded. "
        "The value from the incoming request is '101'."
    )
    huge = "9" * 5000
    assert "for Top query has been exceeded" in detail(
        lambda: parse_top(huge, default=100, maximum=100)
    )


@pytest.mark.parametrize(
    "raw", ["", "abc", "-1", "1.5", "1e3", "+5", "1_000", "\u0663", "\uff11\uff10", "0x10"]
)
def test_top_must_be_digits(raw: str) -> None:
    assert detail(lambda: parse_top(raw, default=10, maximum=100)) == (
        f"Invalid value '{raw}' for $top query option found. "
        "The $top query option requires a positive integer value."
    )


def test_top_zero_is_refused() -> None:
    assert detail(lambda: parse_top("0", default=10, maximum=100)) == (
        "Invalid value '0' for $top query option found. "
        "The $top query option requires a positive integer value."
    )


@pytest.mark.parametrize(("raw", "value"), [(None, 0), ("0", 0), ("250", 250)])
def test_skip(raw: str | None, value: int) -> None:
    assert parse_skip(raw) == value


def test_skip_errors() -> None:
    assert detail(lambda: parse_skip("-5")) == (
        "Invalid value '-5' for $skip query option found. "
        "The $skip query option requires a non-negative integer value."
    )
    assert parse_skip("500", maximum=500) == 500
    assert detail(lambda: parse_skip("501", maximum=500)) == (
        "The limit of '500' for Skip query has been exceeded. "
        "The value from the incoming request is '501'."
    )


def test_count() -> None:
    assert parse_count(None) is False
    assert parse_count("true") is True
    assert parse_count("True") is True
    assert parse_count("false") is False
    assert detail(lambda: parse_count("yes")) == "'yes' is not a valid count option."


def test_unknown_system_query_options() -> None:
    supported = ("$filter", "$top", "$skip")
    check_options({"$filter": "x", "$TOP": "1", "api-version": "2"}, supported=supported)
    assert detail(lambda: check_options({"$orderby": "x"}, supported=supported)) == (
        "The query parameter '$orderby' is not supported."
    )


def test_next_link_replaces_skip_and_keeps_the_rest() -> None:
    params = {
        "$filter": "lastUpdateTime ge 2024-05-01T12:00:00+02:00 and assignedTo eq 'a&b=c'",
        "$top": "100",
        "$skip": "100",
    }
    link = next_link("https://api.security.microsoft.com/api/incidents", params, 200)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://api.security.microsoft.com/api/incidents"
    )
    assert parse_qsl(parts.query) == [
        ("$filter", params["$filter"]),
        ("$top", "100"),
        ("$skip", "200"),
    ]
    assert "%2B02:00" in link  # a literal + survives the trip
    assert "%20" in link and "+" not in parts.query


def test_next_link_adds_skip() -> None:
    assert next_link("https://h/api/incidents", {"$top": "10"}, 10) == (
        "https://h/api/incidents?$top=10&$skip=10"
    )
    assert next_link("https://h/api/incidents", {"$SKIP": "5"}, 15) == (
        "https://h/api/incidents?$skip=15"
    )
