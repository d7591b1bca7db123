from __future__ import annotations

from tests.kql.conftest import Lake, ago


def test_where_project_top(lake: Lake) -> None:
    lake.insert(
        "DeviceProcessEvents",
        [
            {"Timestamp": ago(hours=1), "DeviceName": "a", "FileName": "CMD.exe"},
            {"Timestamp": ago(hours=2), "DeviceName": "b", "FileName": "cmd.exe"},
            {"Timestamp": ago(days=9), "DeviceName": "c", "FileName": "cmd.exe"},
            {"Timestamp": ago(hours=3), "DeviceName": "d", "FileName": "powershell.exe"},
        ],
    )
    r = lake.run(
        "DeviceProcessEvents | where Timestamp > ago(7d) | where FileName =~ 'cmd.exe'"
        " | project Timestamp, DeviceName | top 10 by Timestamp asc"
    )
    assert r.column("DeviceName") == ["b", "a"]
