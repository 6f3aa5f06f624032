"""Shared AppTest fixtures: a fresh database and the fixture content, wired in through the environment the app reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st

from safeclass.db.engine import Database
from safeclass.domain import Role
from safeclass.ui import resources
from tests.factories import make_account, make_class, make_site

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "tests" / "content" / "valid"


def wire_app(monkeypatch, database_url: str, content: Path) -> None:
    """Point the app at this database and a copy of the fixture content at ``content``, with fresh caches."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SAFECLASS_CONTENT", str(content))
    monkeypatch.setenv("SAFECLASS_COOKIE_KEY", "test-key-" + "x" * 24)
    monkeypatch.delenv("SAFECLASS_DEMO", raising=False)
    monkeypatch.delenv("SAFECLASS_CAMPAIGN", raising=False)
    shutil.copytree(VALID, content)
    st.cache_resource.clear()


@pytest.fixture
def app_env(monkeypatch, tmp_path, sqlite_template) -> Database:
    """A fresh database and the fixture content, wired in through the environment the app reads."""
    path = tmp_path / "app.db"
    shutil.copy(sqlite_template, path)
    wire_app(monkeypatch, f"sqlite:///{path}", tmp_path / "content")
    database = Database(f"sqlite:///{path}")
    with database.transaction() as s:
        site = make_site(s, code="M0001")
        make_account(s, "coord", Role.COORDINATOR)
        make_account(s, "park", Role.PRINCIPAL, site)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        make_account(s, "root", Role.ADMIN)
        make_class(s, teacher, label="2-3")
    yield database
    st.cache_resource.clear()
    database.dispose()


class ContentClock:
    """The clock the catalog's recheck reads (``resources._monotonic``), moved on by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def pass_recheck(self) -> None:
        """Let the recheck interval go by: the next page run looks at the content files again."""
        self.now += resources.CONTENT_RECHECK_SECONDS


@pytest.fixture
def content_clock(monkeypatch) -> ContentClock:
    """A hand-moved clock for the content recheck, so a test sees an edit exactly when it lets time pass."""
    clock = ContentClock()
    monkeypatch.setattr(resources, "_monotonic", clock)
    return clock
