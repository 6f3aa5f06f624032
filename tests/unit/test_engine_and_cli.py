"""Engine errors, the CLI's help texts and commands."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from safeclass.cli import main
from safeclass.db.engine import Database, DatabaseUnavailable, masked


def test_unreachable_database_names_the_url_without_its_password() -> None:
    url = "postgresql+psycopg://campaign:s3cret@127.0.0.1:1/safeclass"
    with pytest.raises(DatabaseUnavailable) as failed:
        Database(url).check()
    message = str(failed.value)
    assert "s3cret" not in message and "campaign:***@127.0.0.1:1/safeclass" in message
    assert "DATABASE_URL" in message
    assert masked("not a url") == "<unparseable URL>"


def test_cli_prints_one_clear_line_for_an_unreachable_database(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:pw@127.0.0.1:1/x")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot connect to the database postgresql+psycopg://u:***@127.0.0.1:1/x")
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["check-content", "migrate", "seed-demo", "create-user", "import-sites"])
def test_every_command_has_help(command, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "usage: python -m safeclass " + command in capsys.readouterr().out


def test_create_user_and_import_sites(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["migrate"]) == 0
    roster = tmp_path / "sites.csv"
    roster.write_text("site_code,name,district,type,expected_students\nM0001,[가상] 중학교,Mapo-gu,middle,300\n", encoding="utf-8")
    assert main(["import-sites", str(roster), "--campaign", "seoul-2025"]) == 0
    assert main(["create-user", "--username", "park", "--role", "principal", "--site", "M0001"]) == 0
    out = capsys.readouterr().out
    assert "1 sites: 1 added, 0 updated" in out and "one-time password" in out
    assert main(["create-user", "--username", "park", "--role", "principal", "--site", "M0001"]) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("site_code,name,district,type,expected_students\nM0002,x,Nowhere,middle,3\n", encoding="utf-8")
    assert main(["import-sites", str(bad)]) == 1
    assert f"{bad}:2 district: 'Nowhere' is not one of Seoul's 25 districts" in capsys.readouterr().out


def test_seed_demo_refuses_outside_demo_mode(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("SAFECLASS_DEMO", raising=False)
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 2
    assert "seed-demo runs only in demo mode" in capsys.readouterr().err
    from safeclass.db.engine import Database

    with Database(f"sqlite:///{tmp_path / 'cli.db'}").reading() as s:
        assert s.scalar(text("SELECT count(*) FROM account")) == 0  # no public demo admin was created


def test_a_locked_sqlite_database_is_recognised_as_busy() -> None:
    from sqlalchemy.exc import OperationalError

    from safeclass.db.engine import is_busy

    assert is_busy(OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked")))
    assert not is_busy(OperationalError("SELECT 1", {}, Exception("unable to open database file")))


def _wal_after(database: Database, transactions: int) -> int:
    """Size of the WAL file after ``transactions`` more small writes."""
    for _ in range(transactions):
        with database.transaction() as s:
            s.execute(text("INSERT INTO wal_probe (payload) VALUES (:p)"), {"p": "x" * 3000})  # about a page each
    return os.path.getsize(f"{database.engine.url.database}-wal")


def test_sqlite_checkpoints_the_wal_itself_after_writers_give_up_their_turn(tmp_path) -> None:
    # Writers take turns (Database._turn); SQLite's own checkpoint, run inside a COMMIT, would hold the
    # turn for an fsync. Database checkpoints every `checkpoint_every` writes instead: the WAL is reused,
    # not grown.
    database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    database.checkpoint_every = 20
    with database.engine.begin() as c:
        c.execute(text("CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, payload TEXT)"))
    with database.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0  # SQLite's own is off
    early = _wal_after(database, 45)  # the pool keeps its connections open: the WAL is not deleted between writes
    late = _wal_after(database, 200)
    database.dispose()
    assert late <= early * 1.5, (early, late)  # without checkpoints it would be about five times the size
