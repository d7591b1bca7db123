"""Dynamic (JSON) functions, with hand-written expected values.

The input value sits in a dynamic column (`d`) so the SQL path runs, not constant folding.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.kql.conftest import Lake

NOTHING = object()


def one(lake: Lake, expr: str, d: Any = NOTHING) -> tuple[Any, str]:
    """The value and Kusto type of `expr` on one row whose dynamic column `d` holds `d`."""
    row: dict[str, Any] = {"Application": "app", "ApplicationId": 7}
    if d is not NOTHING:
        row["ActivityObjects"] = json.dumps(d)
    lake.insert("CloudAppEvents", [row])
    r = lake.run(f"CloudAppEvents | extend d = ActivityObjects | project x = {expr}")
    assert len(r.rows) == 1
    value = r.rows[0][0]
    kind = r.compiled.columns[0].type.value
    if kind == "dynamic" and value is not None:
        value = json.loads(value)
    return value, kind


CASES: list[tuple[str, Any, Any, str]] = [
    # expr, d, expected, type
    ("parse_json(tostring(d))", {"a": [1, 2]}, {"a": [1, 2]}, "dynamic"),
    ("parse_json('not json')", None, "not json", "dynamic"),
    ("todynamic(Application)", None, "app", "dynamic"),
    ("parsejson('[1]')[0]", None, 1, "dynamic"),
    ("tostring(d)", {"a": 1}, '{"a":1}', "string"),
    ("tostring(d.a)", {"a": "x"}, "x", "string"),
    ("tostring(d.missing)", {"a": "x"}, "", "string"),
    ("d[1]", [10, 20], 20, "dynamic"),
    ("d[-1]", [10, 20], 20, "dynamic"),
    ("isnull(d[5])", [10, 20], True, "bool"),
    ("d['a b']", {"a b": 3}, 3, "dynamic"),
    ("array_length(d)", [1, 2, 3], 3, "long"),
    ("array_length(d)", [], 0, "long"),
    ("array_length(d)", {"a": 1}, None, "long"),
    ("array_length(d)", "text", None, "long"),
    ("pack_array(Application, ApplicationId, d)", [1], ["app", 7, [1]], "dynamic"),
    ("pack('k', Application, 'n', ApplicationId)", None, {"k": "app", "n": 7}, "dynamic"),
    ("bag_pack('t', datetime(2024-01-02))", None, {"t": "2024-01-02T00:00:00Z"}, "dynamic"),
    ("bag_keys(d)", {"a": 1, "b": {"c": 2}}, ["a", "b"], "dynamic"),
    ("bag_keys(d)", [1], None, "dynamic"),
    ("bag_has_key(d, 'b')", {"a": 1, "b": 2}, True, "bool"),
    ("bag_has_key(d, 'z')", {"a": 1}, False, "bool"),
    (
        "bag_merge(d, dynamic({'a': 9, 'c': 3}))",
        {"a": 1, "b": 2},
        {"a": 1, "b": 2, "c": 3},
        "dynamic",
    ),
    ("bag_merge(d, dynamic({'b': 1}))", {"a": None}, {"a": None, "b": 1}, "dynamic"),
    (
        "bag_remove_keys(d, dynamic(['a', 'c']))",
        {"a": 1, "b": 2, "c": {"d": 1}},
        {"b": 2},
        "dynamic",
    ),
    ("bag_remove_keys(d, dynamic(['a']))", [1], None, "dynamic"),
    ("array_index_of(d, 'b')", ["a", "b", "c"], 1, "long"),
    ("array_index_of(d, 'z')", ["a", "b"], -1, "long"),
    ("array_index_of(d, 2)", [1, 2, 3], 1, "long"),
    ("array_index_of(d, 'a', 1)", ["a", "b", "a"], 2, "long"),
    ("array_index_of(d, 'a', 0, -1, 2)", ["a", "b", "a"], 2, "long"),
    ("array_index_of(d, 'a')", {"a": 1}, None, "long"),
    ("set_has_element(d, 'b')", ["a", "b"], True, "bool"),
    ("set_has_element(d, 3)", [1, 2], False, "bool"),
    ("set_union(d, dynamic([3, 4, 1]))", [1, 2, 2], [1, 2, 3, 4], "dynamic"),
    ("set_union(d, dynamic(['a']), dynamic(['b', 'a']))", ["a"], ["a", "b"], "dynamic"),
    ("set_intersect(d, dynamic([3, 1, 7]))", [1, 2, 3, 1], [1, 3], "dynamic"),
    ("set_difference(d, dynamic([2]), dynamic([4]))", [1, 2, 3, 4, 1], [1, 3], "dynamic"),
    ("set_difference(d, dynamic([1]))", {"a": 1}, None, "dynamic"),
    ("array_concat(d, dynamic([3, [4]]))", [1, 2], [1, 2, 3, [4]], "dynamic"),
    ("array_concat(d, dynamic({}))", [1], None, "dynamic"),
    ("array_slice(d, 1, 2)", [1, 2, 3, 4], [2, 3], "dynamic"),
    ("array_slice(d, -2, -1)", [1, 2, 3, 4], [3, 4], "dynamic"),
    ("array_slice(d, 2, 10)", [1, 2, 3, 4], [3, 4], "dynamic"),
    ("array_slice(d, 3, 1)", [1, 2, 3, 4], [], "dynamic"),
    ("array_reverse(d)", [1, "a"], ["a", 1], "dynamic"),
    ("array_sum(d)", [1, 2.5], 3.5, "real"),
    ("strcat_array(d, '|')", ["a", 1], "a|1", "string"),
    ("zip(d, dynamic(['x', 'y']))", [1, 2, 3], [[1, "x"], [2, "y"], [3, None]], "dynamic"),
    ("range(1, 8, 3)", None, [1, 4, 7], "dynamic"),
    ("range(3, 1)", None, [], "dynamic"),
    ("extract_json('$.a.b', tostring(d))", {"a": {"b": "x"}}, "x", "string"),
    ("extractjson('$.a', tostring(d), typeof(long))", {"a": 5}, 5, "long"),
    ("extract_json('$.z', tostring(d))", {"a": 1}, "", "string"),
    ("extract_json('$.a', 'not json')", None, "", "string"),
    ("gettype(d)", [1], "array", "string"),
    ("gettype(d)", {"a": 1}, "dictionary", "string"),
    ("gettype(d.a)", {"a": 1}, "long", "string"),
    ("gettype(d.a)", {"a": 1.5}, "real", "string"),
    ("gettype(d.a)", {"a": "s"}, "string", "string"),
    ("gettype(d.a)", {"a": True}, "bool", "string"),
    ("gettype(d.a)", {"a": None}, "null", "string"),
    ("gettype(Application)", None, "string", "string"),
    ("gettype(ApplicationId)", None, "int", "string"),
]


@pytest.mark.parametrize(("expr", "d", "expected", "kind"), CASES, ids=[c[0] for c in CASES])
def test_dynamic_function(lake: Lake, expr: str, d: Any, expected: Any, kind: str) -> None:
    assert one(lake, expr, d) == (expected, kind)


URL = "scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v%202#fragment"


def test_parse_url(lake: Lake) -> None:
    lake.insert("DeviceNetworkEvents", [{"RemoteUrl": URL}, {"RemoteUrl": "bing.com"}])
    r = lake.run(
        "DeviceNetworkEvents | extend u = parse_url(RemoteUrl) "
        "| project Host = tostring(u.Host), u, Query = u['Query Parameters']"
    )
    by_host = {row[0]: row for row in r.rows}
    _, parsed, query = by_host["host"]
    assert json.loads(parsed) == {
        "Scheme": "scheme",
        "Host": "host",
        "Port": "1234",
        "Path": "/this/is/a/path",
        "Username": "username",
        "Password": "password",
        "Query Parameters": {"k1": "v1", "k2": "v 2"},
        "Fragment": "fragment",
    }
    assert json.loads(query) == {"k1": "v1", "k2": "v 2"}
    # not an absolute URL: every part empty
    assert json.loads(by_host[""][1])["Scheme"] == ""


def test_pack_all(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": "pc", "DeviceId": "d1", "OSBuild": 7}])
    r = lake.run("DeviceInfo | project DeviceName, OSBuild | extend p = pack_all()")
    assert json.loads(r.rows[0][2]) == {"DeviceName": "pc", "OSBuild": 7}
    # a later assignment of the same extend sees the earlier ones
    r = lake.run("DeviceInfo | project OSBuild | extend p = 1, q = pack_all()")
    assert json.loads(r.rows[0][2]) == {"OSBuild": 7, "p": 1}
    # ignore_null_empty leaves out '' and null
    r = lake.run("DeviceInfo | project DeviceName, Model, IsExcluded | extend q = pack_all(true)")
    assert json.loads(r.rows[0][3]) == {"DeviceName": "pc"}


PATHS: list[tuple[str, dict[str, str]]] = [
    (
        r"C:\temp\file.txt",
        {"Scheme": "", "RootPath": "C:", "DirectoryPath": r"C:\temp", "DirectoryName": "temp",
         "Filename": "file.txt", "Extension": "txt", "AlternateDataStreamName": ""},
    ),
    (
        r"temp\file.txt",
        {"Scheme": "", "RootPath": "", "DirectoryPath": "temp", "DirectoryName": "temp",
         "Filename": "file.txt", "Extension": "txt", "AlternateDataStreamName": ""},
    ),
    (
        "file://C:/temp/file.txt:some.exe",
        {"Scheme": "file", "RootPath": "C:", "DirectoryPath": "C:/temp", "DirectoryName": "temp",
         "Filename": "file.txt", "Extension": "txt", "AlternateDataStreamName": "some.exe"},
    ),
    (
        r"\\shared\users\temp\file.txt.gz",
        {"Scheme": "", "RootPath": "", "DirectoryPath": r"\\shared\users\temp",
         "DirectoryName": "temp", "Filename": "file.txt.gz", "Extension": "gz",
         "AlternateDataStreamName": ""},
    ),
    (
        "/usr/lib/temp/file.txt",
        {"Scheme": "", "RootPath": "", "DirectoryPath": "/usr/lib/temp", "DirectoryName": "temp",
         "Filename": "file.txt", "Extension": "txt", "AlternateDataStreamName": ""},
    ),
    (
        "",
        {"Scheme": "", "RootPath": "", "DirectoryPath": "", "DirectoryName": "", "Filename": "",
         "Extension": "", "AlternateDataStreamName": ""},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("path", "expected"), PATHS, ids=[p[0] or "empty" for p in PATHS])
def test_parse_path(lake: Lake, path: str, expected: dict[str, str]) -> None:
    lake.insert("DeviceFileEvents", [{"FolderPath": path}])
    r = lake.run("DeviceFileEvents | project p = parse_path(FolderPath)")
    assert json.loads(r.rows[0][0]) == expected
