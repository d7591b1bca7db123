"""Tabular operators: project family, extend, sort/top/take, let, render, dynamic values."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.kql.conftest import Lake, json_value


@pytest.fixture
def net(lake: Lake) -> Lake:
    lake.insert(
        "DeviceNetworkEvents",
        [
            {
                "Timestamp": datetime(2024, 5, 1, 1),
                "DeviceName": "pc1",
                "RemoteIP": "10.0.0.1",
                "RemotePort": 443,
                "RemoteUrl": "a.com",
            },
            {
                "Timestamp": datetime(2024, 5, 1, 2),
                "DeviceName": "pc2",
                "RemoteIP": "10.0.0.2",
                "RemotePort": 80,
                "RemoteUrl": "",
            },
            {
                "Timestamp": datetime(2024, 5, 1, 3),
                "DeviceName": "pc3",
                "RemoteIP": "10.0.0.3",
                "RemotePort": None,
                "RemoteUrl": "c.com",
            },
            {
                "Timestamp": datetime(2024, 5, 1, 4),
                "DeviceName": "pc4",
                "RemoteIP": "10.0.0.4",
                "RemotePort": 8080,
                "RemoteUrl": "d.com",
            },
        ],
    )
    return lake


def test_project_rename_compute(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | project Device = DeviceName, RemotePort, Port2 = RemotePort * 2,"
        " strlen(RemoteUrl), tolower(DeviceName) | sort by Device asc"
    )
    assert r.names == ["Device", "RemotePort", "Port2", "Column1", "Column2"]
    assert [c.type.value for c in r.compiled.columns] == ["string", "int", "long", "long", "string"]
    assert r.rows[0] == ("pc1", 443, 886, 5, "pc1")


def test_project_away_rename_reorder_keep(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | project-away Initiating*, Remote*, Local*, Report*, Protocol, Action*"
    )
    assert "RemoteIP" not in r.names and "InitiatingProcessId" not in r.names
    assert r.names[:3] == ["Timestamp", "DeviceId", "DeviceName"]
    r = net.run(
        "DeviceNetworkEvents | project DeviceName, RemoteIP, RemotePort | project-rename Ip = RemoteIP, Host = DeviceName"
        " | project-reorder RemotePort, Ip"
    )
    assert r.names == ["RemotePort", "Ip", "Host"]
    r = net.run("DeviceNetworkEvents | project-keep Remote* | project-reorder * asc")
    assert r.names == sorted(r.names, key=str.lower)
    assert set(r.names) == {
        c.name for c in net.tables["DeviceNetworkEvents"].columns if c.name.startswith("Remote")
    }


def test_extend_replaces_in_place_and_names_column1(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | project DeviceName, RemotePort | extend RemotePort = RemotePort + 1,"
        " strcat(DeviceName, '!'), Doubled = RemotePort * 2 | where Doubled > 200 | sort by DeviceName asc"
    )
    assert r.names == ["DeviceName", "RemotePort", "Column1", "Doubled"]
    assert r.rows == [("pc1", 444, "pc1!", 888), ("pc4", 8081, "pc4!", 16162)]


def test_sort_defaults_desc_nulls_last_and_asc_nulls_first(net: Lake) -> None:
    r = net.run("DeviceNetworkEvents | sort by RemotePort | project RemotePort")
    assert r.column("RemotePort") == [8080, 443, 80, None]
    r = net.run("DeviceNetworkEvents | order by RemotePort asc | project RemotePort")
    assert r.column("RemotePort") == [None, 80, 443, 8080]
    r = net.run("DeviceNetworkEvents | sort by RemotePort asc nulls last | project RemotePort")
    assert r.column("RemotePort") == [80, 443, 8080, None]
    r = net.run("DeviceNetworkEvents | sort by RemotePort desc nulls first | project RemotePort")
    assert r.column("RemotePort") == [None, 8080, 443, 80]


def test_top_take_limit(net: Lake) -> None:
    r = net.run("DeviceNetworkEvents | top 2 by Timestamp | project DeviceName")
    assert r.column("DeviceName") == ["pc4", "pc3"]
    r = net.run("DeviceNetworkEvents | top 2 by RemotePort asc | project RemotePort")
    assert r.column("RemotePort") == [None, 80]
    assert len(net.run("DeviceNetworkEvents | take 3").rows) == 3
    assert len(net.run("DeviceNetworkEvents | limit 10 | take 1").rows) == 1
    r = net.run(
        "DeviceNetworkEvents | sort by Timestamp asc | take 3 | where RemotePort > 100 | project DeviceName"
    )
    assert r.column("DeviceName") == ["pc1"]


def test_order_survives_later_operators(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | sort by Timestamp asc | extend U = toupper(DeviceName) | where U != 'PC2' | project U"
    )
    assert r.column("U") == ["PC1", "PC3", "PC4"]


def test_let_scalars_and_tabular(net: Lake) -> None:
    r = net.run(
        "let port = 80; let hosts = dynamic(['pc1', 'pc2']); let since = datetime(2024-05-01 01:30);"
        " let Recent = DeviceNetworkEvents | where Timestamp > since;"
        " Recent | where RemotePort != port or DeviceName !in (hosts) | project DeviceName | sort by DeviceName asc"
    )
    assert r.column("DeviceName") == ["pc3", "pc4"]
    assert r.compiled.tables == frozenset({"DeviceNetworkEvents"})


def test_in_with_a_tabular_expression(net: Lake) -> None:
    r = net.run(
        "let web = DeviceNetworkEvents | where RemotePort in (80, 443) | project DeviceName;"
        " DeviceNetworkEvents | where DeviceName in (web) | project DeviceName | sort by DeviceName asc"
    )
    assert r.column("DeviceName") == ["pc1", "pc2"]
    r = net.run(
        "DeviceNetworkEvents | where DeviceName !in~ ((DeviceNetworkEvents | where RemotePort == 80 | project toupper(DeviceName)))"
        " | count"
    )
    assert r.rows == [(3,)]


def test_iff_case_coalesce_isempty(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | project DeviceName, Web = iff(RemotePort in (80, 443), 'web', 'other'),"
        " Kind = case(RemotePort == 443, 'tls', RemotePort == 80, 'plain', isnull(RemotePort), 'none', 'high'),"
        " Url = coalesce(RemoteUrl, 'n/a'), E = isempty(RemoteUrl), N = isnull(RemotePort), NN = isnotnull(RemotePort)"
        " | sort by DeviceName asc"
    )
    assert r.rows == [
        ("pc1", "web", "tls", "a.com", False, False, True),
        ("pc2", "web", "plain", "n/a", True, False, True),
        ("pc3", "other", "none", "c.com", False, True, False),
        ("pc4", "other", "high", "d.com", False, False, True),
    ]


def test_conversions(lake: Lake) -> None:
    lake.insert("DeviceInfo", [{"DeviceName": "42", "OSPlatform": "abc", "OSBuild": 7}])
    r = lake.run(
        "DeviceInfo | project a = toint(DeviceName), b = tolong(OSPlatform), c = todouble(DeviceName),"
        " d = toreal(OSBuild), e = tostring(OSBuild), f = toint(2.7), g = tostring(1.5), h = tostring(2.0),"
        " i = abs(-3), j = round(2.567, 2), k = toint('abc'), l = tostring(true)"
    )
    assert r.rows == [(42, None, 42.0, 7.0, "7", 2, "1.5", "2", 3, 2.57, None, "true")]
    assert [c.type.value for c in r.compiled.columns] == [
        "int",
        "long",
        "real",
        "real",
        "string",
        "int",
        "string",
        "string",
        "long",
        "real",
        "int",
        "string",
    ]


def test_dynamic_access(lake: Lake) -> None:
    lake.insert(
        "CloudAppEvents",
        [
            {
                "AccountDisplayName": "u1",
                "RawEventData": {"a": {"b": "x", "n": 5}, "list": [1, 2, 3], "weird key": "w"},
            },
            {"AccountDisplayName": "u2", "RawEventData": {"a": {"b": "y"}, "list": []}},
        ],
    )
    r = lake.run(
        "CloudAppEvents | extend j = parse_json('{\"k\": [10, 20]}') | project AccountDisplayName,"
        " B = tostring(RawEventData.a.b), RawEventData.a.n, First = RawEventData.list[0], Last = RawEventData['list'][-1],"
        " W = tostring(RawEventData['weird key']), L = array_length(RawEventData.list), K = j.k[1],"
        " P = pack_array(AccountDisplayName, 1), tostring(RawEventData.a.b) | sort by AccountDisplayName asc"
    )
    assert r.names == [
        "AccountDisplayName",
        "B",
        "RawEventData_a_n",
        "First",
        "Last",
        "W",
        "L",
        "K",
        "P",
        "RawEventData_a_b",
    ]
    assert [c.type.value for c in r.compiled.columns] == [
        "string",
        "string",
        "dynamic",
        "dynamic",
        "dynamic",
        "string",
        "long",
        "dynamic",
        "dynamic",
        "string",
    ]
    u1, u2 = r.rows
    assert u1[:3] == ("u1", "x", "5")
    assert json_value(u1[3]) == 1 and json_value(u1[4]) == 3
    assert u1[5:8] == ("w", 3, "20")
    assert json_value(u1[8]) == ["u1", 1]
    assert u2[1] == "y" and u2[2] is None and u2[5] == "" and u2[6] == 0
    r = lake.run(
        "CloudAppEvents | where RawEventData.a.b == 'x' and toint(RawEventData.a.n) > 4 | project AccountDisplayName"
    )
    assert r.rows == [("u1",)]


def test_parse_json_of_text_that_is_not_json(lake: Lake) -> None:
    lake.insert(
        "DeviceEvents",
        [{"AdditionalFields": '{"Command": "whoami"}'}, {"AdditionalFields": "plain"}],
    )
    r = lake.run(
        "DeviceEvents | project C = tostring(parse_json(AdditionalFields).Command), T = tostring(todynamic(AdditionalFields))"
    )
    assert sorted(r.rows) == [("", "plain"), ("whoami", '{"Command":"whoami"}')]


def test_render_is_a_hint(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | summarize count() by DeviceName | render barchart with (title='Ports', kind=stacked)"
    )
    hint = r.compiled.render
    assert hint is not None and hint.visualization == "barchart"
    assert hint.properties == {"title": "Ports", "kind": "stacked"}
    assert len(r.rows) == 4


def test_columns_differing_only_in_case(net: Lake) -> None:
    r = net.run(
        "DeviceNetworkEvents | project DeviceName | extend devicename = toupper(DeviceName) | where devicename == 'PC1'"
    )
    assert r.names == ["DeviceName", "devicename"]
    assert r.rows == [("pc1", "PC1")]


_NULLS = "datatable(I:long, A:long, B:long)[1, 1, 2, 2, 9, long(null), 3, long(null), 5, 4, long(null), long(null)]"
_SEVEN = "(1, 2, 3, 4, 5, 6, 7)"


@pytest.mark.parametrize(
    "predicate",
    [
        f"A in {_SEVEN}",
        f"A !in {_SEVEN}",
        f"not(A in {_SEVEN})",
        f"A in {_SEVEN} or B in {_SEVEN}",
        f"A !in {_SEVEN} or B == 2",
        f"A in {_SEVEN} and not(B !in {_SEVEN})",
        f"iff(A in {_SEVEN}, false, true) or B in {_SEVEN}",
        f"(A in {_SEVEN}) == false",
    ],
)
def test_where_keeps_the_rows_its_predicate_is_true_for_with_in_lists(
    lake: Lake, predicate: str
) -> None:
    """Terms holding IN lists are filtered in a form DuckDB can push into the scan; with nulls
    on either side, a row is kept exactly when the predicate, computed as a column, is true."""
    computed = lake.run(f"{_NULLS} | extend P = {predicate} | project I, P")
    expected = sorted(i for i, p in computed.rows if p is True)
    filtered = lake.run(f"{_NULLS} | where {predicate} | project I")
    assert sorted(i for (i,) in filtered.rows) == expected
    assert "COALESCE" in filtered.sql
