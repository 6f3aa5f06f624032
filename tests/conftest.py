"""Shared fixtures: a fresh database per test (SQLite and PostgreSQL), the shipped catalog, small factories."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from safeclass.content import Catalog, load_catalog
from safeclass.content.models import Campaign
from safeclass.db.base import Base
from safeclass.db.engine import Database
from safeclass.db.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("SAFECLASS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require(available: bool, reason: str) -> None:
    """Skip locally when a service is missing; under CI=true, fail instead (those tests must run)."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped content, which must load without errors."""
    return load_catalog(ROOT).require_ok()


@pytest.fixture(scope="session")
def campaign(catalog: Catalog) -> Campaign:
    """The shipped current campaign (2026-03-01 to 2027-02-28)."""
    return catalog.campaigns["seoul-2026"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    return path


@contextmanager
def migrated_schema(prefix: str) -> Iterator[str]:
    """A migrated PostgreSQL schema of its own (its URL), dropped afterwards; skipped here, failed in CI, without PostgreSQL."""
    try:
        admin = Database(POSTGRES_URL)
        admin.check()
    except Exception as exc:  # any failure means "no PostgreSQL here"
        require(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {str(exc).splitlines()[0]}")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = _with_search_path(schema)
        database = Database(url)
        upgrade(database)
        database.dispose()
        yield url
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A migrated PostgreSQL schema of this run's own, dropped afterwards."""
    with migrated_schema("safeclass_test") as url:
        yield url


def _with_search_path(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A fresh, migrated, empty database for one test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "safeclass.db"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
    else:
        db = Database(request.getfixturevalue("postgres_schema"))
        _truncate_all(db)
    yield db
    db.dispose()


def _truncate_all(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def fixture_catalog() -> Catalog:
    """The small valid content tree under tests/content/valid (every section and question kind)."""
    return load_catalog(ROOT / "tests" / "content" / "valid").require_ok()


@pytest.fixture(scope="session")
def test_campaign(fixture_catalog: Catalog) -> Campaign:
    """The fixture campaign: middle students do test-lesson + test-quiz; principals test-training + test-certification."""
    return fixture_catalog.campaigns["test-campaign"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many hostile inputs, guesses and cross-scope attempts the security tests tried, and what became of them."""
    from tests.security_tally import summary

    lines = summary()
    if lines:
        terminalreporter.write_sep("=", "security: hostile inputs, guesses and cross-scope attempts")
        for line in lines:
            terminalreporter.write_line(line)
