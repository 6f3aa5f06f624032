"""Coordinator journeys in a real browser: the 강남구 question, drill-down, CSV and XLSX exports, a CP949
roster with errors then a clean one, provisioning principals, and a district coordinator's scope."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from safeclass.db.engine import Database
from safeclass.db.models import Learner, Site, SiteRollup
from safeclass.domain import Level, Role, SiteType
from safeclass.services.classes import open_class
from safeclass.services.progress import record_module_progress
from safeclass.services.quizzes import start_quiz_attempt, submit_quiz_attempt
from tests.e2e.conftest import open_page, open_sign_in, running_app, settled
from tests.factories import PASSWORD, make_account, make_learners, make_site, right_answer

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path):
    folder = tmp_path_factory.mktemp("e2e-coord")
    shutil.copy(sqlite_template, folder / "e2e.db")
    url = f"sqlite:///{folder / 'e2e.db'}"
    database = Database(url)
    with database.transaction() as s:
        started = make_site(s, code="M0001", district="Gangnam-gu", campaign_id="seoul-2026")
        make_site(s, code="M0002", district="Gangnam-gu", campaign_id="seoul-2026")
        make_site(s, code="E0003", district="Gangnam-gu", site_type=SiteType.ELEMENTARY, campaign_id="seoul-2026")
        make_site(s, code="H0004", district="Mapo-gu", site_type=SiteType.HIGH, campaign_id="seoul-2026")
        s.execute(update(SiteRollup).where(SiteRollup.site_id == started.id).values(learners_joined=40, learners_started=30))
        make_account(s, "coordinator", Role.COORDINATOR)
        make_account(s, "mapo.coord", Role.COORDINATOR, district="Mapo-gu")
        make_account(s, "park", Role.PRINCIPAL, started)
    # The overview refreshes itself every 30 s; here every 5 s, so the test below need not wait the full interval.
    with running_app(url, extra_env={"SAFECLASS_OVERVIEW_REFRESH": "5"}) as base:
        yield {"url": base, "database": database}
    database.dispose()


def _sign_in(page, username: str) -> None:
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    settled(page)
    open_sign_in(page)
    settled(page)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="캠페인 현황")).to_be_visible()
    settled(page)


def _pick(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box.locator("input").click()
    page.get_by_role("option", name=option).click()
    page.keyboard.press("Escape")
    settled(page)


def test_gangnam_not_started_sites_drill_down_and_exports(page, server) -> None:
    _sign_in(page, "coordinator")
    open_page(page, "학교·시설", "학교·시설")
    expect(page.get_by_text("4곳 중 4곳")).to_be_visible()
    page.get_by_label("검색").fill("강남")
    page.keyboard.press("Enter")
    expect(page.get_by_text("4곳 중 3곳")).to_be_visible()
    _pick(page, "상태", "미시작")
    expect(page.get_by_text("4곳 중 2곳")).to_be_visible()
    settled(page)
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="내보내기 준비 (2행)").click()
    settled(page)
    with page.expect_download() as csv_info:
        page.get_by_role("button", name="CSV", exact=True).click()
    data = Path(csv_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "학교장 인증" in text and "강남구" in text and "M0002" in text and "M0001" not in text
    with page.expect_download() as xlsx_info:
        page.get_by_role("button", name="엑셀 (XLSX)", exact=True).click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx_info.value.path()).read_bytes())).active
    header = [c.value for c in sheet[1]]
    assert "자치구" in header and "학교장 인증" in header
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2, max_row=3)]
    assert {r[header.index("코드")] for r in rows} == {"E0003", "M0002"}
    assert all(r[header.index("학교장 인증")] == "아니요" for r in rows)
    assert all(isinstance(r[header.index("예상 학생")], int) for r in rows)  # numbers stay numbers
    page.get_by_test_id("stSelectbox").filter(has_text="학교·시설 열기").locator("input").click()
    page.keyboard.type("M0002")
    page.keyboard.press("Enter")
    expect(page.get_by_text("아직 학교장 계정이 없습니다.")).to_be_visible()
    with server["database"].reading() as s:
        from safeclass.db.models import AuditLog

        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("export.%"))) == 1


def test_cp949_roster_with_errors_then_clean_then_provision(page, server, tmp_path) -> None:
    _sign_in(page, "coordinator")
    open_page(page, "명단·학교장 계정", "명단·학교장 계정")
    settled(page)
    page.wait_for_timeout(1000)
    bad = '학교코드,학교명,자치구,학교급,학생수\nM0005,새중학교,강남구,중학교,"1,200"\nM0006,=HYPERLINK("x"),강남구,중학교,300\n'
    (tmp_path / "bad.csv").write_bytes(bad.encode("cp949"))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(tmp_path / "bad.csv"))
    expect(page.get_by_text("파일에 문제가 1개 있습니다")).to_be_visible()
    expect(page.get_by_text("아무것도 바뀌지 않았습니다.")).to_be_visible()
    with server["database"].reading() as s:
        assert s.scalar(select(func.count()).select_from(Site)) == 4
    good = (
        "학교코드,학교명,자치구,학교급,학생수\nM0001,[가상] 시험M0001,강남구,중학교,300\nM0002,[가상] 시험M0002,강남구,중학교,300\n"
        'E0003,[가상] 시험E0003,강남구,초등학교,300\nH0004,[가상] 시험H0004,마포구,고등학교,300\nM0005,새중학교,강남,중학교,"1,200"\n'
    )
    (tmp_path / "good.csv").write_bytes(good.encode("cp949"))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(tmp_path / "good.csv"))
    expect(page.get_by_text("cp949(으)로 읽음")).to_be_visible()
    page.get_by_role("button", name="명단 적용").click()
    expect(page.get_by_text("명단을 적용했습니다: 추가 1, 변경 0, 삭제 0.")).to_be_visible()
    with server["database"].reading() as s:
        site = s.scalar(select(Site).where(Site.code == "M0005"))
        assert (site.district, site.expected_students) == ("Gangnam-gu", 1200)
    page.get_by_role("tab", name="학교장 계정").click()
    page.get_by_role("button", name="학교장 계정 만들기").click()
    expect(page.get_by_text("학교장 계정 4개를 만들었습니다.")).to_be_visible()
    with page.expect_download() as sheet_info:
        page.get_by_role("button", name="표 (CSV)").click()
    sheet = Path(sheet_info.value.path()).read_bytes().decode("utf-8-sig")
    assert "principal.m0005" in sheet and "일회용 비밀번호" in sheet


def test_district_coordinator_sees_only_their_district(page, server) -> None:
    _sign_in(page, "mapo.coord")
    open_page(page, "학교·시설", "학교·시설")
    expect(page.get_by_text("1곳 중 1곳")).to_be_visible()
    expect(page.get_by_text("H0004", exact=True)).to_be_attached()  # grid cells are drawn on a canvas
    page.get_by_label("검색").fill("강남")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1곳 중 0곳")).to_be_visible()


def _complete_everything(database: Database, catalog, learner_id: int) -> None:
    """A middle-school student finishes every assigned lesson and passes every quiz, through the services."""
    campaign = catalog.campaigns["seoul-2026"]
    assignment = campaign.audiences.students.for_level("middle")
    with database.transaction() as s:
        learner = s.get(Learner, learner_id)
        for module_id in assignment.modules:
            module = catalog.modules[module_id]
            record_module_progress(s, learner, campaign, module, sections_done=len(module.sections), completed=True)
    for quiz_id in assignment.quizzes:
        quiz = catalog.quizzes[quiz_id]
        with database.transaction() as s:
            attempt = start_quiz_attempt(s, s.get(Learner, learner_id), campaign, quiz)
            key, drawn = attempt.attempt_key, list(attempt.drawn)
        with database.transaction() as s:
            answers = {qid: right_answer(quiz.question(qid)) for qid in drawn}
            assert submit_quiz_attempt(s, s.get(Learner, learner_id), campaign, quiz, attempt_key=key, answers=answers).passed


def test_a_students_completion_shows_on_the_open_overview_without_a_reload(page, server, catalog) -> None:
    database = server["database"]
    with database.transaction() as s:
        site = s.scalar(select(Site).where(Site.code == "M0001"))
        s.execute(update(SiteRollup).where(SiteRollup.site_id == site.id).values(learners_completed=20))
        teacher = make_account(s, "kim.live", Role.TEACHER, site)
        group = open_class(s, opened_by=teacher, campaign_id="seoul-2026", label="3학년 1반", level=Level.MIDDLE, grade=3)
        learner_id = make_learners(s, group, 1)[0].id
    _sign_in(page, "coordinator")
    # .first: while the fragment reruns, the old copy of the metric can stand beside the new one for a moment
    completed = page.get_by_test_id("stMetric").filter(has_text="이수 학생").get_by_test_id("stMetricValue").first
    expect(completed).to_have_text("20")
    page.evaluate("window.safeclassSamePage = true")  # a reload or a navigation would forget it
    _complete_everything(database, catalog, learner_id)
    expect(completed).to_have_text("21", timeout=30_000)  # the promise: within 30 s
    assert page.evaluate("window.safeclassSamePage === true")
