"""Directory roles that give access to the Defender portal (and so, for users, to the API)."""

from __future__ import annotations

# Role name -> role template id (the value that appears in a user token's `wids`).
DIRECTORY_ROLES: dict[str, str] = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Security Operator": "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Security Reader": "5d6b6bb7-de71-4623-b4af-96380a352509",
}


def canonical_role(name: str) -> str | None:
    """The catalogue spelling of a role name given in any case, or None if unknown."""
    return next((role for role in DIRECTORY_ROLES if role.lower() == name.strip().lower()), None)
