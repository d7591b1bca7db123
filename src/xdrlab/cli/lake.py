"""`xdrlab lake`: what the hunting lake holds, and retention by whole days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import typer

from xdrlab.cli._common import JsonOption, StateOption, emit, transaction
from xdrlab.identity.tenants import list_tenants, require_tenant
from xdrlab.lake.schema import lake_tables

lake_app = typer.Typer(help="Inspect the hunting lake and apply retention.", no_args_is_help=True)

TenantOption = typer.Option(None, "--tenant", help="Tenant GUID or domain (default: every tenant).")


@lake_app.command("stats")
def stats(
    tenant: str | None = TenantOption, state: Path | None = StateOption, as_json: bool = JsonOption
) -> None:
    """Rows, files and days per tenant and table (tables with no data are left out)."""
    rows: list[dict[str, Any]] = []
    with transaction(state) as (server, session):
        chosen = [require_tenant(session, tenant)] if tenant else list_tenants(session)
        for entry in chosen:
            for table in lake_tables().values():
                files = server.lake.files(entry.id, table)
                if not files:
                    continue
                days = server.lake.days(entry.id, table)
                rows.append(
                    {
                        "tenant": entry.domains[0].name if entry.domains else entry.id,
                        "table": table.name,
                        "rows": sum(pq.ParquetFile(f).metadata.num_rows for f in files),
                        "files": len(files),
                        "first_day": days[0].isoformat() if days else "",
                        "last_day": days[-1].isoformat() if days else "",
                    }
                )
    emit(rows, as_json, title="Hunting lake")


@lake_app.command("prune")
def prune(
    keep_days: int = typer.Option(
        30, "--keep-days", min=1, help="Days to keep, counting today (hunting sees 30)."
    ),
    tenant: str | None = TenantOption,
    state: Path | None = StateOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete whole day partitions older than the retention period."""
    first_kept = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=keep_days - 1)
    rows: list[dict[str, Any]] = []
    with transaction(state) as (server, session):
        chosen = [require_tenant(session, tenant)] if tenant else list_tenants(session)
        for entry in chosen:
            for table in lake_tables().values():
                removed = server.lake.drop_days_before(entry.id, table, first_kept)
                if removed:
                    rows.append({"tenant": entry.id, "table": table.name, "files_removed": removed})
    emit(rows, as_json, title=f"Removed data before {first_kept.isoformat()}")
