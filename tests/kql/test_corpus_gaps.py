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


# --- series_decompose_anomalies --------------------------------------------------------------


def _series(lake: Lake, values: str, call: str) -> list[tuple[object, ...]]:
    r = lake.run(
        f"datatable(y:dynamic)[dynamic({values})]"
        f" | extend (flag, score, baseline) = {call} | project flag, score, baseline"
    )
    return [tuple(json_value(v) for v in row) for row in r.rows]


def test_decompose_anomalies_average_trend_and_tukey_score(lake: Lake) -> None:
    # baseline = avg = 1.8; residuals -0.8 (x9) and 7.2; 10th/90th percentiles -0.8 and 0.0,
    # so the spike scores (7.2 - 0.0) / 0.8 = 9 and is flagged.
    rows = _series(lake, "[1,1,1,1,1,1,1,1,1,9]", "series_decompose_anomalies(y, 1.5, 0, 'avg')")
    flag, score, baseline = rows[0]
    assert flag == [0] * 9 + [1]
    assert score == pytest.approx([0.0] * 9 + [9.0])
    assert baseline == pytest.approx([1.8] * 10)


def test_decompose_anomalies_fixed_season_is_the_median_per_phase(lake: Lake) -> None:
    rows = _series(lake, "[0,10,0,10,0,12,0,10]", "series_decompose_anomalies(y, 1.5, 2, 'none')")
    flag, _score, baseline = rows[0]
    assert baseline == pytest.approx([0, 10] * 4)
    assert flag == [0, 0, 0, 0, 0, 1, 0, 0]


def test_decompose_anomalies_detects_the_season(lake: Lake) -> None:
    # lag 2 autocorrelation 350/400 >= 0.6: period 2, baseline is the series itself
    rows = _series(
        lake, "[0,10,0,10,0,10,0,10,0,10,0,10,0,10,0,10]", "series_decompose_anomalies(y)"
    )
    flag, score, baseline = rows[0]
    assert baseline == pytest.approx([0, 10] * 8)
    assert flag == [0] * 16 and score == [0.0] * 16


def test_decompose_anomalies_linefit(lake: Lake) -> None:
    rows = _series(lake, "[1,3,5,7,9]", "series_decompose_anomalies(y, 1.5, 0, 'linefit')")
    assert rows[0][2] == pytest.approx([1, 3, 5, 7, 9])
    assert rows[0][0] == [0] * 5


def test_decompose_anomalies_of_no_series_is_null(lake: Lake) -> None:
    assert _series(lake, "null", "series_decompose_anomalies(y)") == [(None, None, None)]


def test_decompose_anomalies_default_names_and_mv_expand(lake: Lake) -> None:
    r = lake.run(
        "datatable(y:dynamic)[dynamic([1,1,1,1,1,1,1,1,1,9])]"
        " | extend series_decompose_anomalies(y, 1.5, 0)"
        " | mv-expand y to typeof(long), f = series_decompose_anomalies_y_ad_flag to typeof(long)"
        " | where f != 0 | project y, f"
    )
    assert r.rows == [(9, 1)]


def test_decompose_anomalies_inside_an_expression_is_refused(lake: Lake) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile("datatable(y:dynamic)[] | extend z = tostring(series_decompose_anomalies(y))")
    assert e.value.diagnostic.code == "KQL_UNSUPPORTED_FEATURE"
    with pytest.raises(KqlError) as e:
        lake.compile("datatable(y:dynamic)[] | extend (a, b, c, d) = series_decompose_anomalies(y)")
    assert e.value.diagnostic.code == "KQL_TYPE_MISMATCH"
