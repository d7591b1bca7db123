"""`xdrlab incidents list/show/update`: the incident queue from a terminal, over whichever API
surface the profile uses; lists page automatically."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from xdrlab.cli.client.common import ProfileOption, fail, out, reported, stores
from xdrlab.cli.client.connect import connected
from xdrlab.cli.client.output import text_value
from xdrlab.sdk import (
    Classification,
    Condition,
    Determination,
    Incident,
    IncidentFilter,
    IncidentStatus,
    Severity,
)

incidents_app = typer.Typer(
    help="List, show and update incidents (Defender API or Graph security API).",
    no_args_is_help=True,
)

JsonOption = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


def _since(value: str) -> dt.datetime:
    """An ISO 8601 instant, or a look-back such as 7d, 12h, 30m."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if value[-1:] in units and value[:-1].isdigit():
        delta = dt.timedelta(**{units[value[-1]]: int(value[:-1])})
        return dt.datetime.now(dt.UTC) - delta
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"--since {value!r}: give an ISO 8601 time or a look-back like 7d", 2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _filter(
    status: list[IncidentStatus],
    severity: list[Severity],
    assigned_to: str | None,
    since: str | None,
    raw: str | None,
) -> Condition | str | None:
    conditions: list[Condition] = []
    if status:
        conditions.append(IncidentFilter.status.in_(status))
    if severity:
        conditions.append(IncidentFilter.severity.in_(severity))
    if assigned_to is not None:
        conditions.append(IncidentFilter.assigned_to == assigned_to)
    if since is not None:
        conditions.append(IncidentFilter.created >= _since(since))
    if raw is not None:
        if conditions:
            raise fail("--filter replaces the other filter options; use one or the other", 2)
        return raw
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


def _minute(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if moment else ""


def _json(incident: Incident) -> dict[str, Any]:
    data = asdict(incident)
    data.pop("raw", None)
    for alert in data.get("alerts", []):
        alert.pop("raw", None)
    plain: dict[str, Any] = json.loads(json.dumps(data, default=text_value))
    return plain


@incidents_app.command("list")
def list_incidents(
    status: list[IncidentStatus] = typer.Option([], "--status", help="Repeat for several."),
    severity: list[Severity] = typer.Option([], "--severity", help="Repeat for several."),
    assigned_to: str | None = typer.Option(None, "--assigned-to"),
    since: str | None = typer.Option(
        None, "--since", help="Created at or after: ISO 8601, or a look-back like 7d, 12h."
    ),
    raw_filter: str | None = typer.Option(
        None, "--filter", help="A raw OData $filter, in the profile's surface's property names."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many."),
    as_json: bool = JsonOption,
    profile: str | None = ProfileOption,
) -> None:
    """List incidents, most recent first (every page, unless --limit)."""
    condition = _filter(status, severity, assigned_to, since, raw_filter)
    profiles, secrets = stores()
    with reported(), connected(profiles.get(profile), secrets) as client:
        items = list(client.incidents.list(condition, limit=limit))
    if as_json:
        typer.echo(json.dumps([_json(i) for i in items], indent=2))
        return
    table = Table(header_style="bold")
    for name in ("Id", "Created", "Severity", "Status", "Assigned to", "Name"):
        table.add_column(name, justify="right" if name == "Id" else "left")
    for incident in items:
        table.add_row(
            str(incident.id),
            _minute(incident.created),
            str(incident.severity or ""),
            str(incident.status or ""),
            escape(incident.assigned_to or ""),
            escape(incident.display_name),
        )
    table.caption = f"{len(items)} incident{'s' if len(items) != 1 else ''}"
    out.print(table)


@incidents_app.command("show")
def show_incident(
    incident_id: int = typer.Argument(..., help="The incident id."),
    as_json: bool = JsonOption,
    profile: str | None = ProfileOption,
) -> None:
    """Show one incident with its alerts and comments."""
    profiles, secrets = stores()
    with reported(), connected(profiles.get(profile), secrets) as client:
        incident = client.incidents.get(incident_id)
    _print_incident(incident, as_json)


@incidents_app.command("update")
def update_incident(
    incident_id: int = typer.Argument(..., help="The incident id."),
    status: IncidentStatus | None = typer.Option(None, "--status"),
    assigned_to: str | None = typer.Option(
        None, "--assigned-to", help="A user's UPN; an empty string unassigns."
    ),
    classification: Classification | None = typer.Option(None, "--classification"),
    determination: Determination | None = typer.Option(None, "--determination"),
    tags: list[str] | None = typer.Option(
        None, "--tag", help="Replace the tags with these (repeat for several)."
    ),
    comment: str | None = typer.Option(None, "--comment", help="Add a comment."),
    as_json: bool = JsonOption,
    profile: str | None = ProfileOption,
) -> None:
    """Change an incident's status, owner, classification, tags; add a comment."""
    if all(v is None for v in (status, assigned_to, classification, determination, tags, comment)):
        raise fail("nothing to change: give at least one option", 2)
    profiles, secrets = stores()
    with reported(), connected(profiles.get(profile), secrets) as client:
        incident = client.incidents.update(
            incident_id,
            status=status,
            assigned_to=assigned_to,
            classification=classification,
            determination=determination,
            tags=tags,
            comment=comment,
        )
    _print_incident(incident, as_json)


def _print_incident(incident: Incident, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(_json(incident), indent=2))
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("Id", str(incident.id)),
        ("Name", incident.display_name),
        ("Status", str(incident.status or "")),
        ("Severity", str(incident.severity or "")),
        ("Classification", str(incident.classification or "")),
        ("Determination", str(incident.determination or "")),
        ("Assigned to", incident.assigned_to or ""),
        ("Created", str(text_value(incident.created) or "")),
        ("Last updated", str(text_value(incident.last_updated) or "")),
        ("Tags", ", ".join(incident.tags)),
    ]
    for label, value in rows:
        table.add_row(label, escape(value))
    out.print(table)
    if incident.alerts:
        alerts = Table(title="Alerts", header_style="bold")
        alerts.add_column("Id", overflow="fold")
        for name in ("Severity", "Status", "Title"):
            alerts.add_column(name)
        for alert in incident.alerts:
            alerts.add_row(
                escape(alert.id),
                str(alert.severity or ""),
                str(alert.status or ""),
                escape(alert.title),
            )
        out.print(alerts)
    for item in incident.comments:
        who = item.created_by or "someone"
        out.print(
            f"[dim]{text_value(item.created) or ''} {escape(who)}:[/dim] {escape(item.comment)}"
        )
