"""Alembic environment: batch mode for SQLite, our metadata and naming convention."""

from alembic import context
from sqlalchemy import create_engine

from safeclass.db import models  # noqa: F401  (registers every table on the metadata)
from safeclass.db.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations on the connection handed in by safeclass.db.migrate, or on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _migrate(connection)
        return
    _migrate(connection)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
