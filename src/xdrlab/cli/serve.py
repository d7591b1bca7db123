"""`xdrlab serve`: the server, optionally with the demo tenant and demo.json."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from xdrlab.cli._common import StateOption, console, errors, settings_for
from xdrlab.cli.demo import EventsOption, SeedOption, report_demo_data
from xdrlab.demo.data import seed_demo_data
from xdrlab.demo.msticpy_config import write_msticpy_config
from xdrlab.demo.seed import DemoCredentials, seed_demo, write_demo_json
from xdrlab.hostnames.listener import ListenerError, check_address
from xdrlab.hostnames.serving import (
    DEFAULT_ADDRESS,
    announcement,
    open_hostnames_listener,
    publish,
    withdraw,
)
from xdrlab.server.run import Server, bind, settle_port
from xdrlab.server.state import open_state


def serve(
    state: Path | None = StateOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8443, "--port", help="Port to listen on (0 = any free port)."),
    tls: bool = typer.Option(
        True, "--tls/--no-tls", help="HTTPS with the local CA (MSAL and azure-identity need it)."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Seed the demo tenant and its data, and write demo.json."
    ),
    events: int = EventsOption,
    seed: int = SeedOption,
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        help="Base URL clients use, when it differs from host:port (e.g. behind a proxy).",
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Server processes (one per core for throughput)."
    ),
    log_level: str = typer.Option("info", "--log-level"),
    hostnames: bool = typer.Option(
        False,
        "--hostnames",
        help="Also answer production's host names (login.microsoftonline.com, "
        "api.security.microsoft.com, graph.microsoft.com, ...) on --hostnames-address port 443, "
        "for programs run with `xdrlab run` (needs root or CAP_NET_BIND_SERVICE).",
    ),
    hostnames_address: str = typer.Option(
        DEFAULT_ADDRESS, "--hostnames-address", help="Loopback address for --hostnames."
    ),
) -> None:
    """Run the server: token service, discovery, the Defender and Graph security APIs, hunting."""
    hostnames_socket = None
    if hostnames:
        try:
            hostnames_socket = open_hostnames_listener(hostnames_address, tls)
        except ListenerError as failure:
            errors.print(f"[red]error:[/red] {failure}", highlight=False)
            raise typer.Exit(1) from None
    sock = bind(host, port)
    settings = settle_port(
        settings_for(
            state,
            host=host,
            port=port,
            tls=tls,
            public_url=public_url,
            workers=workers,
            hostnames_address=check_address(hostnames_address) if hostnames else None,
        ),
        sock,
    )
    server_state = open_state(settings)
    credentials = seed_demo(server_state) if demo else None
    if credentials is not None:
        report_demo_data(
            seed_demo_data(server_state, credentials.tenant_id, seed=seed, events=events)
        )
    server: Server

    def ready() -> None:
        base = settings.base_url
        ca_file = server.tls.ca_file if server.tls else None
        console.print(
            f"[bold green]xdrlab[/bold green] listening on [bold]{base}[/bold] "
            f"(state: {settings.state_dir.resolve()})"
        )
        if credentials is not None:
            _announce_demo(credentials, base, ca_file, settings.state_dir)
        if settings.hostnames_address:
            console.print(announcement(settings.hostnames_address, settings.state_dir))
        if ca_file is not None:
            console.print(
                "Trust the local CA in clients:\n"
                f"  export REQUESTS_CA_BUNDLE={ca_file.resolve()}\n"
                f"  export CURL_CA_BUNDLE={ca_file.resolve()}\n"
                f"  export SSL_CERT_FILE={ca_file.resolve()}"
            )

    server = Server(
        server_state, sock, log_level=log_level, on_ready=ready, hostnames_socket=hostnames_socket
    )
    if settings.hostnames_address and server.tls is not None:
        publish(settings.state_dir, settings.hostnames_address, server.tls.ca_file)
    try:
        server.run()
    finally:
        if settings.hostnames_address:
            withdraw(settings.state_dir)


def _announce_demo(
    credentials: DemoCredentials, base: str, ca_file: Path | None, state_dir: Path
) -> None:
    document = credentials.document(base, ca_file)
    # msticpyconfig.yaml first: scripts wait for demo.json and then expect both.
    msticpy = write_msticpy_config(state_dir, document)
    path = write_demo_json(state_dir, document)
    table = Table(title=f"Demo credentials (also in {path.resolve()})", show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    for key, value in document.items():
        if key == "users":
            value = "\n".join(
                f"{u['upn']}  {u['password']}  ({', '.join(u['roles'])})" for u in value
            )
        elif isinstance(value, dict):
            value = "\n".join(f"{k}: {v}" for k, v in value.items())
        table.add_row(key, str(value))
    console.print(table)
    console.print(f"msticpy configuration: {msticpy.resolve()} (export MSTICPYCONFIG=...)")
