"""Staff journeys of issue 8 in a real browser: a principal from a one-time password through the training and
certification to a verified certificate; seats; attestation."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from safeclass.db.engine import Database
from safeclass.domain import Role
from safeclass.services.accounts import create_account
from tests.conftest import ROOT, require
from tests.e2e.conftest import CHROMIUM, _free_port, open_page, open_sign_in, running_app, settled
from tests.factories import PASSWORD, make_account, make_class, make_site

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)
VALID = ROOT / "tests" / "content" / "valid"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict]:
    """The app on the fixture content (campaign still running), a principal with a one-time password and no training yet."""
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("e2e-staff")
    content = folder / "content"
    shutil.copytree(VALID, content)
    campaign_file = content / "campaigns" / "test-campaign" / "campaign.yaml"
    # The fixture campaign's dates are fixed in the past; this journey needs one that is running today.
    campaign_file.write_text(campaign_file.read_text().replace("end: 2026-02-28", "end: 2099-12-31"), encoding="utf-8")
    shutil.copy(sqlite_template, folder / "e2e.db")
    url = f"sqlite:///{folder / 'e2e.db'}"
    database = Database(url)
    with database.transaction() as s:
        site = make_site(s, code="M0001")
        _, one_time = create_account(s, username="kim.principal", display_name="김민지", role=Role.PRINCIPAL, site_code="M0001")
        teacher = make_account(s, "teacher", Role.TEACHER, site)
        code = make_class(s, teacher, label="2-3").join_code
    database.dispose()
    port = _free_port()  # known before start: the certificate's QR code points at this server's verify page
    with running_app(url, content, {"SAFECLASS_PUBLIC_URL": f"http://127.0.0.1:{port}"}, port=port) as base:
        yield {"url": base, "join_code": code, "one_time": one_time, "artifacts": folder}


def _at(page, heading: str, *, after_sign_in: bool = False) -> None:
    """Wait until the page with ``heading`` has finished its runs (Streamlit keeps stale elements while it reruns)."""
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    settled(page)
    if after_sign_in:
        page.wait_for_timeout(1500)  # the sign-in cookie is written on one more run
        settled(page)


def _sign_in(page, username: str, password: str) -> None:
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    settled(page)
    open_sign_in(page)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def _join(page, code: str, seat: str, pin: str) -> None:
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    settled(page)
    page.get_by_role("textbox", name="학급 코드").fill(code)
    page.get_by_role("textbox", name="내 번호").fill(seat)
    page.get_by_label("비밀번호 4자리").fill(pin)
    page.get_by_role("button", name="참여하기").click()


def _choose(page, choice: str) -> None:
    """Pick a choice at the scenario's current node and read its feedback."""
    page.get_by_role("button", name=choice).click()
    expect(page.get_by_role("button", name="계속")).to_be_visible()


def _play_training(page, artifacts: Path) -> None:
    """The fixture training: a critical choice first (flagged, in the verdict and the debrief), then a retry on the best path."""
    open_page(page, "대응 연수", "대응 연수")
    settled(page)
    expect(page.get_by_text("모든 연수 모듈을 마치면 열립니다").first).to_be_visible()  # certification is locked before the modules
    page.get_by_role("button", name="시작하기").click()
    _at(page, "첫 1시간")
    page.get_by_role("button", name="다음").click()
    expect(page.get_by_role("heading", name="첫 연락")).to_be_visible()
    settled(page)

    _choose(page, "사진을 내 휴대폰으로 보내 달라고 한다")  # forwarding the material "as evidence": critical
    expect(page.get_by_text("위험한 선택입니다", exact=False).first).to_be_visible()
    expect(page.get_by_text("복사본이 하나 더 생깁니다.").first).to_be_visible()
    page.get_by_role("button", name="계속").click()
    settled(page)
    _choose(page, "즉시 신고하고 복사본이 있다고 알린다")
    page.get_by_role("button", name="계속").click()
    verdict = page.get_by_text("치명적 오류 1개: 인증 전에 다시 해 보세요", exact=False).first
    expect(verdict).to_be_visible()
    expect(page.get_by_text("최선의 경로 대비 50%", exact=False).first).to_be_visible()
    # The debrief walks back through the path: the critical step is marked, with its points and the better choice.
    expect(page.get_by_text("내 선택: 사진을 내 휴대폰으로 보내 달라고 한다 (0점 / 최선 2점)", exact=False).first).to_be_visible()
    expect(page.get_by_text("더 나은 선택: 링크와 시각만 기록하고 즉시 신고한다", exact=False).first).to_be_visible()
    settled(page)
    page.screenshot(path=artifacts / "debrief-critical.png", full_page=True)

    page.get_by_role("button", name="처음부터 다시 해 보기").click()
    settled(page)
    _choose(page, "링크와 시각만 기록하고 즉시 신고한다")
    page.get_by_role("button", name="계속").click()
    expect(page.get_by_text("치명적 오류 없음 · 최선의 경로 대비 100%").first).to_be_visible()
    expect(verdict).to_have_count(0)
    settled(page)
    page.get_by_role("button", name="마치기").click()
    expect(page.get_by_text("'첫 1시간' 모듈을 마쳤습니다.").first).to_be_visible()
    settled(page)
    page.get_by_role("button", name="인증 평가 시작").click()  # the last module is done: the certification is next
    _at(page, "인증")
    page.get_by_role("button", name="평가 시작").click()
    page.get_by_text("틀리다").click()
    settled(page)
    page.get_by_role("button", name="제출하기").click()
    expect(page.get_by_text("통과했습니다.").first).to_be_visible()
    settled(page)


def test_principal_changes_the_one_time_password_trains_certifies_and_verifies_the_certificate(page, browser, server) -> None:
    _sign_in(page, "kim.principal", server["one_time"])
    _at(page, "내 계정", after_sign_in=True)
    expect(page.get_by_text("처음 로그인했습니다", exact=False).first).to_be_visible()
    page.get_by_label("현재 비밀번호").fill(server["one_time"])
    page.get_by_label("새 비밀번호 (10자 이상)").fill("1111111111")
    page.get_by_label("새 비밀번호 확인").fill("1111111111")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="비밀번호 변경").click()
    expect(page.get_by_text("같은 글자나 같은 묶음을 되풀이한 비밀번호는 쓸 수 없습니다", exact=False).first).to_be_visible()
    page.get_by_label("현재 비밀번호").fill(server["one_time"])
    page.get_by_label("새 비밀번호 (10자 이상)").fill("Mapo-gu-2025-spring")
    page.get_by_label("새 비밀번호 확인").fill("Mapo-gu-2025-spring")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="비밀번호 변경").click()
    confirmation = page.get_by_text("비밀번호를 바꿨습니다", exact=False).first
    expect(confirmation).to_be_visible()
    settled(page)
    page.wait_for_timeout(1500)  # the sign-in cookie is renewed on the next run: the confirmation must survive it
    expect(confirmation).to_be_visible()

    _play_training(page, server["artifacts"])
    page.get_by_role("button", name="인증서 보기").click()  # straight from the passed certification
    _at(page, "대응 연수 인증서")
    expect(page.get_by_text("인증서가 발급되었습니다.").first).to_be_visible()
    code = re.sub(r"[^A-Z2-7]", "", page.get_by_test_id("stCode").first.inner_text())
    assert len(code) == 16
    with page.expect_download() as download:
        page.get_by_role("button", name="인증서 PDF 내려받기").click()
    pdf_path = server["artifacts"] / "certificate.pdf"
    download.value.save_as(pdf_path)
    text = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages[0].extract_text()
    assert "김민지" in text and f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}" in text

    visitor = browser.new_context(locale="ko-KR").new_page()  # anyone, not signed in, as the QR code opens it
    visitor.goto(f"{server['url']}/verify?code={code}")
    expect(visitor.get_by_text("유효한 인증서입니다.").first).to_be_visible()
    expect(visitor.get_by_text("김민지").first).to_be_visible()
    expect(visitor.get_by_role("textbox", name="확인 코드")).to_have_value(f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}")
    visitor.screenshot(path=server["artifacts"] / "verify.png", full_page=True)
    visitor.context.close()


def test_teacher_creates_a_class_a_student_joins_and_the_teacher_resets_that_seats_pin(page, browser, server) -> None:
    _sign_in(page, "teacher", PASSWORD)
    _at(page, "학급과 좌석", after_sign_in=True)
    page.get_by_role("textbox", name="학급 이름").fill("5반")
    page.get_by_role("button", name="학급 만들기").first.click()
    created = page.get_by_text("'5반' 학급을 만들었습니다", exact=False).first
    expect(created).to_be_visible()
    code = created.inner_text().rsplit(":", 1)[1].strip()
    page.screenshot(path=server["artifacts"] / "classes.png", full_page=True)

    student = browser.new_context(locale="ko-KR").new_page()
    student.goto(server["url"])
    _join(student, code.lower(), "3", "2580")
    expect(student.get_by_role("heading", name="내 수업")).to_be_visible()
    settled(student)
    student.wait_for_timeout(1500)  # the seat cookie is written

    open_page(page, "좌석 목록", "좌석 목록")
    settled(page)
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=re.compile("5반")).click()
    settled(page)
    page.get_by_role("button", name="비밀번호 재설정").click()
    expect(page.get_by_text("3번 자리의 비밀번호를 지웠습니다", exact=False).first).to_be_visible()
    settled(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.screenshot(path=server["artifacts"] / "seats.png", full_page=True)

    student.reload()  # the remembered seat no longer opens: the student joins again and chooses a new PIN
    expect(student.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    _join(student, code, "3", "1357")
    expect(student.get_by_role("heading", name="내 수업")).to_be_visible()
    expect(student.get_by_text("3번").first).to_be_visible()
    student.context.close()


def test_teacher_attests_a_lesson(page, server) -> None:
    _sign_in(page, "teacher", PASSWORD)
    _at(page, "학급과 좌석", after_sign_in=True)
    open_page(page, "수업 기록", "기기 없이 한 수업 기록")
    settled(page)
    page.get_by_role("spinbutton", name="참석 학생 수").fill("24")
    page.get_by_role("button", name="기록하기").click()
    expect(page.get_by_text("수업을 기록했습니다 (24명)", exact=False).first).to_be_visible()
    expect(page.get_by_text("따로 셉니다", exact=False).first).to_be_visible()
