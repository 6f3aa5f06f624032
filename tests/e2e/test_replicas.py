"""Two replicas on one PostgreSQL behind HAProxy (bench/replicas.sh, as docs/operations.md runs them), in a real
browser: throttles and revoked sign-ins hold on every replica, and a student whose replica stops goes on on the
other with nothing saved lost.

Each browser context is pinned to a replica by HAProxy's own routing cookie (``SAFECLASS_REPLICA``), which the
balancer honours as it would for a returning browser.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from safeclass.db.engine import Database
from safeclass.db.models import CheckAnswer, Learner, ModuleProgress
from safeclass.domain import Role
from tests.conftest import ROOT, migrated_schema, require
from tests.e2e.conftest import CHROMIUM, _free_port, chromium, click, open_sign_in, settled
from tests.factories import FAST_PIN, PASSWORD, make_account, make_class, make_learners, make_site

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
expect.set_options(timeout=20_000)
VALID = Path(__file__).resolve().parents[1] / "content" / "valid"
COOKIE = "SAFECLASS_REPLICA"  # bench/replicas.sh: HAProxy's cookie naming the replica, r1 or r2


def _setup(s) -> dict:
    site = make_site(s, code="M0001")
    teacher = make_account(s, "teacher", Role.TEACHER, site)
    group = make_class(s, teacher, label="2-3")
    make_learners(s, group, 1)  # seat 1, PIN FAST_PIN: the seat whose PIN is guessed
    return {"join_code": group.join_code}


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Two app processes on a PostgreSQL schema of their own behind HAProxy; everything stopped and dropped after."""
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    require(shutil.which("haproxy") is not None, "HAProxy is not installed (apt-get install haproxy)")
    with migrated_schema("safeclass_replicas") as url:
        database = Database(url)
        rundir = tmp_path_factory.mktemp("replicas")
        try:
            with database.transaction() as s:
                info = _setup(s)
            ports = [_free_port() for _ in range(3)]
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SAFECLASS_COOKIE_KEY": "replicas-" + "k" * 28,
                "SAFECLASS_CONTENT": str(VALID),
                "LB_PORT": str(ports[0]),
                "PORTS": f"{ports[1]} {ports[2]}",
                "PYTHON": sys.executable,
            }
            env.pop("SAFECLASS_DEMO", None)
            script = str(ROOT / "bench" / "replicas.sh")
            started = subprocess.run(["bash", script, "start", str(rundir), "2"], env=env, capture_output=True, text=True, timeout=180)
            if started.returncode != 0:
                logs = "\n".join(p.read_text(errors="replace")[-1500:] for p in sorted(rundir.glob("replica-*.log")))
                pytest.fail(f"bench/replicas.sh start failed: {started.stderr[-1500:]}\n{logs}")
            try:
                yield {"url": f"http://127.0.0.1:{ports[0]}", "rundir": rundir, "database": database, **info}
            finally:
                subprocess.run(["bash", script, "stop", str(rundir)], timeout=60)
        finally:
            database.dispose()


@pytest.fixture(scope="module")
def browser(replicas: dict) -> Iterator:
    """Headless Chromium, once the module's server runs."""
    with chromium() as instance:
        yield instance


def _on_replica(browser, replicas: dict, replica: str):
    """A new browser tab whose requests HAProxy sends to ``replica`` (r1 or r2)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    context.add_cookies([{"name": COOKIE, "value": replica, "url": replicas["url"]}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(replicas["url"])
    settled(page)
    return page


def _replica_of(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)


def _join(page, code: str, seat: str, pin: str) -> None:
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    settled(page)
    page.get_by_role("textbox", name="학급 코드").fill(code)
    page.get_by_role("textbox", name="내 번호").fill(seat)
    page.get_by_role("textbox", name="비밀번호 4자리").fill(pin)
    page.get_by_role("button", name="참여하기").click()
    settled(page)


def test_wrong_pins_on_one_replica_hold_back_the_right_pin_on_the_other(browser, replicas) -> None:
    first = _on_replica(browser, replicas, "r1")
    throttled = first.get_by_text("시도가 너무 많았어요.")
    for guess in range(10):  # the seat's first limit is 5 wrong PINs in 5 minutes
        _join(first, replicas["join_code"], "1", f"{1000 + guess:04d}")
        if throttled.count():
            break
    expect(throttled).to_be_visible()
    assert _replica_of(first) == "r1"
    first.context.close()

    # The right PIN, through the other process: its memory never saw those guesses, the database did.
    second = _on_replica(browser, replicas, "r2")
    _join(second, replicas["join_code"], "1", FAST_PIN)
    expect(second.get_by_text("시도가 너무 많았어요.")).to_be_visible()
    expect(second.get_by_role("heading", name="내 수업")).to_have_count(0)
    assert _replica_of(second) == "r2"
    second.context.close()


def test_signing_out_on_one_replica_ends_the_open_sign_in_on_the_other(browser, replicas) -> None:
    pages = {}
    for replica in ("r1", "r2"):  # the teacher's laptop and phone, each served by its own process
        page = pages[replica] = _on_replica(browser, replicas, replica)
        open_sign_in(page)
        page.get_by_label("아이디").fill("teacher")
        page.get_by_label("비밀번호").fill(PASSWORD)
        page.get_by_role("button", name="로그인").click()
        expect(page.get_by_role("heading", name="학급과 좌석")).to_be_visible()
        settled(page)
        page.wait_for_timeout(1500)  # the sign-in cookie is written on one more run
        settled(page)
        assert _replica_of(page) == replica

    pages["r2"].get_by_role("button", name="로그아웃").click()
    expect(pages["r2"].get_by_role("heading", name="수업 참여하기")).to_be_visible()

    # The laptop's session stays open on r1; its next click finds the sign-in revoked in the database.
    laptop = pages["r1"]
    expect(laptop.get_by_role("link", name="학급·좌석")).to_be_visible()
    laptop.get_by_role("link", name="도움받을 곳", exact=True).first.click()
    settled(laptop)
    expect(laptop.get_by_role("link", name="학급·좌석")).to_have_count(0)
    expect(laptop.get_by_role("link", name="교직원 로그인")).to_be_visible()
    laptop.reload()  # nor does the laptop's cookie sign it in again, on any replica
    settled(laptop)
    expect(laptop.get_by_role("link", name="교직원 로그인")).to_be_visible()
    expect(laptop.get_by_role("link", name="학급·좌석")).to_have_count(0)
    for page in pages.values():
        page.context.close()


def test_a_student_whose_replica_stops_goes_on_on_the_other_with_nothing_lost(browser, replicas) -> None:
    """Last in this module: it stops a replica for good (SIGKILL, as a crash would)."""
    page = _on_replica(browser, replicas, "r1")
    _join(page, replicas["join_code"], "7", "4826")
    expect(page.get_by_role("heading", name="내 수업")).to_be_visible()
    click(page, "시작하기")
    click(page, "수업 계속하기")
    click(page, "다음")
    click(page, "다음")
    page.get_by_test_id("stMain").get_by_text("묻는다", exact=True).click()
    click(page, "확인하기")
    expect(page.get_by_text("맞아요.")).to_be_visible()
    click(page, "다음")
    expect(page.get_by_text("4 / 6")).to_be_visible()
    assert _replica_of(page) == "r1"

    pid = int((replicas["rundir"] / "replica-1.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    # The browser's WebSocket drops; Streamlit's client reconnects and HAProxy sends it to r2 (redispatch). The
    # page keeps its last picture meanwhile.
    for _ in range(120):
        if _replica_of(page) == "r2":
            break
        page.wait_for_timeout(500)
    assert _replica_of(page) == "r2"
    settled(page)
    # The new session's first run finds the seat by its cookie and the place in the lesson in the database. That
    # run comes with the student's next click (Streamlit does not rerun on a reconnect), and that click's on_click
    # callback was registered in the stopped process: the player's buttons run it all the same (action_button),
    # so the click is not lost.
    click(page, "다음")
    expect(page.get_by_text("5 / 6")).to_be_visible()

    with replicas["database"].reading() as s:
        learner = s.scalar(select(Learner).where(Learner.seat_number == 7))
        progress = s.scalar(select(ModuleProgress).where(ModuleProgress.learner_id == learner.id))
        answers = s.scalars(select(CheckAnswer).where(CheckAnswer.learner_id == learner.id)).all()
    assert progress.position == 4 and progress.completed_at is None  # 0-based: section 5 of 6, saved by r2
    assert len(answers) == 1  # the check answered on r1
    page.context.close()
