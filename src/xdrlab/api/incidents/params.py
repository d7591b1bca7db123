"""Path parameters shared by both surfaces."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Incident ids are 64-bit (`long`); anything outside that range names no incident.
IncidentId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The incident's numeric id (`incidentId`).")
]
