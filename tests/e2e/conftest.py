"""A real `streamlit run` on a free port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from safeclass.db.engine import Database
from safeclass.domain import Role
from tests.conftest import ROOT, require
from tests.factories import make_account, make_class, make_site

CHROMIUM = os.environ.get("SAFECLASS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(folder: Path, template: Path, content: Path, setup, extra_env: dict | None = None) -> Iterator[dict]:
    """Run the app over a copy of ``template`` prepared by ``setup(session) -> dict``; yields its URL and what setup returned."""
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    shutil.copy(template, folder / "e2e.db")
    url = f"sqlite:///{folder / 'e2e.db'}"
    database = Database(url)
    with database.transaction() as s:
        info = setup(s)
    database.dispose()
    with running_app(url, content, extra_env) as base:
        yield {"url": base, "database_url": url, **info}


def _shipped_setup(s) -> dict:
    site = make_site(s, code="M0001", campaign_id="seoul-2026")
    make_account(s, "coordinator", Role.COORDINATOR)
    teacher = make_account(s, "teacher", Role.TEACHER, site)
    return {"join_code": make_class(s, teacher).join_code}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict]:
    """The app on the shipped content and a fresh database with one site, staff accounts and a class."""
    yield from start_app(tmp_path_factory.mktemp("e2e"), sqlite_template, ROOT, _shipped_setup)


@contextmanager
def running_app(url: str, content: Path = ROOT, extra_env: dict | None = None, port: int | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on ``port`` (a free one if None) against the database at ``url``; yields its base URL."""
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    port = port or _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SAFECLASS_COOKIE_KEY": "e2e-" + "k" * 28, "SAFECLASS_CONTENT": str(content)}
    env.update(extra_env or {})
    env.pop("SAFECLASS_DEMO", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"streamlit did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def chromium() -> Iterator:
    """Debian's headless Chromium, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def browser(server: dict) -> Iterator:
    """Headless Chromium, once the module's server runs."""
    with chromium() as instance:
        yield instance


def settled(page) -> None:
    """Wait until Streamlit has finished running the script (its status widget is gone)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)


def click(page, name: str) -> None:
    """Click the main area's button ``name`` once the page has settled, and wait for the run it starts."""
    settled(page)
    page.get_by_test_id("stMain").get_by_role("button", name=name, exact=True).first.click()
    settled(page)


@pytest.fixture
def page(browser, server: dict) -> Iterator:
    """A fresh browser context (no cookies) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server["url"])
    yield page
    context.close()


def open_sign_in(page) -> None:
    """Open the staff sign-in page from the sidebar."""
    open_page(page, "교직원 로그인", "교직원 로그인")


def open_page(page, link: str, heading_name: str, *, exact: bool = False) -> None:
    """Open a page from the sidebar; a click made while the session is still running a rerun (or loading its
    first page) can be lost, so it is retried until the page's heading is there."""
    heading = page.get_by_role("heading", name=heading_name, exact=True)
    for _ in range(4):
        page.wait_for_timeout(300)
        page.get_by_role("link", name=link, exact=exact).first.click()
        try:
            heading.wait_for(timeout=8_000)
            return
        except Exception:
            continue
    heading.wait_for(timeout=8_000)
