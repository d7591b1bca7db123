"""`generate_demo_telemetry`: fill a tenant's hunting lake with 29 days of background activity
and the attack stories, and return the incidents that describe the stories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from xdrlab.demo.telemetry import bec, endpoint, everyday, identity, inventory, mail, phishing
from xdrlab.demo.telemetry.alerts import alert_tables
from xdrlab.demo.telemetry.engine import Extra, OrgArrays, Profile, generate
from xdrlab.demo.telemetry.fleet import DEFAULT_USERS, Org, build_org
from xdrlab.demo.telemetry.frame import from_rows, table_def
from xdrlab.demo.telemetry.model import DeviceSpec, IncidentSpec
from xdrlab.demo.telemetry.profiles import write_file_profiles
from xdrlab.demo.telemetry.rng import Stream
from xdrlab.demo.telemetry.story import Rows
from xdrlab.demo.telemetry.timeline import Window, allocate, micros, naive_utc, windows
from xdrlab.lake.store import Lake

DEFAULT_EVENTS = 20_000
CHUNK = 250_000

# Rows of each background table per DeviceProcessEvents row.
RATIOS = {
    "DeviceNetworkEvents": 0.6,
    "DeviceFileEvents": 0.35,
    "DeviceImageLoadEvents": 0.3,
    "DeviceRegistryEvents": 0.25,
    "DeviceEvents": 0.12,
    "DeviceLogonEvents": 0.04,
    "EmailEvents": 0.04,
    "IdentityLogonEvents": 0.04,
    "CloudAppEvents": 0.06,
}


@dataclass(frozen=True)
class DemoTelemetry:
    incidents: tuple[IncidentSpec, ...]
    row_counts: dict[str, int]
    devices: tuple[DeviceSpec, ...]
    users: tuple[str, ...] = ()  # UPNs of the people in the data
    start: datetime = field(default=datetime.min)
    end: datetime = field(default=datetime.min)

    def incident(self, story: str) -> IncidentSpec:
        """The incident of one story: "phishing-to-lateral-movement", "password-spray-inbox-rule", ..."""
        for incident in self.incidents:
            if incident.story == story:
                return incident
        raise KeyError(story)


def generate_demo_telemetry(
    lake: Lake,
    tenant_id: str,
    *,
    seed: int = 1,
    events: int = DEFAULT_EVENTS,
    now: datetime,
    domain: str = "contoso.onmicrosoft.com",
    users: Sequence[str] = DEFAULT_USERS,
) -> DemoTelemetry:
    """Write the demo lake of one tenant; the same seed and `now` always give the same rows."""
    if events < 0:
        raise ValueError("events must not be negative")
    if not users:
        raise ValueError("at least one user is needed")
    now = naive_utc(now).replace(microsecond=0)
    org = build_org(seed, events, domain, tuple(users), now)
    arrays = OrgArrays(org)
    counts: dict[str, int] = {}
    days = windows(now)

    def write(table: str, rows: pa.Table) -> None:
        if rows.num_rows:
            lake.write(tenant_id, table_def(table), rows)
            counts[table] = counts.get(table, 0) + rows.num_rows

    def background(table: str, total: int, make: Callable[[Window, Stream], pa.Table]) -> None:
        for window, n in zip(days, allocate(total, days), strict=True):
            part = 0
            while n > 0:
                size = min(n, CHUNK)
                stream = Stream(seed, f"{table}/{window.day.isoformat()}/{part}", size)
                write(table, make(window, stream))
                n -= size
                part += 1

    def device_table(
        table: str, profiles: list[Profile], extra: Extra | None = None
    ) -> Callable[[Window, Stream], pa.Table]:
        return lambda window, stream: generate(table, profiles, arrays, window, stream, extra)

    background(
        "DeviceProcessEvents",
        events,
        device_table("DeviceProcessEvents", endpoint.process_profiles(org)),
    )
    scaled = {name: round(events * ratio) for name, ratio in RATIOS.items()}
    background(
        "DeviceNetworkEvents",
        scaled["DeviceNetworkEvents"],
        device_table("DeviceNetworkEvents", endpoint.network_profiles(org), endpoint.network_extra),
    )
    background(
        "DeviceFileEvents",
        scaled["DeviceFileEvents"],
        device_table("DeviceFileEvents", endpoint.file_profiles(org)),
    )
    background(
        "DeviceImageLoadEvents",
        scaled["DeviceImageLoadEvents"],
        device_table("DeviceImageLoadEvents", endpoint.image_load_profiles()),
    )
    background(
        "DeviceRegistryEvents",
        scaled["DeviceRegistryEvents"],
        device_table("DeviceRegistryEvents", endpoint.registry_profiles(org)),
    )
    background(
        "DeviceEvents",
        scaled["DeviceEvents"],
        device_table("DeviceEvents", endpoint.device_event_profiles(org)),
    )
    background(
        "DeviceLogonEvents",
        scaled["DeviceLogonEvents"],
        device_table("DeviceLogonEvents", endpoint.logon_profiles(), endpoint.logon_extra(arrays)),
    )
    background(
        "IdentityLogonEvents",
        scaled["IdentityLogonEvents"],
        lambda w, s: identity.identity_logons(org, w, s),
    )
    actions = identity.cloud_app_events
    cloud = identity.cloud_actions(org)
    background("CloudAppEvents", scaled["CloudAppEvents"], lambda w, s: actions(org, cloud, w, s))
    _mail(org, days, scaled["EmailEvents"], seed, micros(now), write)
    for window in days:
        for table, rows in inventory.device_inventory(org, window).items():
            write(table, rows)
        write("IdentityInfo", inventory.identity_inventory(org, window, tenant_id))

    incidents = _stories(org, now, seed, write)
    for table, rows in alert_tables(incidents).items():
        write(table, rows)
    write_file_profiles(lake, tenant_id, now)  # from the telemetry just written
    return DemoTelemetry(
        incidents=incidents,
        row_counts=dict(sorted(counts.items())),
        devices=tuple(d.spec for d in org.devices),
        users=tuple(p.upn for p in org.people),
        start=days[0].start,
        end=now,
    )


def _mail(
    org: Org,
    days: list[Window],
    total: int,
    seed: int,
    now_us: int,
    write: Callable[[str, pa.Table], None],
) -> None:
    catalogue = mail.catalogue(org)
    for window, n in zip(days, allocate(total, days), strict=True):
        part = 0
        while n > 0:
            size = min(n, CHUNK)
            stream = Stream(seed, f"EmailEvents/{window.day.isoformat()}/{part}", size)
            for table, rows in mail.generate(org, catalogue, window, stream, now_us).items():
                write(table, rows)
            n -= size
            part += 1


def _stories(
    org: Org, now: datetime, seed: int, write: Callable[[str, pa.Table], None]
) -> tuple[IncidentSpec, ...]:
    main, rows = phishing.build(org, now, seed)
    spray = bec.build(org, now, seed, rows)
    others = everyday.build(org, now, seed, rows)
    for table, table_rows in _sorted(rows).items():
        write(table, from_rows(table, table_rows))
    return (main, spray, *others)


def _sorted(rows: Rows) -> dict[str, list[dict[str, object]]]:
    return {
        table: sorted(table_rows, key=lambda r: r["Timestamp"])  # type: ignore[arg-type, return-value]
        for table, table_rows in sorted(rows.tables.items())
    }
