"""`make-series`: bins from/to/step, defaults for missing bins, several aggregates, by keys."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake, json_value
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import NOT_AGGREGATE, SYNTAX_ERROR, TYPE_MISMATCH, UNSUPPORTED_FEATURE

DAYS = ["2024-04-28T00:00:00Z", "2024-04-29T00:00:00Z", "2024-04-30T00:00:00Z"]


@pytest.fixture
def mail(lake: Lake) -> Lake:
    lake.insert(
        "EmailEvents",
        [
            {
                "SenderFromDomain": "a.com",
                "Timestamp": datetime(2024, 4, 29, 5),
                "AttachmentCount": 2,
            },
            {
                "SenderFromDomain": "a.com",
                "Timestamp": datetime(2024, 4, 29, 6),
                "AttachmentCount": 4,
            },
            {
                "SenderFromDomain": "b.com",
                "Timestamp": datetime(2024, 4, 30, 23),
                "AttachmentCount": 1,
            },
            # outside the range: ignored
            {"SenderFromDomain": "b.com", "Timestamp": datetime(2024, 3, 1), "AttachmentCount": 9},
            {"SenderFromDomain": "c.com", "Timestamp": datetime(2024, 5, 1), "AttachmentCount": 9},
        ],
    )
    return lake


def decoded(lake: Lake, kql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    r = lake.run(kql)
    assert all(
        c.type.value == "dynamic" for c in r.compiled.columns if c.name != "SenderFromDomain"
    )
    rows = [
        tuple(json_value(v) if t == "JSON" else v for v, t in zip(row, r.types, strict=True))
        for row in r.rows
    ]
    return r.names, sorted(rows, key=repr)


def test_series_per_group_with_defaults(mail: Lake) -> None:
    names, rows = decoded(
        mail,
        "EmailEvents | make-series MailCount = count() default=-1, avg(AttachmentCount),"
        " Largest = max(AttachmentCount) on Timestamp"
        " from datetime(2024-04-28) to datetime(2024-05-01) step 1d by SenderFromDomain",
    )
    assert names == ["SenderFromDomain", "MailCount", "avg_AttachmentCount", "Largest", "Timestamp"]
    assert rows == [
        ("a.com", [-1, 2, -1], [0, 3.0, 0], [0, 4, 0], DAYS),
        ("b.com", [-1, -1, 1], [0, 0, 1.0], [0, 0, 1], DAYS),
    ]


def test_without_by_and_range_syntax(mail: Lake) -> None:
    names, rows = decoded(
        mail,
        "EmailEvents | make-series count() on Timestamp"
        " in range(datetime(2024-04-28), datetime(2024-05-01), 1d)",
    )
    assert names == ["count_", "Timestamp"]
    assert rows == [([0, 2, 1], DAYS)]


def test_partial_last_bin_and_hours(mail: Lake) -> None:
    _, rows = decoded(
        mail,
        "EmailEvents | where SenderFromDomain == 'a.com'"
        " | make-series n = count() on Timestamp"
        " from datetime(2024-04-29 04:00) to datetime(2024-04-29 06:30) step 1h",
    )
    assert rows == [
        ([0, 1, 1], ["2024-04-29T04:00:00Z", "2024-04-29T05:00:00Z", "2024-04-29T06:00:00Z"])
    ]


def test_relative_range_and_mv_expand_back(mail: Lake) -> None:
    r = mail.run(
        "EmailEvents | make-series MailCount = count() on Timestamp from ago(3d) to now() step 1d"
        " by SenderFromDomain"
        " | mv-expand MailCount to typeof(long), Timestamp to typeof(datetime)"
        " | where MailCount > 0 | project SenderFromDomain, Timestamp, MailCount"
        " | sort by SenderFromDomain asc"
    )
    # now() is 2024-05-01 12:00: bins start at 12:00 of 04-28, 04-29, 04-30
    assert r.rows == [
        ("a.com", datetime(2024, 4, 28, 12), 2),
        ("b.com", datetime(2024, 4, 30, 12), 1),
        ("c.com", datetime(2024, 4, 30, 12), 1),
    ]
    assert [c.type.value for c in r.compiled.columns] == ["string", "datetime", "long"]


def test_empty_input_gives_no_series(mail: Lake) -> None:
    r = mail.run(
        "EmailEvents | where SenderFromDomain == 'none' | make-series count() on Timestamp"
        " from datetime(2024-04-28) to datetime(2024-05-01) step 1d"
    )
    assert r.rows == []


@pytest.mark.parametrize(
    ("kql", "code", "line", "column"),
    [
        ("EmailEvents | make-series count() on Timestamp step 1d", UNSUPPORTED_FEATURE, 1, 38),
        (
            "EmailEvents\n| make-series AttachmentCount on Timestamp from ago(1d) to now() step 1h",
            NOT_AGGREGATE,
            2,
            15,
        ),
        (
            "EmailEvents | make-series count() on Timestamp from 1 to 2 step 1h",
            TYPE_MISMATCH,
            1,
            53,
        ),
        (
            "EmailEvents | make-series count() on Subject from ago(1d) to now() step 1h",
            TYPE_MISMATCH,
            1,
            38,
        ),
        ("EmailEvents | make-series count() on Timestamp from ago(1d)", SYNTAX_ERROR, 1, 60),
    ],
)
def test_diagnostics(lake: Lake, kql: str, code: str, line: int, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(kql)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (code, line, column)
