"""A typed OData `$filter` builder for incidents and alerts.

    from xdrlab.sdk import IncidentFilter as F, IncidentStatus, Severity
    f = (F.status == IncidentStatus.ACTIVE) & (F.created >= since) & F.severity.in_(
        [Severity.HIGH, Severity.MEDIUM])

A condition is rendered for the client's surface: property names (`createdTime` on the
Defender API, `createdDateTime` on Graph) and enum spellings (`'Active'` / `'active'`) follow
it. A property the surface cannot filter on raises `ValueError` before any call is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from xdrlab.sdk._models import (
    AlertStatus,
    Classification,
    Determination,
    IncidentStatus,
    Severity,
)

Kind = Literal["datetime", "string", "enum"]
# A surface's way to spell a property and an enum value.
Spelling = tuple[Mapping[str, str], Callable[[str, StrEnum | str], str]]


class Condition:
    """A `$filter` expression; combine with `&`, `|` and `~`."""

    def render(self, spelling: Spelling) -> str:
        raise NotImplementedError

    def __and__(self, other: Condition) -> Condition:
        return _Junction("and", (self, other))

    def __or__(self, other: Condition) -> Condition:
        return _Junction("or", (self, other))

    def __invert__(self) -> Condition:
        return _Not(self)


@dataclass(frozen=True, eq=False)
class _Junction(Condition):
    op: str
    parts: tuple[Condition, ...]

    def render(self, spelling: Spelling) -> str:
        return f" {self.op} ".join(_grouped(p, spelling) for p in self.parts)


@dataclass(frozen=True, eq=False)
class _Not(Condition):
    inner: Condition

    def render(self, spelling: Spelling) -> str:
        return f"not ({self.inner.render(spelling)})"


def _grouped(condition: Condition, spelling: Spelling) -> str:
    text = condition.render(spelling)
    return f"({text})" if isinstance(condition, _Junction) else text


@dataclass(frozen=True, eq=False)
class _Compare(Condition):
    field: Field
    op: str
    value: Any

    def render(self, spelling: Spelling) -> str:
        names, spell_enum = spelling
        name = names.get(self.field.name)
        if name is None:
            raise ValueError(f"this API cannot filter on {self.field.name!r}")
        return f"{name} {self.op} {self.field.literal(self.value, spell_enum)}"


class Field:
    """One filterable property; compare it with Python operators or the named methods."""

    def __init__(self, name: str, kind: Kind, enum: type[StrEnum] | None = None) -> None:
        self.name = name
        self.kind = kind
        self.enum = enum

    def __repr__(self) -> str:
        return f"Field({self.name!r})"

    def literal(self, value: Any, spell_enum: Callable[[str, StrEnum | str], str]) -> str:
        if value is None:
            return "null"
        if self.kind == "datetime":
            if not isinstance(value, dt.datetime) or value.tzinfo is None:
                raise ValueError(f"{self.name} compares with timezone-aware datetimes")
            text = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
            if value.microsecond:
                text += f".{value.astimezone(dt.UTC).microsecond:06d}"
            return text + "Z"  # unquoted, as OData and the Defender samples write it
        if self.kind == "enum":
            if self.enum is not None and not isinstance(value, StrEnum):
                value = self.enum(value) if value in set(self.enum) else str(value)
            return _quote(spell_enum(self.name, value))
        return _quote(str(value))

    def eq(self, value: Any) -> Condition:
        return _Compare(self, "eq", value)

    def ne(self, value: Any) -> Condition:
        return _Compare(self, "ne", value)

    def gt(self, value: Any) -> Condition:
        return _Compare(self, "gt", value)

    def ge(self, value: Any) -> Condition:
        return _Compare(self, "ge", value)

    def lt(self, value: Any) -> Condition:
        return _Compare(self, "lt", value)

    def le(self, value: Any) -> Condition:
        return _Compare(self, "le", value)

    def in_(self, values: Iterable[Any]) -> Condition:
        """Any of `values` (rendered as `eq ... or eq ...`, which every OData service reads)."""
        parts = tuple(self.eq(v) for v in values)
        if not parts:
            raise ValueError("in_() needs at least one value")
        return parts[0] if len(parts) == 1 else _Junction("or", parts)

    def __eq__(self, value: Any) -> Condition:  # type: ignore[override]
        return self.eq(value)

    def __ne__(self, value: Any) -> Condition:  # type: ignore[override]
        return self.ne(value)

    def __gt__(self, value: Any) -> Condition:
        return self.gt(value)

    def __ge__(self, value: Any) -> Condition:
        return self.ge(value)

    def __lt__(self, value: Any) -> Condition:
        return self.lt(value)

    def __le__(self, value: Any) -> Condition:
        return self.le(value)

    __hash__ = object.__hash__


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class IncidentFilter:
    """Filterable incident properties. The Defender API filters on `status`, `assigned_to`,
    `created` and `last_updated`; Graph also on `severity`, `classification`, `determination`."""

    status = Field("status", "enum", IncidentStatus)
    severity = Field("severity", "enum", Severity)
    classification = Field("classification", "enum", Classification)
    determination = Field("determination", "enum", Determination)
    assigned_to = Field("assigned_to", "string")
    created = Field("created", "datetime")
    last_updated = Field("last_updated", "datetime")


class AlertFilter:
    """Filterable alert properties (Graph `alerts_v2`)."""

    status = Field("status", "enum", AlertStatus)
    severity = Field("severity", "enum", Severity)
    classification = Field("classification", "enum", Classification)
    determination = Field("determination", "enum", Determination)
    service_source = Field("service_source", "string")
    assigned_to = Field("assigned_to", "string")
    created = Field("created", "datetime")
    last_updated = Field("last_updated", "datetime")


def render_filter(condition: Condition | str | None, spelling: Spelling) -> str | None:
    if condition is None or isinstance(condition, str):
        return condition
    return condition.render(spelling)
