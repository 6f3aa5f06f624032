"""Run Alembic migrations programmatically (``python -m safeclass migrate``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from safeclass.db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; running it again is harmless."""
    _run(database, command.upgrade, revision)


def downgrade(database: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (for tests and for an operator undoing a release)."""
    _run(database, command.downgrade, revision)


def _run(database: Database, step: Callable[[Config, str], None], revision: str) -> None:
    database.check()
    config = alembic_config(database.url)
    with database.engine.connect() as connection:
        if database.is_sqlite:
            # SQLite alters a table by copying it and dropping the original; with foreign keys enforced that
            # DROP deletes every child row through ON DELETE CASCADE (a class's learners and all their records).
            # The pragma only takes effect outside a transaction, so it goes to the driver before BEGIN.
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
                if database.is_sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:  # rolled back: a migration left rows pointing nowhere
                        raise RuntimeError(f"migration to {revision} broke {len(broken)} foreign keys, e.g. {broken[0]}")
        finally:
            if database.is_sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # the driver is in autocommit mode: no BEGIN
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()
