"""`python -m safeclass backup`: a consistent copy of SQLite while writers keep writing; PostgreSQL is refused with pg_dump."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from safeclass import clock
from safeclass.cli import main
from safeclass.db.backup import BackupRefused, backup_sqlite
from safeclass.db.base import Base
from safeclass.db.engine import Database
from safeclass.db.models import ThrottleEvent

SEED_ROWS = 20_000  # enough pages that the copy takes a while, so writers really run during it


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path):
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def test_backup_while_writers_write_is_a_consistent_snapshot(sqlite_db: Database, tmp_path: Path) -> None:
    with sqlite_db.transaction() as s:
        s.execute(insert(ThrottleEvent), [{"scope": "seed", "key": f"{i:06d}" + "x" * 150, "at": clock.now()} for i in range(SEED_ROWS)])
    stop, written, failures = threading.Event(), [], []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            try:
                with sqlite_db.transaction() as s:  # each row its own transaction: the copy must hold a prefix
                    s.add(ThrottleEvent(scope="live", key=str(n), at=clock.now()))
                written.append(n)
                n += 1
            except Exception as exc:  # any failure of the app's writes during a backup fails the test
                failures.append(exc)
                return

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.005)
        result = backup_sqlite(sqlite_db, tmp_path / "copy.db")
        during = len(written)
        while len(written) < during + 20:  # and writing goes on after the copy
            stop.wait(0.005)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    copy = Database(f"sqlite:///{result.path}")
    try:
        with copy.reading() as s:
            assert s.scalar(select(ThrottleEvent.id).where(ThrottleEvent.scope == "seed").order_by(ThrottleEvent.id.desc()).limit(1))
            seeds = s.scalars(select(ThrottleEvent.key).where(ThrottleEvent.scope == "seed")).all()
            live = sorted(int(k) for k in s.scalars(select(ThrottleEvent.key).where(ThrottleEvent.scope == "live")))
        with copy.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        copy.dispose()
    assert len(seeds) == SEED_ROWS
    assert live == list(range(len(live)))  # committed writes in order, none half-there, no gap
    assert 20 <= len(live) < len(written)  # it ran while writers wrote; later writes are not in it
    assert result.rows["throttle_event"] == SEED_ROWS + len(live)
    assert not (tmp_path / "copy.db-wal").exists() and not (tmp_path / "copy.db.partial").exists()


def test_backup_never_overwrites(sqlite_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    with pytest.raises(BackupRefused, match="already exists"):
        backup_sqlite(sqlite_db, target)
    assert target.read_text() == "keep me"


def test_backup_command_copies_sqlite_and_refuses_postgres_with_pg_dump(monkeypatch, sqlite_db: Database, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_db.url)
    assert main(["backup", str(tmp_path / "b" / "copy.db")]) == 0
    out = capsys.readouterr().out
    assert f"backed up to {tmp_path / 'b' / 'copy.db'}" in out and "integrity ok" in out and "site" in out
    monkeypatch.setenv("SAFECLASS_DATA", str(tmp_path / "data"))
    assert main(["backup"]) == 0  # the default name, under data/backups/
    assert len(list((tmp_path / "data" / "backups").glob("safeclass-*.db"))) == 1
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:pw@127.0.0.1:1/x")
    assert main(["backup"]) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "docs/operations.md" in err and "pw" not in err
