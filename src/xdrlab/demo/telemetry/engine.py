"""Vectorized row generation from weighted profiles.

A profile says who acts (the initiating process, its account kind, which devices) and what the
row says (constant column values; strings may hold ``{user}`` — the acting account — and ``{n}``
— a random number). A chunk draws a profile, a device and a time for each row and fills every
column by `take` from small per-profile and per-device arrays, so millions of rows cost little
Python time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from xdrlab.demo.telemetry.fleet import Org
from xdrlab.demo.telemetry.frame import assemble, table_def
from xdrlab.demo.telemetry.rng import Stream, below, hash_values
from xdrlab.demo.telemetry.software import Image, image
from xdrlab.demo.telemetry.timeline import Window

# Who an actor runs as. "user" is the device's primary user (the admin on servers).
ACCOUNT_KINDS = ("user", "system", "local service", "network service")
_SERVICE_SIDS = {"system": "S-1-5-18", "local service": "S-1-5-19", "network service": "S-1-5-20"}
_SERVICE_LOGON_IDS = {"system": 999, "local service": 997, "network service": 996}
WHERE = ("any", "ws", "server")


@dataclass(frozen=True)
class Actor:
    image: str  # software key of the initiating process
    command: str  # its command line
    parent: str  # software key of its parent
    account: str = "user"
    where: str = "ws"


@dataclass(frozen=True)
class Profile:
    weight: int
    actor: Actor
    fields: dict[str, Any] = field(default_factory=dict)
    # A software key whose file columns (FileName, FolderPath, hashes, size, version info) the
    # row carries: the created process, the loaded library.
    subject: str | None = None
    n_max: int = 99_999


# A hook that adds or replaces columns once the common ones exist: (columns, profile index, stream).
Extra = Callable[[dict[str, Any], pa.Array, Stream], dict[str, Any]]

_TOKEN = re.compile(r"\{(user|n)\}")


class OrgArrays:
    """Per-device and per-account columns of the organisation, for `take`."""

    def __init__(self, org: Org) -> None:
        self.org = org
        devices = org.devices
        self.n_ws = len(org.workstations)
        self.n_servers = len(org.servers)
        self.device_id = pa.array([d.id for d in devices])
        self.device_name = pa.array([d.name for d in devices])
        self.device_ip = pa.array([d.ip for d in devices])
        self.owner = pa.array([d.owner for d in devices], pa.int64())
        people = org.people
        names = [p.account_name for p in people] + list(_SERVICE_SIDS)
        domains = [org.netbios.lower()] * len(people) + ["nt authority"] * 3
        sids = [p.sid for p in people] + list(_SERVICE_SIDS.values())
        upns = [p.upn for p in people] + [""] * 3
        oids = [p.object_id for p in people] + [""] * 3
        integrity = ["High" if p.is_admin else "Medium" for p in people] + ["System"] * 3
        elevation = [
            "TokenElevationTypeFull" if p.is_admin else "TokenElevationTypeLimited" for p in people
        ] + ["TokenElevationTypeDefault"] * 3
        self.people = len(people)
        self.account_name = pa.array(names)
        self.account_domain = pa.array(domains)
        self.account_sid = pa.array(sids)
        self.account_upn = pa.array(upns)
        self.account_object_id = pa.array(oids)
        self.integrity = pa.array(integrity)
        self.elevation = pa.array(elevation)
        self.service_logon_ids = pa.array(
            [0] * len(people) + list(_SERVICE_LOGON_IDS.values()), pa.int64()
        )


_IMAGE_ATTRS = (
    "name",
    "path",
    "sha1",
    "sha256",
    "md5",
    "file_size",
    "company",
    "product",
    "version",
    "internal_name",
    "original_file_name",
    "description",
    "signer",
    "signature_status",
)


def _image_table(keys: Sequence[str]) -> dict[str, pa.Array]:
    images: list[Image] = [image(k) for k in keys]
    out: dict[str, pa.Array] = {}
    for attr in _IMAGE_ATTRS:
        values = [getattr(i, attr) for i in images]
        out[attr] = pa.array(values, pa.int64() if attr == "file_size" else pa.string())
    return out


def _file_columns(
    prefix: str, version_prefix: str, attrs: dict[str, pa.Array], idx: pa.Array
) -> dict[str, pa.Array]:
    def t(attr: str) -> pa.Array:
        return pc.take(attrs[attr], idx)

    return {
        f"{prefix}FileName": t("name"),
        f"{prefix}FolderPath": t("path"),
        f"{prefix}SHA1": t("sha1"),
        f"{prefix}SHA256": t("sha256"),
        f"{prefix}MD5": t("md5"),
        f"{prefix}FileSize": t("file_size"),
        f"{version_prefix}VersionInfoCompanyName": t("company"),
        f"{version_prefix}VersionInfoProductName": t("product"),
        f"{version_prefix}VersionInfoProductVersion": t("version"),
        f"{version_prefix}VersionInfoInternalFileName": t("internal_name"),
        f"{version_prefix}VersionInfoOriginalFileName": t("original_file_name"),
        f"{version_prefix}VersionInfoFileDescription": t("description"),
    }


def _templated(
    values: list[str], p: pa.Array, user: pa.Array, stream: Stream, label: str, n_max: pa.Array
) -> pa.Array:
    """Per-row strings from per-profile templates holding at most one {user} and one {n}."""
    if not any(_TOKEN.search(v) for v in values):
        return pc.take(pa.array(values, pa.string()), p)
    heads, mids, tails, has_user, has_n = [], [], [], [], []
    for value in values:
        user_at = value.find("{user}")
        n_at = value.find("{n}")
        if user_at >= 0 and n_at >= 0 and n_at < user_at:
            raise ValueError(f"{{n}} must follow {{user}}: {value!r}")
        if user_at >= 0:
            head, rest = value[:user_at], value[user_at + 6 :]
        else:
            head, rest = "", value
        if "{n}" in rest:
            mid, tail = rest.split("{n}", 1)
        else:
            mid, tail = rest, ""
        heads.append(head)
        mids.append(mid)
        tails.append(tail)
        has_user.append(user_at >= 0)
        has_n.append(n_at >= 0)
    number = pc.add(
        pc.cast(
            pc.floor(pc.multiply(stream.unit(label), pc.cast(pc.take(n_max, p), pa.float64()))),
            pa.int64(),
        ),
        pa.scalar(1, pa.int64()),
    )
    empty = pa.scalar("", pa.string())
    user_part = pc.if_else(pc.take(pa.array(has_user), p), user, empty)
    n_part = pc.if_else(pc.take(pa.array(has_n), p), pc.cast(number, pa.string()), empty)
    return pc.binary_join_element_wise(
        pc.take(pa.array(heads), p),
        user_part,
        pc.take(pa.array(mids), p),
        n_part,
        pc.take(pa.array(tails), p),
        "",
    )


def _pid(bits: pa.Array) -> pa.Array:
    """Windows-looking process ids: multiples of 4 between 400 and ~40,000."""
    return pc.add(
        pc.multiply(below(bits, 10_000), pa.scalar(4, pa.int64())), pa.scalar(400, pa.int64())
    )


def generate(
    table_name: str,
    profiles: Sequence[Profile],
    arrays: OrgArrays,
    window: Window,
    stream: Stream,
    extra: Extra | None = None,
) -> pa.Table:
    """One chunk of `stream.n` rows of `table_name` drawn from `profiles` within `window`."""
    n = stream.n
    table = table_def(table_name)
    wanted = {c.name for c in table.columns}
    p = stream.weighted("profile", [pr.weight for pr in profiles])

    # Devices: by each profile's placement.
    where = pc.take(pa.array([WHERE.index(pr.actor.where) for pr in profiles], pa.int64()), p)
    n_all = arrays.n_ws + arrays.n_servers
    ws = stream.below("ws", arrays.n_ws)
    srv = pc.add(stream.below("srv", arrays.n_servers), pa.scalar(arrays.n_ws, pa.int64()))
    anyd = stream.below("any", n_all)
    device = pc.if_else(pc.equal(where, 1), ws, pc.if_else(pc.equal(where, 2), srv, anyd))

    # Accounts.
    kind = pc.take(
        pa.array([ACCOUNT_KINDS.index(pr.actor.account) for pr in profiles], pa.int64()), p
    )
    account = pc.if_else(
        pc.equal(kind, 0),
        pc.take(arrays.owner, device),
        pc.add(kind, pa.scalar(arrays.people - 1, pa.int64())),
    )
    user = pc.take(arrays.account_name, account)

    timestamp = window.times(stream)
    ts_us = pc.cast(timestamp, pa.int64())

    # Initiating process: stable per device, image and day (its pid, creation time, logon id).
    actor_keys = sorted({pr.actor.image for pr in profiles} | {pr.actor.parent for pr in profiles})
    actor_attrs = _image_table(actor_keys)
    actor_idx = pc.take(
        pa.array([actor_keys.index(pr.actor.image) for pr in profiles], pa.int64()), p
    )
    parent_idx = pc.take(
        pa.array([actor_keys.index(pr.actor.parent) for pr in profiles], pa.int64()), p
    )
    identity = pc.add(pc.multiply(device, pa.scalar(1_000, pa.int64())), actor_idx)
    day_key = window.day.toordinal()
    actor_bits = hash_values(identity, stream.seed, f"actor/{day_key}")
    parent_bits = hash_values(identity, stream.seed, f"parent/{day_key}")
    actor_pid = _pid(actor_bits)
    parent_pid = _pid(parent_bits)
    # Started 1 s to ~6 h before the event; parents a little earlier still.
    actor_age = pc.add(
        pc.multiply(below(actor_bits, 21_600), pa.scalar(1_000_000, pa.int64())),
        pa.scalar(1_000_000, pa.int64()),
    )
    actor_created = pc.subtract(ts_us, actor_age)
    parent_created = pc.subtract(
        actor_created,
        pc.multiply(
            pc.add(below(parent_bits, 600), pa.scalar(1, pa.int64())),
            pa.scalar(1_000_000, pa.int64()),
        ),
    )
    logon_id = pc.if_else(
        pc.equal(kind, 0),
        pc.add(
            below(
                hash_values(
                    pc.add(
                        pc.multiply(device, pa.scalar(100_000, pa.int64())),
                        pa.scalar(day_key, pa.int64()),
                    ),
                    stream.seed,
                    "logon",
                ),
                40_000_000,
            ),
            pa.scalar(1_000_000, pa.int64()),
        ),
        pc.take(arrays.service_logon_ids, account),
    )
    n_max = pa.array([pr.n_max for pr in profiles], pa.int64())
    actor_command = _templated(
        [pr.actor.command for pr in profiles], p, user, stream, "actor-cmd", n_max
    )

    ts_type = pa.timestamp("us")
    columns: dict[str, Any] = {
        "_device": device,
        "Timestamp": timestamp,
        "DeviceId": pc.take(arrays.device_id, device),
        "DeviceName": pc.take(arrays.device_name, device),
        "LocalIP": pc.take(arrays.device_ip, device),
        "ReportId": pc.add(stream.below("report", 2_000_000), pa.scalar(1_000, pa.int64())),
        "InitiatingProcessAccountDomain": pc.take(arrays.account_domain, account),
        "InitiatingProcessAccountName": user,
        "InitiatingProcessAccountSid": pc.take(arrays.account_sid, account),
        "InitiatingProcessAccountUpn": pc.take(arrays.account_upn, account),
        "InitiatingProcessAccountObjectId": pc.take(arrays.account_object_id, account),
        "InitiatingProcessIntegrityLevel": pc.take(arrays.integrity, account),
        "InitiatingProcessTokenElevation": pc.take(arrays.elevation, account),
        "InitiatingProcessId": actor_pid,
        "InitiatingProcessCommandLine": actor_command,
        "InitiatingProcessCreationTime": pc.cast(actor_created, ts_type),
        "InitiatingProcessParentId": parent_pid,
        "InitiatingProcessParentFileName": pc.take(actor_attrs["name"], parent_idx),
        "InitiatingProcessParentCreationTime": pc.cast(parent_created, ts_type),
        "InitiatingProcessSignerType": pc.take(actor_attrs["signer"], actor_idx),
        "InitiatingProcessSignatureStatus": pc.take(actor_attrs["signature_status"], actor_idx),
        "InitiatingProcessLogonId": logon_id,
        "InitiatingProcessSessionId": pc.if_else(
            pc.equal(kind, 0), pa.scalar(1, pa.int64()), pa.scalar(0, pa.int64())
        ),
        "IsInitiatingProcessRemoteSession": False,
        "AppGuardContainerId": "",
    }
    columns.update(_file_columns("InitiatingProcess", "InitiatingProcess", actor_attrs, actor_idx))

    subjects = [pr.subject for pr in profiles]
    if any(subjects):
        keys = sorted({s for s in subjects if s})
        attrs = _image_table(keys)
        idx = pc.take(pa.array([keys.index(s) if s else 0 for s in subjects], pa.int64()), p)
        columns.update(_file_columns("", "Process", attrs, idx))
        if "ProcessId" in wanted:
            columns["ProcessId"] = _pid(stream.bits("pid"))
            columns["ProcessCreationTime"] = timestamp
            columns["ProcessIntegrityLevel"] = columns["InitiatingProcessIntegrityLevel"]
            columns["ProcessTokenElevation"] = columns["InitiatingProcessTokenElevation"]
            columns["AccountDomain"] = columns["InitiatingProcessAccountDomain"]
            columns["AccountName"] = user
            columns["AccountSid"] = columns["InitiatingProcessAccountSid"]
            columns["AccountUpn"] = columns["InitiatingProcessAccountUpn"]
            columns["AccountObjectId"] = columns["InitiatingProcessAccountObjectId"]
            columns["LogonId"] = logon_id

    names = sorted({k for pr in profiles for k in pr.fields})
    for name in names:
        values = [pr.fields.get(name) for pr in profiles]
        if all(v is None or isinstance(v, str) for v in values):
            columns[name] = _templated(
                ["" if v is None else v for v in values], p, user, stream, f"f/{name}", n_max
            )
        elif all(v is None or isinstance(v, bool) for v in values):
            columns[name] = pc.take(pa.array(values, pa.bool_()), p)
        elif all(v is None or isinstance(v, int) for v in values):
            columns[name] = pc.take(pa.array(values, pa.int64()), p)
        else:
            raise TypeError(f"mixed values for {name}")
    if extra is not None:
        columns.update(extra(columns, p, stream))
    present = {k: v for k, v in columns.items() if k in wanted}
    return assemble(table_name, n, present).sort_by("Timestamp")
