"""A consistent copy of the embedded SQLite database while the app keeps running (SQLite's online backup API)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from safeclass.db.engine import Database

PG_DUMP_HINT = (
    "backup copies the embedded SQLite database only. For PostgreSQL use the managed service's continuous backups and "
    "a logical dump: pg_dump --format=custom --file=safeclass-$(date +%F).dump \"$DATABASE_URL\" (without the '+psycopg'; "
    "see docs/operations.md, Backups)"
)


class BackupRefused(RuntimeError):
    """The backup cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class BackupResult:
    """Where the copy went, its size, and the rows it holds per table (read back from the copy)."""

    path: Path
    size: int
    rows: dict[str, int]


def backup_sqlite(database: Database, target: Path) -> BackupResult:
    """Copy the SQLite database to ``target`` in one consistent step, then open the copy and check it."""
    if not database.is_sqlite:
        raise BackupRefused(PG_DUMP_HINT)
    source = make_url(database.url).database
    if not source or source == ":memory:" or not Path(source).is_file():
        raise BackupRefused(f"no SQLite database file at {source!r}: run `python -m safeclass migrate` first")
    target = Path(target)
    if target.exists():
        raise BackupRefused(f"{target} already exists: choose a new file name (a backup never overwrites)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # One step (pages=-1) copies a single snapshot under a read transaction: in WAL mode the app's writers go on
    # meanwhile, and none of their half-done work is in the copy. (Stepwise copies restart on every write.)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    check = sqlite3.connect(partial)
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupRefused(f"the copy failed SQLite's integrity check ({verdict}); the database itself may be damaged")
        tables = [
            r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        ]
        rows = {t: check.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        check.close()
    os.replace(partial, target)  # only a checked copy gets the name
    return BackupResult(path=target, size=target.stat().st_size, rows=rows)
