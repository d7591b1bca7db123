"""A small incidents table in a SQLite file, three allow-lists over it, and a helper that runs a
`$filter` and returns the ids it selects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping

import pytest
from sqlalchemy import Engine, String, create_engine, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from xdrlab.api.odata import FilterField, filter_to_sqlalchemy, parse_filter


class Base(DeclarativeBase):
    pass


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    created_time: Mapped[dt.datetime]  # naive UTC
    last_update_time: Mapped[dt.datetime]  # naive UTC
    severity: Mapped[str] = mapped_column(String(20))
    classification: Mapped[str | None] = mapped_column(String(20))
    has_comments: Mapped[bool]


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# id, status, assignedTo, createdTime, lastUpdateTime, severity, classification, hasComments
ROWS = [
    (1, "Active", "alice@contoso.com", "2024-04-01T08:00:00", "2024-05-01T12:34:56.123456", "High", "Unknown", True),
    (2, "InProgress", "bob@contoso.com", "2024-04-15T09:30:00", "2024-05-01T12:34:56.123457", "Medium", "TruePositive", False),
    (3, "Resolved", None, "2024-01-01T00:00:00", "2024-05-02T00:00:00", "Low", "FalsePositive", False),
    (4, "Active", None, "2023-12-31T23:59:59", "2024-04-30T22:00:00", "Informational", "Unknown", True),
    (5, "Redirected", "o'brien@contoso.com", "2024-06-01T00:00:00", "2024-06-01T00:00:00", "High", None, False),
    (6, "Active", "ALICE@contoso.com", "2024-02-10T10:00:00", "2024-05-01T10:11:12", "Low", "Unknown", False),
    (7, "Resolved", "ops_team%@contoso.com", "2024-03-01T00:00:00", "2024-03-01T00:00:00", "Medium", "TruePositive", True),
    (8, "Resolved", "x' or 1 eq 1 --", "2024-03-02T00:00:00", "2024-03-02T00:00:00", "Low", "Unknown", False),
]  # fmt: skip
ALL_IDS = {row[0] for row in ROWS}

STATUSES = ("Active", "InProgress", "Resolved", "Redirected")

DEFENDER_FIELDS = {
    "lastUpdateTime": FilterField(
        "lastUpdateTime", Incident.last_update_time, "datetime", naive_utc=True
    ),
    "createdTime": FilterField("createdTime", Incident.created_time, "datetime", naive_utc=True),
    "status": FilterField("status", Incident.status, "enum", enum_values={s: s for s in STATUSES}),
    "assignedTo": FilterField("assignedTo", Incident.assigned_to, "string"),
}

WIDE_FIELDS = {
    **DEFENDER_FIELDS,
    "assignedTo": FilterField("assignedTo", Incident.assigned_to, "string", case_insensitive=True),
    "id": FilterField("id", Incident.id, "int"),
    "severity": FilterField(
        "severity",
        Incident.severity,
        "enum",
        enum_values={s: s for s in ("Informational", "Low", "Medium", "High")},
    ),
    "classification": FilterField(
        "classification",
        Incident.classification,
        "enum",
        enum_values={s: s for s in ("Unknown", "FalsePositive", "TruePositive")},
    ),
    "hasComments": FilterField("hasComments", Incident.has_comments, "bool"),
}

GRAPH_FIELDS = {
    "status": FilterField(
        "status",
        Incident.status,
        "enum",
        enum_values={s[0].lower() + s[1:]: s for s in STATUSES},
        enum_type="microsoft.graph.security.incidentStatus",
    ),
    "createdDateTime": FilterField(
        "createdDateTime", Incident.created_time, "datetime", naive_utc=True
    ),
}

Select = Callable[[str, Mapping[str, FilterField]], set[int]]


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("odata") / "incidents.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(Incident),
            [
                {
                    "id": i,
                    "status": status,
                    "assigned_to": assigned,
                    "created_time": _t(created),
                    "last_update_time": _t(updated),
                    "severity": severity,
                    "classification": classification,
                    "has_comments": comments,
                }
                for i, status, assigned, created, updated, severity, classification, comments in ROWS
            ],
        )
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def ids(engine: Engine) -> Select:
    """The ids a `$filter` selects against the given allow-list."""

    def run(text: str, fields: Mapping[str, FilterField]) -> set[int]:
        condition = filter_to_sqlalchemy(parse_filter(text), fields)
        with engine.connect() as connection:
            return set(connection.scalars(select(Incident.id).where(condition)))

    return run
