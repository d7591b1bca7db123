"""The demo tenant's data: synthetic telemetry in the lake and the incidents that point at it.

Generating is deterministic by seed and relative to the moment of generation (the stories
happen a few days before it). A marker file records what was generated, so restarting the
demo server reuses the data; asking for another size or seed, or `reset`, regenerates it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from xdrlab.demo.incidents import load_incidents
from xdrlab.demo.telemetry import DEFAULT_EVENTS, generate_demo_telemetry
from xdrlab.files import write_private
from xdrlab.lake.store import naive_utc
from xdrlab.server.state import ServerState
from xdrlab.store.models import Incident

MARKER = "demo-data.json"


@dataclass(frozen=True)
class DemoData:
    generated: bool  # False when existing data was reused
    generated_at: str
    seed: int
    events: int
    incidents: int
    row_counts: dict[str, int]


def _marker(state: ServerState) -> Path:
    return state.settings.state_dir / MARKER


def _read_marker(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def seed_demo_data(
    state: ServerState,
    tenant_id: str,
    *,
    seed: int = 1,
    events: int = DEFAULT_EVENTS,
    reset: bool = False,
) -> DemoData:
    marker = _marker(state)
    previous = _read_marker(marker)
    wanted = {"tenant_id": tenant_id, "seed": seed, "events": events}
    if not reset and all(previous.get(k) == v for k, v in wanted.items()):
        return DemoData(
            False,
            str(previous.get("generated_at")),
            seed,
            events,
            int(previous.get("incidents", 0)),
            dict(previous.get("row_counts", {})),
        )
    lake = state.lake
    shutil.rmtree(lake.tenant_root(tenant_id), ignore_errors=True)
    now = naive_utc(state.clock.now())
    telemetry = generate_demo_telemetry(lake, tenant_id, seed=seed, events=events, now=now)
    with state.sessions.begin() as session:
        session.execute(delete(Incident).where(Incident.tenant_id == tenant_id))
        added = load_incidents(session, tenant_id, telemetry.incidents)
    generated_at = now.isoformat() + "Z"
    document = {
        **wanted,
        "generated_at": generated_at,
        "incidents": added,
        "row_counts": dict(telemetry.row_counts),
    }
    write_private(marker, (json.dumps(document, indent=2) + "\n").encode())
    return DemoData(True, generated_at, seed, events, added, dict(telemetry.row_counts))
