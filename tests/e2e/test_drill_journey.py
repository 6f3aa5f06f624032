"""A drill in real browsers: the principal projects it, two staff follow with the code, the report downloads as a PDF.

And the case guide at phone width: ticks stay in the browser; the database gains one opening and nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import func, select

from safeclass.content import load_catalog
from safeclass.content.render import localize
from safeclass.db.base import Base
from safeclass.db.engine import Database
from safeclass.domain import Role
from tests.conftest import ROOT
from tests.e2e.conftest import chromium, open_page, start_app
from tests.factories import PASSWORD, make_account, make_site

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)


def _setup(s) -> dict:
    site = make_site(s, code="M0001", campaign_id="seoul-2025")
    make_account(s, "principal", Role.PRINCIPAL, site)
    make_account(s, "teacher", Role.TEACHER, site)
    return {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict]:
    """The app on the shipped content with one site, its principal and a teacher."""
    yield from start_app(tmp_path_factory.mktemp("drill"), sqlite_template, ROOT, _setup)


@pytest.fixture(scope="module")
def browser(server: dict) -> Iterator:
    """Headless Chromium, once the module's server runs."""
    with chromium() as instance:
        yield instance


def _page(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _sign_in(page, username: str, server: dict) -> None:
    page.goto(server["url"])
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    page.goto(f"{server['url']}/sign_in")  # by address: on a phone the sidebar starts closed
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="교직원 로그인")).to_have_count(0)


def _join(page, code: str) -> None:
    page.get_by_role("textbox", name="훈련 코드").fill(code)
    page.get_by_role("button", name="참여하기").click()


def _row_counts(url: str) -> dict[str, int]:
    database = Database(url)
    with database.reading() as s:
        counts = {table.name: s.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables}
    database.dispose()
    return counts


def test_principal_runs_a_drill_with_two_staff_and_downloads_the_report(browser, server: dict) -> None:
    catalog = load_catalog(ROOT)
    campaign = catalog.campaigns["seoul-2025"]
    drill = catalog.drills["drill-disclosure"]

    principal = _page(browser)
    _sign_in(principal, "principal", server)
    open_page(principal, "모의 대응 훈련", "모의 대응 훈련")
    principal.get_by_role("button", name="이 훈련 시작하기").first.click()
    code_element = principal.locator("code").first
    expect(code_element).to_be_visible()
    code = code_element.inner_text().strip()
    assert len(code) == 6

    teacher = _page(browser)
    _sign_in(teacher, "teacher", server)
    open_page(teacher, "모의 대응 훈련", "모의 대응 훈련")
    teacher.get_by_role("link", name="훈련 코드로 참여하기").click()
    _join(teacher, code)
    expect(teacher.get_by_text("연수 출석으로 인정됩니다")).to_be_visible()

    quick = _page(browser, width=390, height=844)  # a phone, no account
    quick.goto(server["url"])
    expect(quick.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    quick.goto(f"{server['url']}/drill_join")
    _join(quick, code.lower())
    expect(quick.get_by_text("이름 없이 참여했습니다.")).to_be_visible()
    expect(principal.get_by_text("3명 참여 중(로그인 2명)")).to_be_visible()  # refreshed while the principal waits

    principal.get_by_role("button", name="시작 — 첫 상황 열기").click()
    for n, inject in enumerate(drill.injects):
        expect(principal.get_by_text(f"상황 {n + 1} / {len(drill.injects)}")).to_be_visible()
        choice = 1 if n == 0 else 0  # the first decision is the critical "is it really you?"
        label = localize(inject.options[choice].text, campaign.help, "ko")
        principal.get_by_role("radiogroup").get_by_text(label[:12]).click()
        principal.get_by_role("button", name="결정 기록하기").click()
        expect(principal.get_by_text("모둠의 결정:")).to_be_visible()
        if n == 0:
            expect(principal.get_by_text("치명적: 위험한 결정입니다.")).to_be_visible()
            expect(quick.get_by_text("치명적: 위험한 결정입니다.")).to_be_visible()  # the phones follow
        if n + 1 < len(drill.injects):
            principal.get_by_role("button", name="다음 상황").click()
    principal.get_by_role("button", name="훈련 마치고 보고서 보기").click()
    expect(principal.get_by_role("heading", name="훈련 결과 보고서")).to_be_visible()
    with principal.expect_download() as download:
        principal.get_by_role("button", name="보고서 내려받기(PDF)").click()
    pdf = download.value.path().read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "훈련 결과 보고서" in text and "치명적 오류: 1개" in text and "피해 학생 담임교사" in text
    expect(teacher.get_by_role("heading", name="훈련 결과 보고서")).to_be_visible()
    expect(quick.get_by_role("heading", name="훈련 결과 보고서")).to_be_visible()
    for page in (principal, teacher, quick):
        page.context.close()


def test_the_case_guide_at_phone_width_stores_nothing_and_prints(browser, server: dict) -> None:
    page = _page(browser)
    _sign_in(page, "principal", server)
    before = _row_counts(server["database_url"])
    open_page(page, "사건 대응 안내", "사건 대응 안내 — 딥페이크 성범죄를 알게 된 날")  # one click from the home page
    page.set_viewport_size({"width": 390, "height": 844})
    for name in ("탓하지 않고 듣기", "즉시 신고하기", "지체 없이 분리하기"):
        page.get_by_text(name, exact=True).click()
    expect(page.get_by_text("12단계 중 3단계 확인")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    with page.expect_download() as download:
        page.get_by_role("button", name="안내 내려받기(PDF)").click()
    text = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    assert "즉시 신고하기" in text
    after = _row_counts(server["database_url"])
    assert {n: (before[n], after[n]) for n in before if before[n] != after[n]} == {"guide_opening": (0, 1)}
    page.context.close()
