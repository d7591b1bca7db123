"""Incidents and alerts as the SDK hands them out, whichever surface they came from. Enum values
use the Graph security API's spelling (`active`, `truePositive`); `_surfaces` translates to and
from the Defender API's (`Active`, `TruePositive`). Values a newer service adds arrive as plain
strings instead of failing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Surface(StrEnum):
    """Which API the client talks to: the Graph security API (`/v1.0/security/...`, the
    successor) or the Defender API (`/api/...`, retiring in 2027)."""

    GRAPH = "graph"
    DEFENDER = "defender"


class IncidentStatus(StrEnum):
    ACTIVE = "active"
    IN_PROGRESS = "inProgress"
    RESOLVED = "resolved"
    REDIRECTED = "redirected"
    AWAITING_ACTION = "awaitingAction"


class AlertStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "inProgress"
    RESOLVED = "resolved"


class Severity(StrEnum):
    UNKNOWN = "unknown"
    INFORMATIONAL = "informational"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Classification(StrEnum):
    UNKNOWN = "unknown"
    FALSE_POSITIVE = "falsePositive"
    TRUE_POSITIVE = "truePositive"
    INFORMATIONAL_EXPECTED_ACTIVITY = "informationalExpectedActivity"


class Determination(StrEnum):
    UNKNOWN = "unknown"
    APT = "apt"
    MALWARE = "malware"
    SECURITY_PERSONNEL = "securityPersonnel"
    SECURITY_TESTING = "securityTesting"
    UNWANTED_SOFTWARE = "unwantedSoftware"
    OTHER = "other"
    MULTI_STAGED_ATTACK = "multiStagedAttack"
    COMPROMISED_USER = "compromisedUser"
    PHISHING = "phishing"
    MALICIOUS_USER_ACTIVITY = "maliciousUserActivity"
    CLEAN = "clean"
    INSUFFICIENT_DATA = "insufficientData"
    CONFIRMED_USER_ACTIVITY = "confirmedUserActivity"
    LINE_OF_BUSINESS_APPLICATION = "lineOfBusinessApplication"


@dataclass(frozen=True)
class Comment:
    comment: str
    created_by: str | None
    created: dt.datetime | None


@dataclass(frozen=True)
class Alert:
    id: str
    incident_id: int | None
    title: str
    status: AlertStatus | str | None
    severity: Severity | str | None
    classification: Classification | str | None
    determination: Determination | str | None
    category: str | None
    service_source: str | None
    detection_source: str | None
    assigned_to: str | None
    description: str | None
    created: dt.datetime | None
    last_updated: dt.datetime | None
    resolved: dt.datetime | None
    first_activity: dt.datetime | None
    last_activity: dt.datetime | None
    mitre_techniques: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Incident:
    id: int
    display_name: str
    status: IncidentStatus | str | None
    severity: Severity | str | None
    classification: Classification | str | None
    determination: Determination | str | None
    assigned_to: str | None
    created: dt.datetime | None
    last_updated: dt.datetime | None
    tags: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    redirect_incident_id: int | None = None
    description: str | None = None
    web_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
