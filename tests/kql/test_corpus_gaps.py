"""Constructs added to run the public hunting corpus: each checked against a hand-written table."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake, json_value
from xdrlab.kql import KqlError

T1 = datetime(2024, 5, 1, 1)
T2 = datetime(2024, 5, 1, 2)
T3 = datetime(2024, 5, 1, 3)


@pytest.fixture
def files(lake: Lake) -> Lake:
    lake.insert(
        "DeviceFileEvents",
        [
            {"Timestamp": T1, "DeviceName": "pc1", "FileName": "a.exe", "FileSize": 100},
            {"Timestamp": T3, "DeviceName": "pc1", "FileName": "b.exe", "FileSize": 300},
            {"Timestamp": T2, "DeviceName": "pc2", "FileName": "c.exe", "FileSize": 200},
        ],
    )
    return lake


# --- (A, B) = arg_max(...): naming the columns of a several-column aggregate -----------------


def test_tuple_names_for_arg_max(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents"
        " | summarize (Last, LastFile) = arg_max(Timestamp, FileName), n = count() by DeviceName"
        " | sort by DeviceName asc"
    )
    assert r.names == ["DeviceName", "Last", "LastFile", "n"]
    assert r.rows == [("pc1", T3, "b.exe", 2), ("pc2", T2, "c.exe", 1)]


def test_tuple_names_name_the_first_columns_only(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | summarize (First) = arg_min(Timestamp, FileName, FileSize)"
        " by DeviceName | sort by DeviceName asc"
    )
    assert r.names == ["DeviceName", "First", "FileName", "FileSize"]
    assert r.rows == [("pc1", T1, "a.exe", 100), ("pc2", T2, "c.exe", 200)]


def test_single_name_for_arg_max_names_its_key(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | summarize Latest = arg_max(Timestamp, FileName) by DeviceName"
        " | sort by DeviceName asc"
    )
    assert r.names == ["DeviceName", "Latest", "FileName"]
    assert r.rows == [("pc1", T3, "b.exe"), ("pc2", T2, "c.exe")]


def test_too_many_tuple_names_are_refused(files: Lake) -> None:
    with pytest.raises(KqlError) as e:
        files.compile("DeviceFileEvents | summarize (a, b, c) = arg_max(Timestamp, FileName)")
    assert e.value.diagnostic.code == "KQL_TYPE_MISMATCH"
    assert (e.value.diagnostic.line, e.value.diagnostic.column) == (1, 30)
    with pytest.raises(KqlError) as e:
        files.compile("DeviceFileEvents | summarize (a, b) = count()")
    assert e.value.diagnostic.code == "KQL_TYPE_MISMATCH"


def test_tuple_assignment_elsewhere_is_refused(files: Lake) -> None:
    with pytest.raises(KqlError) as e:
        files.compile("DeviceFileEvents | project (a, b) = FileName")
    assert e.value.diagnostic.code == "KQL_UNSUPPORTED_FEATURE"


def test_parenthesised_comparison_is_not_a_tuple_assignment(files: Lake) -> None:
    r = files.run("DeviceFileEvents | extend x = (FileSize) == 100 | where x | project FileName")
    assert r.rows == [("a.exe",)]


# --- indexing a dynamic value with a key computed per row ------------------------------------


def test_index_computed_per_row(lake: Lake) -> None:
    r = lake.run(
        "datatable(a:dynamic, b:dynamic, i:long, k:string)["
        ' dynamic([10,20,30]), dynamic({"x":{"y":5}}), -1, "x",'
        ' dynamic([10,20,30]), dynamic({"z":7}), 0, "z",'
        ' dynamic([10,20,30]), dynamic({"z":7}), 5, "nope"]'
        " | project c = a[i], d = a[i + 1], e = b[k].y, f = b[k]"
    )
    assert [tuple(json_value(v) for v in row) for row in r.rows] == [
        (30, 10, 5, {"y": 5}),
        (10, 20, None, 7),
        (None, None, None, None),
    ]
