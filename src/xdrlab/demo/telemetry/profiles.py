"""File profiles for `invoke FileProfile()`: one per file the demo tenant's telemetry shows.

Built after the telemetry is written, from the tenant's own lake (never another tenant's):
every distinct file in the tables that carry hashes, with what the data says about it (name,
size, publisher and product from the version information, a Defender threat name where an
antivirus detection named one). What only a global view would know is derived from the hash,
so it is stable from run to run, and shaped by the kind of file: Windows and Office binaries
are signed by Microsoft and seen on many millions of machines for years; other publishers'
signed software on thousands to millions; unsigned and detected files on a handful, first
seen days before the data shows them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from xdrlab.lake.schema import FILE_PROFILE, hunting_tables
from xdrlab.lake.store import Lake

# (hash, name, size, company, product) column groups a table may carry for a file
_FILE_COLUMNS = (
    ("SHA1", "SHA256", "MD5", "FileName", "FileSize", "ProcessVersionInfoCompanyName",
     "ProcessVersionInfoProductName"),
    ("InitiatingProcessSHA1", "InitiatingProcessSHA256", "InitiatingProcessMD5",
     "InitiatingProcessFileName", "InitiatingProcessFileSize",
     "InitiatingProcessVersionInfoCompanyName", "InitiatingProcessVersionInfoProductName"),
)  # fmt: skip
_EXECUTABLE = (".exe", ".dll", ".sys", ".scr", ".com", ".cpl", ".ocx", ".drv", ".efi")


@dataclass(frozen=True)
class _File:
    sha1: str
    sha256: str
    md5: str
    name: str
    size: int | None
    company: str
    product: str
    first_seen: datetime
    threat: str


def write_file_profiles(lake: Lake, tenant_id: str, now: datetime) -> int:
    """Write the profiles of every file in `tenant_id`'s telemetry; returns how many."""
    files = _files_in_lake(lake, tenant_id)
    if not files:
        return 0
    rows = [_profile(f, now) for f in files]
    lake.write(
        tenant_id, FILE_PROFILE, pa.Table.from_pylist(rows, schema=FILE_PROFILE.arrow_schema)
    )
    return len(rows)


def _files_in_lake(lake: Lake, tenant_id: str) -> list[_File]:
    selects: list[str] = []
    threat_sources: list[str] = []
    for table in hunting_tables().values():
        paths = lake.files(tenant_id, table)
        if not paths:
            continue
        source = _read(paths)
        names = {c.name for c in table.columns}
        for sha1, sha256, md5, name, size, company, product in _FILE_COLUMNS:
            if not {sha1, name} <= names:
                continue
            columns = (
                f'"{sha1}" AS sha1, {_or_empty(sha256, names)} AS sha256, '
                f'{_or_empty(md5, names)} AS md5, "{name}" AS name, '
                f"{_or_null(size, names)} AS size, {_or_empty(company, names)} AS company, "
                f'{_or_empty(product, names)} AS product, "Timestamp" AS seen'
            )
            selects.append(_select(columns, source))
        if table.name == "DeviceEvents":
            threat = "SHA1 AS sha1, json_extract_string(AdditionalFields, '$.ThreatName') AS threat"
            threat_sources.append(_select(threat, source, "ActionType = 'AntivirusDetection'"))
    if not selects:
        return []
    threats = " UNION ALL ".join(threat_sources) or "SELECT '' AS sha1, '' AS threat WHERE false"
    query = f"""
        WITH seen AS ({" UNION ALL ".join(selects)}),
             threats AS ({threats})
        SELECT lower(s.sha1), max(s.sha256), max(s.md5), arg_min(s.name, s.seen), max(s.size),
               max(s.company), max(s.product), min(s.seen),
               coalesce(max(t.threat) FILTER (WHERE t.threat <> ''), '')
        FROM seen s LEFT JOIN threats t ON lower(t.sha1) = lower(s.sha1)
        WHERE s.sha1 <> ''
        GROUP BY lower(s.sha1)
        ORDER BY 1
    """  # noqa: S608 (lake paths and fixed column names, no user input)
    with duckdb.connect(":memory:") as connection:
        found = connection.execute(query).fetchall()
    return [_File(*row) for row in found]


def _select(columns: str, source: str, where: str = "TRUE") -> str:
    # the schema's own column names and the lake's file paths (quoted): nothing from a user
    return f"SELECT {columns} FROM {source} WHERE {where}"  # noqa: S608


def _read(paths: list[Path]) -> str:
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    return f"read_parquet([{listed}], union_by_name = true)"


def _or_empty(column: str, names: set[str]) -> str:
    return f'"{column}"' if column in names else "''"


def _or_null(column: str, names: set[str]) -> str:
    return f'"{column}"' if column in names else "NULL"


def _profile(f: _File, now: datetime) -> dict[str, object]:
    digest = hashlib.sha256(f.sha1.encode()).digest()
    spread = int.from_bytes(digest[:4], "big") / 2**32  # stable in [0, 1)
    microsoft = "microsoft" in f.company.lower()
    signed = bool(f.company) and not f.threat
    if f.threat and "EICAR" in f.threat:  # the antivirus test file: on every machine since 1991
        prevalence = 2_000_000 + int(spread * 8_000_000)
        first_seen = now - timedelta(days=8_000 + int(spread * 1_000))
    elif f.threat:  # other detections: rare, and new a little before the tenant saw them
        prevalence = 1 + int(spread * 40)
        first_seen = f.first_seen - timedelta(days=1 + int(spread * 20))
    elif microsoft:
        prevalence = 5_000_000 + int(spread * 900_000_000)
        first_seen = now - timedelta(days=400 + int(spread * 1500))
    elif signed:
        prevalence = 5_000 + int(spread * 20_000_000)
        first_seen = now - timedelta(days=60 + int(spread * 900))
    else:
        prevalence = 1 + int(spread * 250)
        first_seen = f.first_seen - timedelta(days=int(spread * 30), hours=int(spread * 23))
    signer = (
        ("Microsoft Windows" if "windows" in f.product.lower() else "Microsoft Corporation")
        if microsoft
        else f.company
    )
    return {
        "SHA1": f.sha1,
        "SHA256": f.sha256,
        "MD5": f.md5,
        "FileSize": f.size if f.size is None or f.size < 2**31 else None,
        "GlobalPrevalence": min(prevalence, 2**31 - 1),
        "GlobalFirstSeen": first_seen.replace(microsecond=0),
        "GlobalLastSeen": now.replace(microsecond=0) - timedelta(minutes=int(spread * 600)),
        "Signer": signer if signed else "",
        "Issuer": _issuer(microsoft, f.product) if signed else "",
        "SignerHash": hashlib.sha1(signer.encode(), usedforsecurity=False).hexdigest()
        if signed
        else "",
        "IsCertificateValid": signed,
        "IsRootSignerMicrosoft": signed and microsoft,
        "SignatureState": "SignedValid" if signed else "Unsigned",
        "IsExecutable": f.name.lower().endswith(_EXECUTABLE),
        "ThreatName": f.threat,
        "Publisher": f.company,
        "SoftwareName": f.product,
    }


def _issuer(microsoft: bool, product: str) -> str:
    if not microsoft:
        return "DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1"
    if "windows" in product.lower():
        return "Microsoft Windows Production PCA 2011"
    return "Microsoft Code Signing PCA 2011"
