"""`top-nested` (one level): the N groups with the largest (or smallest) aggregate."""

from __future__ import annotations

import pytest

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.diagnostics import UNSUPPORTED_FEATURE


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


@pytest.mark.parametrize(
    ("kql", "column"),
    [
        (
            "DeviceNetworkEvents | top-nested 2 of RemoteUrl by count(), top-nested 1 of DeviceId"
            " by count()",
            61,
        ),
        ("DeviceNetworkEvents | top-nested 2 of RemoteUrl with others = 'x' by count()", 63),
    ],
)
def test_unsupported(lake: Lake, kql: str, column: int) -> None:
    with pytest.raises(KqlError) as e:
        lake.compile(kql)
    d = e.value.diagnostic
    assert (d.code, d.line, d.column) == (UNSUPPORTED_FEATURE, 1, column)
