"""The enum values incidents and alerts take, and their Graph (camelCase) spellings.

Values are stored as the Defender API spells them. Where the documentation spells one value two
ways (the update page and the resource page disagree), both are accepted and the stored form is
the first one listed.
"""

from __future__ import annotations

INCIDENT_STATUSES = ("Active", "InProgress", "Resolved", "Redirected")
SEVERITIES = ("UnSpecified", "Informational", "Low", "Medium", "High")
CLASSIFICATIONS = ("Unknown", "TruePositive", "InformationalExpectedActivity", "FalsePositive")

# Determinations allowed with each classification (update page), and accepted synonyms.
DETERMINATIONS_BY_CLASSIFICATION: dict[str, tuple[str, ...]] = {
    "TruePositive": (
        "MultiStagedAttack",
        "MaliciousUserActivity",
        "CompromisedAccount",
        "Malware",
        "Phishing",
        "UnwantedSoftware",
        "Other",
    ),
    "InformationalExpectedActivity": (
        "SecurityTesting",
        "LineOfBusinessApplication",
        "ConfirmedActivity",
        "Other",
    ),
    "FalsePositive": ("Clean", "NoEnoughDataToValidate", "Other"),
    "Unknown": ("NotAvailable",),
}
ALL_DETERMINATIONS = tuple(
    dict.fromkeys(d for ds in DETERMINATIONS_BY_CLASSIFICATION.values() for d in ds)
)
DETERMINATION_SYNONYMS = {
    "CompromisedUser": "CompromisedAccount",
    "ConfirmedUserActivity": "ConfirmedActivity",
    "InsufficientData": "NoEnoughDataToValidate",
    "NotMalicious": "Clean",
}

# Graph spellings that are not simply the Defender value with a lower-case first letter.
_GRAPH_SPECIAL = {
    "UnSpecified": "unknown",
    "NotAvailable": "unknown",
    "CompromisedAccount": "compromisedUser",
    "ConfirmedActivity": "confirmedUserActivity",
    "NoEnoughDataToValidate": "insufficientData",
    "EDR": "microsoftDefenderForEndpoint",
    "WindowsDefenderAv": "antivirus",
    "WindowsDefenderSmartScreen": "smartScreen",
    "OfficeATP": "microsoftDefenderForOffice365",
    "MCAS": "microsoftDefenderForCloudApps",
    "AzureATP": "microsoftDefenderForIdentity",
    "MTP": "microsoft365Defender",
    "CustomTI": "customTi",
    "AutomatedInvestigation": "automatedInvestigation",
    "CustomDetection": "customDetection",
}
_FROM_GRAPH_SPECIAL = {
    "unknown": None,  # depends on the property; see from_graph
    "compromisedUser": "CompromisedAccount",
    "confirmedUserActivity": "ConfirmedActivity",
    "insufficientData": "NoEnoughDataToValidate",
    "notEnoughDataToValidate": "NoEnoughDataToValidate",
    "notMalicious": "Clean",
}


def to_graph(value: str | None) -> str | None:
    """`TruePositive` → `truePositive`, with the documented exceptions."""
    if value is None:
        return None
    special = _GRAPH_SPECIAL.get(value)
    if special is not None:
        return special
    return value[:1].lower() + value[1:]


def from_graph(value: str, allowed: tuple[str, ...], unknown: str) -> str | None:
    """A Graph enum literal back to the stored value, or None if it is not allowed."""
    if value == "unknown":
        return unknown if unknown in allowed else None
    special = _FROM_GRAPH_SPECIAL.get(value)
    if special is not None:
        return special if special in allowed else None
    return canonical(value, allowed)


def canonical(value: str, allowed: tuple[str, ...]) -> str | None:
    """The stored spelling of `value` (matched case-insensitively), or None."""
    wanted = value.strip().lower()
    return next((a for a in allowed if a.lower() == wanted), None)


def canonical_determination(value: str) -> str | None:
    found = canonical(value, ALL_DETERMINATIONS + tuple(DETERMINATION_SYNONYMS))
    if found is None:
        return None
    return DETERMINATION_SYNONYMS.get(found, found)
