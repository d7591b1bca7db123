"""`xdrlab demo`: seed (or regenerate) the demo tenant and its data without starting a server."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from xdrlab.cli._common import StateOption, console, settings_for
from xdrlab.demo.data import DemoData, seed_demo_data
from xdrlab.demo.msticpy_config import write_msticpy_config
from xdrlab.demo.seed import seed_demo, write_demo_json
from xdrlab.demo.telemetry import DEFAULT_EVENTS
from xdrlab.server.state import open_state

EventsOption = typer.Option(
    DEFAULT_EVENTS,
    "--events",
    min=100,
    help="Background process events to generate (DeviceProcessEvents rows; other tables "
    "scale with it). 10000000 makes a benchmark-sized lake.",
)
SeedOption = typer.Option(1, "--seed", help="Random seed: the same seed gives the same data.")


def report_demo_data(data: DemoData) -> None:
    if not data.generated:
        console.print(
            f"Demo data from {data.generated_at} reused ({data.events:,} events, seed "
            f"{data.seed}); `xdrlab demo --reset` regenerates it."
        )
        return
    table = Table(title=f"Demo data generated (seed {data.seed})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(data.row_counts.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"{data.incidents} incidents point at these rows.")


def demo(
    state: Path | None = StateOption,
    events: int = EventsOption,
    seed: int = SeedOption,
    reset: bool = typer.Option(
        False, "--reset", help="Regenerate even if data of this size and seed exists."
    ),
) -> None:
    """Seed the demo tenant, app, users, telemetry and incidents; write demo.json."""
    server_state = open_state(settings_for(state))
    credentials = seed_demo(server_state)
    report_demo_data(
        seed_demo_data(server_state, credentials.tenant_id, seed=seed, events=events, reset=reset)
    )
    settings = server_state.settings
    document = credentials.document(settings.base_url, None)
    msticpy = write_msticpy_config(settings.state_dir, document)
    path = write_demo_json(settings.state_dir, document)
    console.print(f"Credentials in {path.resolve()}; msticpy configuration in {msticpy.resolve()}")
