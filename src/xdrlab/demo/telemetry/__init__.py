"""Deterministic synthetic demo telemetry for the hunting lake, with attack stories and the
incidents, alerts and evidence that describe them.

`generate_demo_telemetry(lake, tenant_id, now=...)` writes 29 days of activity before `now` and
returns a `DemoTelemetry` whose `incidents` point at the rows it wrote.
"""

from xdrlab.demo.telemetry.generate import DEFAULT_EVENTS, DemoTelemetry, generate_demo_telemetry
from xdrlab.demo.telemetry.model import AlertSpec, DeviceSpec, EntitySpec, IncidentSpec

__all__ = [
    "DEFAULT_EVENTS",
    "AlertSpec",
    "DemoTelemetry",
    "DeviceSpec",
    "EntitySpec",
    "IncidentSpec",
    "generate_demo_telemetry",
]
