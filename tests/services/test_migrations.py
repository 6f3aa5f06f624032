"""Migrations: a fresh database reaches head, running again is harmless, and the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from safeclass.db.base import Base
from safeclass.db.migrate import downgrade, upgrade
from safeclass.db.models import Learner, QuestionRollup
from tests.services.test_reports import two_districts  # noqa: F401 (a fixture)


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


def test_0007_counts_the_answers_already_stored(database, two_districts) -> None:  # noqa: F811
    def rollup() -> set[tuple]:
        with database.reading() as s:
            return set(s.execute(select(*QuestionRollup.__table__.columns)).all())

    def learners() -> int:
        with database.reading() as s:
            return s.scalar(select(func.count()).select_from(Learner))

    counted, seated = rollup(), learners()  # kept by the services as the answers came in
    downgrade(database, "0006")
    assert learners() == seated  # SQLite rebuilds class_group on the way: its learners must survive it
    upgrade(database)  # 0007 again, over a database whose answers it has not seen
    assert counted and rollup() == counted and learners() == seated
