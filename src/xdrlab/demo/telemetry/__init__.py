"""Deterministic synthetic demo telemetry for the hunting lake, with attack stories and the
incidents, alerts and evidence that describe them."""

from xdrlab.demo.telemetry.model import AlertSpec, DeviceSpec, EntitySpec, IncidentSpec

__all__ = ["AlertSpec", "DeviceSpec", "EntitySpec", "IncidentSpec"]
