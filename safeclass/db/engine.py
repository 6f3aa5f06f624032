"""Engines and sessions: SQLite with WAL and BEGIN IMMEDIATE for writes, or PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000  # a writer waits this long for another writer instead of failing at once
# Write transactions between two WAL checkpoints (SQLite's own automatic one comes every ~1,000 pages,
# about 200-400 of this app's small transactions).
SQLITE_CHECKPOINT_EVERY = 200


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite saying another writer held the lock past the busy timeout (worth one more try)."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig or exc)


log = logging.getLogger("safeclass")


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message names it (password masked) and what to do."""


def masked(url: str) -> str:
    """The URL with any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, synchronous=NORMAL, foreign keys and immediate write locks."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL ({masked(url)}): {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    except NoSuchModuleError as exc:
        raise DatabaseUnavailable(f"unsupported database URL {masked(url)}: use sqlite:///path or postgresql+psycopg://…") from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy's "begin" event emit BEGIN itself instead of pysqlite's implicit, deferred one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # SQLite's automatic checkpoint runs inside the COMMIT of whichever write crossed the threshold,
        # while that writer still holds this process's writer turn (Database._turn): one fsync-bound
        # checkpoint on a busy disk then held up every writer behind it. Database checkpoints instead,
        # after the turn is given up (Database._checkpoint).
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        # A deferred BEGIN that later upgrades to a write fails at once under contention; writers take
        # the lock up front. Read-only sessions stay deferred so dashboards never wait for writers.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: sessions for user actions (one transaction each) and for reads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writes = sessionmaker(bind=writer, expire_on_commit=False)
        self._reads = sessionmaker(bind=self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Writers of this process queue here, in turn, instead of in
        # SQLite's busy handler, which polls with sleeps of up to 100 ms: under a class's burst of saves
        # the lock sat free while the waiting threads slept. Other processes still meet the busy timeout.
        self._writer_turn = threading.RLock() if self.is_sqlite else None
        self._writes_done = itertools.count(1)
        self.checkpoint_every = SQLITE_CHECKPOINT_EVERY

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together at the end of the block, or not at all.

        An exception marked ``keep_changes`` (a refusal that recorded a failed guess) commits first.
        """
        try:
            with self._turn(), self._writes() as session:
                session.begin()
                try:
                    yield session
                except BaseException as exc:
                    if getattr(exc, "keep_changes", False):
                        session.commit()
                    else:
                        session.rollback()
                    raise
                session.commit()
        finally:
            if self._writer_turn is not None and next(self._writes_done) % self.checkpoint_every == 0:
                self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the SQLite WAL back into the database, outside any writer's turn; never fails the action before it."""
        try:
            raw = self.engine.raw_connection()
            try:
                # PASSIVE: copies what no reader still needs, waits for nobody, and blocks no writer.
                raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                raw.close()
        except (SQLAlchemyError, sqlite3.Error):
            log.warning("WAL checkpoint skipped", exc_info=True)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn to write to SQLite (nothing on PostgreSQL, whose locks are per row)."""
        if self._writer_turn is None:
            yield
            return
        # Past the busy timeout, go on without the turn: SQLite's own lock then decides, as it always did.
        held = self._writer_turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            yield
        finally:
            if held:
                self._writer_turn.release()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only."""
        with self._reads() as session:
            yield session

    def check(self) -> None:
        """Connect once; raise DatabaseUnavailable with a clear message if that fails."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailable(
                f"cannot connect to the database {masked(self.url)}: {reason}\n"
                "Check that the server is running and DATABASE_URL is right, or unset DATABASE_URL to use "
                "the embedded SQLite database."
            ) from exc

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
