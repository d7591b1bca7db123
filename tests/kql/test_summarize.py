"""summarize: aggregates checked against hand-computed values, Kusto's names and types."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake, json_value

T1 = datetime(2024, 5, 1, 1)
T2 = datetime(2024, 5, 1, 2)
T3 = datetime(2024, 5, 1, 3)


@pytest.fixture
def files(lake: Lake) -> Lake:
    lake.insert(
        "DeviceFileEvents",
        [
            {
                "Timestamp": T1,
                "DeviceName": "pc1",
                "FileName": "a.exe",
                "FileSize": 100,
                "ActionType": "FileCreated",
            },
            {
                "Timestamp": T2,
                "DeviceName": "pc1",
                "FileName": "b.exe",
                "FileSize": 300,
                "ActionType": "FileCreated",
            },
            {
                "Timestamp": T3,
                "DeviceName": "pc1",
                "FileName": "a.exe",
                "FileSize": 200,
                "ActionType": "FileDeleted",
            },
            {
                "Timestamp": T2,
                "DeviceName": "pc2",
                "FileName": "c.dll",
                "FileSize": 50,
                "ActionType": "FileCreated",
            },
            {
                "Timestamp": T1,
                "DeviceName": "pc3",
                "FileName": "d.txt",
                "ActionType": "FileCreated",
            },
        ],
    )
    return lake


def by_device(r: object) -> list[dict[str, object]]:
    rows = r.dicts  # type: ignore[attr-defined]
    return sorted(rows, key=lambda row: str(row["DeviceName"]))


def test_several_aggregates_names_and_types(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | summarize count(), dcount(FileName), sum(FileSize), avg(FileSize),"
        " min(Timestamp), max(Timestamp), countif(ActionType == 'FileDeleted'),"
        " dcountif(FileName, FileSize > 100), make_set(FileName), makelist(ActionType), any(FileName)"
        " by DeviceName"
    )
    assert r.names == [
        "DeviceName",
        "count_",
        "dcount_FileName",
        "sum_FileSize",
        "avg_FileSize",
        "min_Timestamp",
        "max_Timestamp",
        "countif_",
        "dcountif_FileName",
        "set_FileName",
        "list_ActionType",
        "any_FileName",
    ]
    assert [c.type.value for c in r.compiled.columns] == [
        "string",
        "long",
        "long",
        "long",
        "real",
        "datetime",
        "datetime",
        "long",
        "long",
        "dynamic",
        "dynamic",
        "string",
    ]
    rows = by_device(r)
    pc1, pc2, pc3 = rows
    assert (pc1["count_"], pc1["dcount_FileName"], pc1["sum_FileSize"], pc1["avg_FileSize"]) == (
        3,
        2,
        600,
        200.0,
    )
    assert (pc1["min_Timestamp"], pc1["max_Timestamp"]) == (T1, T3)
    assert (pc1["countif_"], pc1["dcountif_FileName"]) == (1, 2)
    assert sorted(json_value(pc1["set_FileName"])) == ["a.exe", "b.exe"]
    assert sorted(json_value(pc1["list_ActionType"])) == [
        "FileCreated",
        "FileCreated",
        "FileDeleted",
    ]
    assert pc1["any_FileName"] in ("a.exe", "b.exe")
    assert (pc2["count_"], pc2["sum_FileSize"], pc2["countif_"], pc2["dcountif_FileName"]) == (
        1,
        50,
        0,
        0,
    )
    assert pc3["sum_FileSize"] is None and pc3["avg_FileSize"] is None
    assert isinstance(pc1["count_"], int) and isinstance(pc1["sum_FileSize"], int)


def test_summarize_without_by_returns_one_row_on_empty_input(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | where DeviceName == 'nobody' | summarize n = count(), d = dcount(FileName),"
        " s = make_set(FileName)"
    )
    assert r.rows == [(0, 0, "[]")]


def test_named_aggregates_and_expressions(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | summarize Total = count(), Big = countif(FileSize >= 200), Ratio = todouble(countif(FileSize >= 200)) / count(),"
        " Files = make_set(FileName, 1) by Device = DeviceName | where Total > 1"
    )
    assert r.names == ["Device", "Total", "Big", "Ratio", "Files"]
    assert r.rows[0][:4] == ("pc1", 3, 2, 2 / 3)
    assert len(json_value(r.rows[0][4])) == 1


def test_arg_max_star(files: Lake) -> None:
    r = files.run("DeviceFileEvents | summarize arg_max(Timestamp, *) by DeviceName")
    columns = [c.name for c in files.tables["DeviceFileEvents"].columns]
    assert r.names[:2] == ["DeviceName", "Timestamp"]
    assert sorted(r.names) == sorted(columns)
    assert len(r.names) == len(columns)
    rows = by_device(r)
    assert [(row["DeviceName"], row["Timestamp"], row["FileName"]) for row in rows] == [
        ("pc1", T3, "a.exe"),
        ("pc2", T2, "c.dll"),
        ("pc3", T1, "d.txt"),
    ]
    types = {c.name: c.type for c in r.compiled.columns}
    assert types["FileSize"].value == "long"


def test_arg_min_with_columns_and_expression(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | where isnotnull(FileSize) | summarize arg_min(FileSize, FileName, ActionType, tolower(FileName)) by DeviceName"
    )
    assert r.names == ["DeviceName", "FileSize", "FileName", "ActionType", "min_FileSize_arg3"]
    rows = by_device(r)
    assert [tuple(row.values()) for row in rows] == [
        ("pc1", 100, "a.exe", "FileCreated", "a.exe"),
        ("pc2", 50, "c.dll", "FileCreated", "c.dll"),
    ]


@pytest.mark.parametrize("function", ["arg_max", "arg_min"])
def test_arg_max_columns_come_from_one_row_among_ties(lake: Lake, function: str) -> None:
    """Every row of a group ties on the key, across many row groups read by several threads,
    and some values are null: each result row must still be one input row."""
    lake.create("DeviceFileEvents")
    lake.con.execute("SET threads = 4")
    lake.con.execute(
        """INSERT INTO "DeviceFileEvents" ("Timestamp", "DeviceName", "FileName", "SHA1",
             "FileSize")
           SELECT TIMESTAMP '2024-05-01', 'pc' || (i % 3), 'f' || i,
             CASE WHEN i % 5 = 0 THEN NULL ELSE 's' || i END, CASE WHEN i % 7 = 0 THEN NULL ELSE i END
           FROM range(600000) AS r(i)"""
    )
    r = lake.run(
        f"DeviceFileEvents | summarize {function}(Timestamp, FileName, SHA1, FileSize) by DeviceName"
    )
    assert len(r.rows) == 3
    for device, _, file_name, sha1, size in r.rows:
        i = int(file_name[1:])
        assert device == f"pc{i % 3}"
        assert sha1 == (None if i % 5 == 0 else f"s{i}")
        assert size == (None if i % 7 == 0 else i)


def test_take_any_and_duplicate_names(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | where DeviceName == 'pc2' | summarize take_any(FileName), count(), count()"
    )
    assert r.names == ["FileName", "count_", "count_1"]
    assert r.rows == [("c.dll", 1, 1)]


def test_summarize_by_several_keys_then_top(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | summarize Count = count() by DeviceName, ActionType | top 2 by Count desc"
    )
    assert r.rows[0] == ("pc1", "FileCreated", 2)
    assert len(r.rows) == 2


def test_summarize_by_unnamed_expression(files: Lake) -> None:
    r = files.run(
        "DeviceFileEvents | summarize count() by tolower(DeviceName), strlen(FileName) | sort by Column1 asc, Column2 asc"
    )
    assert r.names == ["Column1", "Column2", "count_"]
    assert r.rows[0] == ("pc1", 5, 3)


def test_distinct_and_count(files: Lake) -> None:
    r = files.run("DeviceFileEvents | distinct DeviceName | sort by DeviceName asc")
    assert r.rows == [("pc1",), ("pc2",), ("pc3",)]
    r = files.run("DeviceFileEvents | where FileSize > 60 | count")
    assert r.names == ["Count"] and r.rows == [(3,)]
    assert r.compiled.columns[0].type.value == "long"
    r = files.run("DeviceFileEvents | distinct DeviceName, ActionType | count")
    assert r.rows == [(4,)]
    r = files.run("DeviceFileEvents | take 2 | count")
    assert r.rows == [(2,)]
