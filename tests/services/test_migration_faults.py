"""A migration interrupted half-way (an exception, or the process killed) and run again leaves a working database."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import op
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from safeclass.db.base import Base
from safeclass.db.engine import Database
from safeclass.db.migrate import upgrade
from tests.conftest import POSTGRES_URL, ROOT, _with_search_path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no tables at all, on SQLite and on PostgreSQL (a schema of its own)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield db
        db.dispose()
        return
    request.getfixturevalue("postgres_schema")  # skips (or fails under CI) when PostgreSQL is missing
    admin = Database(POSTGRES_URL)
    schema = f"safeclass_mig_{uuid.uuid4().hex[:10]}"
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(_with_search_path(schema))
    yield db
    db.dispose()
    with admin.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _at_0001_with_a_site(database: Database) -> None:
    upgrade(database, "0001")
    with database.engine.begin() as connection:
        columns = "code, name, district, site_type, expected_students, synthetic"
        connection.execute(text(f"INSERT INTO site ({columns}) VALUES ('M1', 'x', 'Mapo-gu', 'middle', 3, false)"))


def _assert_working_head(database: Database) -> None:
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        assert connection.execute(text("SELECT code FROM site")).scalars().all() == ["M1"]  # data written before survives
    assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())


def _head() -> str:
    from alembic.script import ScriptDirectory

    from safeclass.db.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_a_migration_that_fails_half_way_is_rolled_back_and_a_rerun_reaches_head(empty_database: Database, monkeypatch) -> None:
    database = empty_database
    _at_0001_with_a_site(database)
    real_create_table = op.create_table
    calls = []

    def failing_create_table(name, *columns, **kw):
        calls.append(name)
        if name == "throttle_event":  # after 0002 has already altered two tables and created check_answer
            raise RuntimeError("disk full (simulated)")
        return real_create_table(name, *columns, **kw)

    monkeypatch.setattr(op, "create_table", failing_create_table)
    with pytest.raises(RuntimeError, match="simulated"):
        upgrade(database)
    assert calls == ["check_answer", "throttle_event"]
    with database.engine.connect() as connection:
        # Nothing of the half-run migration stays: the schema is 0001's, whole.
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    tables = set(inspect(database.engine).get_table_names())
    assert "check_answer" not in tables and "throttle_event" not in tables
    assert "drawn" not in {c["name"] for c in inspect(database.engine).get_columns("quiz_attempt")}
    monkeypatch.setattr(op, "create_table", real_create_table)
    upgrade(database)
    _assert_working_head(database)


def test_a_migration_killed_half_way_leaves_a_database_that_a_rerun_brings_to_head(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    database = Database(f"sqlite:///{path}")
    _at_0001_with_a_site(database)
    database.dispose()
    # A process that dies (power cut, OOM kill) in the middle of 0002: no exception handler, no rollback.
    script = textwrap.dedent(
        f"""
        import os
        from alembic import op
        from safeclass.db.engine import Database
        from safeclass.db.migrate import upgrade
        real = op.create_table
        def dying(name, *a, **kw):
            if name == "throttle_event":
                os._exit(9)
            return real(name, *a, **kw)
        op.create_table = dying
        upgrade(Database("sqlite:///{path}"))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr[-800:]
    database = Database(f"sqlite:///{path}")
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        upgrade(database)
        _assert_working_head(database)
    finally:
        database.dispose()
