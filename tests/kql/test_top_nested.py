"""`top-nested`: the N groups with the largest (or smallest) aggregate, level within level."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import DUPLICATE_COLUMN, EXPECTED_CONSTANT, TYPE_MISMATCH


@pytest.fixture
def net(lake: Lake) -> Lake:
    lake.insert(
        "DeviceNetworkEvents",
        [
            {"DeviceId": d, "RemoteUrl": u}
            for d, u in [
                ("1", "a.com"),
                ("2", "a.com"),
                ("3", "a.com"),
                ("1", "b.com"),
                ("1", "b.com"),
                ("2", "c.com"),
                ("3", "c.com"),
            ]
        ],
    )
    return lake


def test_one_level_desc_and_asc(net: Lake) -> None:
    r = net.run("DeviceNetworkEvents | top-nested 2 of RemoteUrl by dcount(DeviceId)")
    assert r.names == ["RemoteUrl", "aggregated_RemoteUrl"]
    assert r.rows == [("a.com", 3), ("c.com", 2)]
    r = net.run(
        "DeviceNetworkEvents | top-nested 100 of Url = RemoteUrl by Devices = dcount(DeviceId) asc"
        " | where Devices <= 2"
    )
    assert r.names == ["Url", "Devices"]
    assert r.rows == [("b.com", 1), ("c.com", 2)]


def test_levels_nest_within_their_parent(net: Lake) -> None:
    # per URL: devices a.com {1,2,3}, b.com {1}, c.com {2,3}; the top two URLs by devices,
    # then within each the device with the most events (ties: any one of them)
    r = net.run(
        "DeviceNetworkEvents | top-nested 2 of RemoteUrl by dcount(DeviceId),"
        " top-nested 1 of DeviceId by Events = count() | project RemoteUrl, Devices ="
        " aggregated_RemoteUrl, Events"
    )
    assert r.names == ["RemoteUrl", "Devices", "Events"]
    assert sorted(r.rows) == [("a.com", 3, 1), ("c.com", 2, 1)]
    # every group of the last level when it has no count; the levels' order is kept
    r = net.run(
        "DeviceNetworkEvents | top-nested 1 of DeviceId by count(),"
        " top-nested of RemoteUrl by n = count() asc"
    )
    assert r.names == ["DeviceId", "aggregated_DeviceId", "RemoteUrl", "n"]
    assert sorted(r.rows) == [("1", 3, "a.com", 1), ("1", 3, "b.com", 2)]


def test_a_name_twice_is_refused(lake: Lake) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(
            "DeviceNetworkEvents | top-nested 2 of RemoteUrl by count(), top-nested 1 of"
            " RemoteUrl by count()"
        )
    assert e.value.diagnostic.code == DUPLICATE_COLUMN


def test_with_others_aggregates_the_rows_left_out(net: Lake) -> None:
    # the others row's aggregate is over the rows left out, not a sum of their groups':
    # b.com and c.com have devices {1} and {2, 3}, three distinct in all
    r = net.run(
        "DeviceNetworkEvents | top-nested 1 of RemoteUrl with others = 'rest' by dcount(DeviceId)"
    )
    assert sorted(r.rows) == [("a.com", 3), ("rest", 3)]
    # nothing left out: no others row
    r = net.run(
        "DeviceNetworkEvents | top-nested 5 of RemoteUrl with others = 'rest' by count()"
        " | where RemoteUrl == 'rest'"
    )
    assert r.rows == []


def test_with_others_must_be_a_constant_of_the_keys_type(lake: Lake) -> None:
    for value, code in (("1", TYPE_MISMATCH), ("strlen(RemoteUrl)", EXPECTED_CONSTANT)):
        with pytest.raises(KqlError) as e:
            lake.compile(
                f"DeviceNetworkEvents | top-nested 2 of RemoteUrl with others = {value} by count()"
            )
        d = e.value.diagnostic
        assert (d.code, d.line, d.column) == (code, 1, 63)
