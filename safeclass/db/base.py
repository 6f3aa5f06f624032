"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, mapped_column

from safeclass import clock

# Named constraints let Alembic's batch mode (SQLite) drop and recreate them reliably.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (from ``safeclass.clock``, so tests can set it)."""
    return clock.now()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:  # noqa: ANN001, D102
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass a timezone-aware UTC time")
            value = value.astimezone(dt.UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:  # noqa: ANN001, D102
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """The one declarative base of SafeClass."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {dt.datetime: UTCDateTime()}


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]
content_id = Annotated[str, mapped_column(String(64))]
content_hash = Annotated[str, mapped_column(String(64))]
campaign_id = Annotated[str, mapped_column(String(64), index=True)]
# The learners' record tables (millions of rows, nearly all of one campaign) are always reached through a
# learner, an account or a class; an index on campaign_id alone selects nothing, yet SQLite's planner (no
# statistics) preferred it to the learner's index: *My site* read the whole campaign (270 → 40 ms, 100,000
# learners; migration 0009). Their campaign_id is covered by the (learner_id, campaign_id, …) indexes instead.
record_campaign_id = Annotated[str, mapped_column(String(64))]
