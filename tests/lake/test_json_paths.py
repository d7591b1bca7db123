"""JSON Lines blocks read by Arrow and line by line by Python's json give the same rows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from xdrlab.lake.ingest import check_batch
from xdrlab.lake.readers import _arrow_block, read_json_lines
from xdrlab.lake.schema import hunting_table

ROWS: list[dict[str, Any]] = [
    {
        "Timestamp": "2024-05-01T12:34:56.1234567Z",
        "ActionType": 'ö \u2603 "quoted"',
        "ApplicationId": 2147483647,
        "IsAdminOperation": True,
        "RawEventData": '{"nested": [1, {"a": null}]}',
        "AdditionalFields": "plain",
    },
    {"Timestamp": "2024-05-01T14:00:00+02:00", "ApplicationId": None, "RawEventData": None},
    {"Timestamp": "2024-05-02", "IsAdminOperation": False, "Unknown": None},
    {"Timestamp": "", "ApplicationId": 2147483648},  # problems: both paths must report them
    {"Timestamp": "2024-05-03T00:00:00Z", "IPTags": '["a"]'},
]


@pytest.mark.parametrize("lines", [ROWS, ROWS[:3]])
def test_arrow_and_python_blocks_agree(lines: list[dict[str, Any]]) -> None:
    table = hunting_table("CloudAppEvents")
    assert table is not None
    raw = [json.dumps(row).encode() + b"\n" for row in lines]
    assert _arrow_block(raw, 1, table) is not None  # the fast path takes this block
    fast = [check_batch(table, batch) for batch in read_json_lines(raw, table)]
    slow = [check_batch(table, batch) for batch in read_json_lines(raw, None)]
    assert len(fast) == len(slow) == 1
    (fast_rows, fast_problems, fast_rejected), (slow_rows, slow_problems, slow_rejected) = (
        fast[0],
        slow[0],
    )
    assert fast_rows.equals(slow_rows)
    assert fast_problems == slow_problems
    assert fast_rejected == slow_rejected


@pytest.mark.parametrize(
    "lines",
    [
        [b'{"Timestamp": "2024-05-01T00:00:00Z"}\n', b"\n"],  # blank line
        [b'{"Timestamp": "2024-05-01T00:00:00Z"}{"Timestamp": "2024-05-01T00:00:00Z"}\n'],
        [b'{"Timestamp": "2024-05-01T00:00:00Z", "ApplicationId": 1.0}\n'],
        [b'{"Timestamp": "2024-05-01T00:00:00Z", "ActionType": 5}\n'],
        [b'{"Timestamp": "2024-05-01T00:00:00Z", "RawEventData": {"a": 1}}\n'],
        [b'{"Timestamp": "2024-05-01T00:00:00Z", "RawEventData": 1}\n'],
        [b"[1, 2]\n"],
    ],
)
def test_blocks_arrow_would_read_differently_go_line_by_line(lines: list[bytes]) -> None:
    table = hunting_table("CloudAppEvents")
    assert table is not None
    assert _arrow_block(lines, 1, table) is None
