"""The generated lake: exact schemas, no null strings, timestamps a day inside the 30-day hunting
window, scaling, determinism."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.demo.conftest import NOW, TENANT, Generated, make
from xdrlab.lake.schema import KustoType, hunting_table

REQUIRED = (
    "DeviceInfo",
    "DeviceProcessEvents",
    "DeviceNetworkEvents",
    "DeviceFileEvents",
    "DeviceRegistryEvents",
    "DeviceLogonEvents",
    "DeviceImageLoadEvents",
    "DeviceEvents",
    "EmailEvents",
    "EmailAttachmentInfo",
    "EmailUrlInfo",
    "UrlClickEvents",
    "IdentityLogonEvents",
    "CloudAppEvents",
    "AlertInfo",
    "AlertEvidence",
)


def test_every_required_table_has_rows(demo: Generated) -> None:
    for table in REQUIRED:
        assert demo.result.row_counts.get(table, 0) > 0, table
        assert demo.files(table), table


def test_row_counts_match_the_files(demo: Generated) -> None:
    for table, count in demo.result.row_counts.items():
        sql = f"select count(*) from {{{table}}}"  # noqa: S608
        assert demo.query(sql) == [(count,)], table


def test_files_have_exactly_the_schema(demo: Generated) -> None:
    for table in demo.result.row_counts:
        definition = hunting_table(table)
        assert definition is not None
        for path in demo.files(table):
            schema = pq.read_schema(path)
            assert schema.equals(definition.arrow_schema, check_metadata=False), (table, path)


def test_no_string_column_holds_nulls(demo: Generated) -> None:
    for table in demo.result.row_counts:
        definition = hunting_table(table)
        assert definition is not None
        strings = [
            c.name for c in definition.columns if c.type in (KustoType.STRING, KustoType.GUID)
        ]
        checks = " + ".join(f'count(*) filter (where "{c}" is null)' for c in strings)
        sql = f"select {checks} from {{{table}}}"  # noqa: S608
        assert demo.query(sql) == [(0,)], table


def test_timestamps_lie_a_day_inside_the_30_day_hunting_window(demo: Generated) -> None:
    start = NOW - timedelta(days=29)
    for table in demo.result.row_counts:
        sql = f'select min("Timestamp"), max("Timestamp") from {{{table}}}'  # noqa: S608
        lo, hi = demo.query(sql)[0]
        assert isinstance(lo, datetime) and isinstance(hi, datetime)
        assert start <= lo and hi < NOW, (table, lo, hi)


def test_dynamic_and_json_columns_parse(demo: Generated) -> None:
    rows = demo.query(
        "select count(*) filter (where json_valid(AdditionalFields) is not true) from {IdentityLogonEvents}"
    )
    assert rows == [(0,)]
    rows = demo.query(
        "select count(*) filter (where not json_valid(RawEventData)) from {CloudAppEvents}"
    )
    assert rows == [(0,)]
    rows = demo.query(
        "select count(*) filter (where not json_valid(AttackTechniques)) from {AlertInfo}"
    )
    assert rows == [(0,)]


def test_plugged_in_devices_name_their_setup_class(demo: Generated) -> None:
    rows = demo.query(
        "select json_extract_string(AdditionalFields, '$.ClassName'), "
        "json_extract_string(AdditionalFields, '$.ClassId'), "
        "json_extract_string(AdditionalFields, '$.DeviceId') "
        "from {DeviceEvents} where ActionType = 'PnpDeviceConnected'"
    )
    assert rows
    classes = {name: class_id for name, class_id, _ in rows}
    assert classes["USB"] == "{36fc9e60-c465-11cf-8056-444553540000}"
    assert classes["DiskDrive"] == "{4d36e967-e325-11ce-bfc1-08002be10318}"
    # every node is the one USB stick whose serial UsbDriveMounted reports
    serials = demo.query(
        "select distinct json_extract_string(AdditionalFields, '$.SerialNumber') "
        "from {DeviceEvents} where ActionType = 'UsbDriveMounted'"
    )
    assert len(serials) == 1
    assert all(serials[0][0] in device_id for _, _, device_id in rows)


def test_hashes_are_consistent_per_file(demo: Generated) -> None:
    """The same binary (by path) always has the same hashes, in every table."""
    rows = demo.query(
        """
        select lower(FolderPath), count(distinct SHA256), count(distinct SHA1), count(distinct MD5)
        from (
            select FolderPath, SHA256, SHA1, MD5 from {DeviceProcessEvents}
            union all
            select InitiatingProcessFolderPath, InitiatingProcessSHA256, InitiatingProcessSHA1,
                   InitiatingProcessMD5 from {DeviceNetworkEvents}
        )
        group by all having count(distinct SHA256) > 1 or count(distinct SHA1) > 1
        """
    )
    assert rows == []


def _contents(generated: Generated, table: str) -> list[tuple[object, ...]]:
    definition = hunting_table(table)
    assert definition is not None
    files = generated.files(table)
    listing = ", ".join(f"'{f}'" for f in files)
    con = duckdb.connect()
    try:
        sql = f"select * from read_parquet([{listing}]) order by all"  # noqa: S608
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def small_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Generated, Generated, Generated]:
    a = make(tmp_path_factory.mktemp("a"), seed=7, events=3_000)
    b = make(tmp_path_factory.mktemp("b"), seed=7, events=3_000)
    c = make(tmp_path_factory.mktemp("c"), seed=8, events=3_000)
    return a, b, c


def test_same_seed_gives_identical_rows(small_pair: tuple[Generated, Generated, Generated]) -> None:
    a, b, _ = small_pair
    assert a.result.row_counts == b.result.row_counts
    assert a.result.incidents == b.result.incidents
    for table in a.result.row_counts:
        assert _contents(a, table) == _contents(b, table), table


def test_another_seed_gives_other_rows(small_pair: tuple[Generated, Generated, Generated]) -> None:
    a, _, c = small_pair
    for table in ("DeviceProcessEvents", "DeviceNetworkEvents", "EmailEvents", "AlertEvidence"):
        assert _contents(a, table) != _contents(c, table), table
    assert {i.alerts[0].alert_id for i in a.result.incidents}.isdisjoint(
        {i.alerts[0].alert_id for i in c.result.incidents}
    )


def test_row_counts_scale_with_events(
    small_pair: tuple[Generated, Generated, Generated], demo: Generated
) -> None:
    small, big = small_pair[0].result.row_counts, demo.result.row_counts
    story = small["DeviceProcessEvents"] - 3_000
    assert 0 < story < 100
    assert big["DeviceProcessEvents"] - 20_000 < 100
    for table in ("DeviceNetworkEvents", "DeviceFileEvents", "EmailEvents", "CloudAppEvents"):
        ratio = big[table] / small[table]
        assert 5 < ratio < 8, (table, ratio)


def test_zero_background_events_still_tells_the_stories(tmp_path: Path) -> None:
    generated = make(tmp_path, events=0)
    assert generated.result.row_counts["AlertInfo"] == sum(
        len(i.alerts) for i in generated.result.incidents
    )
    assert generated.result.row_counts["DeviceProcessEvents"] < 100
    definition = hunting_table("DeviceInfo")
    assert definition is not None
    assert generated.lake.files(TENANT, definition)
