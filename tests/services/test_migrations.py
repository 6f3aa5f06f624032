"""Migrations: a fresh database reaches head, running again is harmless, and the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from safeclass.db.base import Base
from safeclass.db.migrate import upgrade


def test_migrating_twice_is_harmless_and_schema_matches_models(database) -> None:
    upgrade(database)
    upgrade(database)
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())


def test_sqlite_pragmas(database) -> None:
    if not database.is_sqlite:
        return
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
