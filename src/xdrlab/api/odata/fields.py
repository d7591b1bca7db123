"""The allow-list: which properties a resource lets `$filter` use, and how each is stored.

A resource passes ``{odata_name: FilterField(...)}`` to `filter_to_sqlalchemy`; a property not in
the mapping cannot be filtered on. Property names match exactly first, then case-insensitively
when that is unambiguous (what ASP.NET OData does by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from sqlalchemy import ColumnElement
from sqlalchemy.orm import QueryableAttribute

from xdrlab.api.odata.errors import ODataError, quoted

FieldKind: TypeAlias = Literal["datetime", "string", "enum", "int", "bool"]

EDM_NAMES: Mapping[FieldKind, str] = {
    "datetime": "Edm.DateTimeOffset",
    "string": "Edm.String",
    "enum": "enum",
    "int": "Edm.Int64",
    "bool": "Edm.Boolean",
}


@dataclass(frozen=True)
class FilterField:
    """One filterable property.

    - `column`: the column (Core ``Column`` or ORM attribute) the property is stored in.
    - `kind`: decides which operators and literals are allowed.
    - `enum_values` (enums only): literal -> stored value. Literals match case-insensitively, so
      ``{"active": "Active"}`` accepts ``'active'``, ``'Active'`` and ``'ACTIVE'``.
    - `enum_type` (enums only, optional): the qualified type name, e.g.
      ``microsoft.graph.security.incidentStatus``; if set, a qualified literal
      (``microsoft.graph.security.incidentStatus'active'``) must name this type.
    - `naive_utc` (date-times): the column stores naive UTC, so literals are converted to UTC and
      their offset dropped; otherwise they are bound as aware UTC datetimes.
    - `case_insensitive` (strings): compare ``lower(column)`` with ``lower(literal)``. Otherwise
      ``eq``/``ne``/``in`` are exact and the pattern functions follow the database's LIKE (which
      on SQLite ignores ASCII case).
    """

    name: str
    column: ColumnElement[Any] | QueryableAttribute[Any]
    kind: FieldKind
    enum_values: Mapping[str, str | int] = field(default_factory=dict)
    enum_type: str | None = None
    naive_utc: bool = False
    case_insensitive: bool = False

    def __post_init__(self) -> None:
        if (self.kind == "enum") != bool(self.enum_values):
            raise ValueError(f"{self.name}: enum_values is needed for, and only for, enum fields")
        folded = {key.casefold() for key in self.enum_values}
        if len(folded) != len(self.enum_values):
            raise ValueError(f"{self.name}: enum literals must differ other than in case")

    @property
    def expression(self) -> ColumnElement[Any]:
        column = self.column
        return column.expression if isinstance(column, QueryableAttribute) else column

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.expression, "nullable", True))

    @property
    def type_name(self) -> str:
        return self.enum_type or EDM_NAMES[self.kind]

    def enum_member(self, literal: str) -> str | int:
        """The stored value for an enum literal, matched case-insensitively."""
        folded = literal.casefold()
        for key, stored in self.enum_values.items():
            if key.casefold() == folded:
                return stored
        valid = ", ".join(self.enum_values)
        raise ODataError(
            f"The value {quoted(literal)} is not valid for property {quoted(self.name)}; "
            f"valid values are: {valid}"
        )


def resolve(fields: Mapping[str, FilterField], name: str) -> FilterField | None:
    """The field for `name`: an exact match, else the only case-insensitive one, else None."""
    if name in fields:
        return fields[name]
    folded = name.casefold()
    matches = [f for key, f in fields.items() if key.casefold() == folded]
    return matches[0] if len(matches) == 1 else None


def require(fields: Mapping[str, FilterField], name: str) -> FilterField:
    found = resolve(fields, name)
    if found is None:
        allowed = ", ".join(sorted(fields, key=str.casefold)) or "none"
        raise ODataError(
            f"Property {quoted(name)} is not filterable; filterable properties are: {allowed}"
        )
    return found
