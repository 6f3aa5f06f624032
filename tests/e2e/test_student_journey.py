"""A student's whole journey in a real browser, on the small fixture campaign (one lesson, one quiz)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from safeclass.config import DEFAULT_QUICK_EXIT_URL
from safeclass.content import load_catalog
from safeclass.domain import Role
from safeclass.services.progress import record_module_progress
from safeclass.services.quizzes import start_quiz_attempt, submit_quiz_attempt
from tests.e2e.conftest import click, open_sign_in, settled, start_app
from tests.factories import PASSWORD, make_account, make_class, make_learners, make_site

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)
VALID = Path(__file__).resolve().parents[1] / "content" / "valid"
RIGHT = {"ask-first": 0, "personal": [0, 1], "joke": False, "steps": [0, 1, 2]}


def _setup(s) -> dict:
    catalog = load_catalog(VALID).require_ok()
    campaign = catalog.campaigns["test-campaign"]
    site = make_site(s, code="M0001")
    make_account(s, "coordinator", Role.COORDINATOR)
    make_account(s, "principal", Role.PRINCIPAL, site)
    teacher = make_account(s, "teacher", Role.TEACHER, site)
    group = make_class(s, teacher, label="2-3")
    # Five classmates already finished: with k = 5 the site's count is shown, so one more is visible.
    for learner in make_learners(s, group, 5):
        record_module_progress(s, learner, campaign, catalog.modules["test-lesson"], sections_done=6, completed=True)
        attempt = start_quiz_attempt(s, learner, campaign, catalog.quizzes["test-quiz"])
        submit_quiz_attempt(s, learner, campaign, catalog.quizzes["test-quiz"], attempt_key=attempt.attempt_key, answers=RIGHT)
    return {"join_code": group.join_code}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict]:
    """One app server for this module, on the fixture content."""
    yield from start_app(tmp_path_factory.mktemp("student"), sqlite_template, VALID, _setup)


def _join(
    page, code: str, seat: str, pin: str, labels: tuple[str, str, str, str] = ("학급 코드", "내 번호", "비밀번호 4자리", "참여하기")
) -> None:
    expect(page.get_by_role("textbox", name=labels[0])).to_be_visible()
    settled(page)  # a click made while the page is still rerunning (after a reload, the cookie run) can be lost
    page.get_by_role("textbox", name=labels[0]).fill(code)
    page.get_by_role("textbox", name=labels[1]).fill(seat)
    page.get_by_role("textbox", name=labels[2]).fill(pin)
    page.get_by_role("button", name=labels[3]).click()
    settled(page)


def _choose(page, text: str) -> None:
    page.get_by_test_id("stMain").get_by_text(text, exact=True).click()
    settled(page)


def _answer_quiz(page, right: bool, words: dict[str, str]) -> None:
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(words["filter"], exact=True)).to_be_visible()  # the drawn questions are on screen
    _choose(page, words["ask"] if right else words["filter"])
    for option in (words["face"], words["uniform"]) if right else (words["colour"],):
        main.get_by_text(option, exact=True).click()
        settled(page)
    _choose(page, words["false"] if right else words["true"])
    if right:  # put "report together" last and "don't open" first with the Up/Down buttons
        for _ in range(6):
            cards = main.locator("[data-testid=stMarkdownContainer] p").all_inner_texts()
            order = [c for c in cards if re.match(r"^\d\. ", c)]
            wanted = [f"1. {words['step1']}", f"2. {words['step2']}", f"3. {words['step3']}"]
            if order == wanted:
                break
            position = next(i for i, item in enumerate(order) if item != wanted[i])
            target = next(i for i, item in enumerate(order) if item.endswith(wanted[position][3:]))
            up = main.locator(f"[class*='order-up-{target}'] button").first
            up.scroll_into_view_if_needed()
            up.click()
            settled(page)


KO = {
    "ask": "묻기",
    "filter": "필터",
    "face": "얼굴",
    "uniform": "교복",
    "colour": "좋아하는 색",
    "true": "맞다",
    "false": "틀리다",
    "step1": "열지 않는다",
    "step2": "어른에게 알린다",
    "step3": "함께 신고한다",
}


def test_a_student_joins_learns_fails_then_passes_and_comes_back(page, server, browser) -> None:
    _join(page, server["join_code"], "21", "4826")
    expect(page.get_by_role("heading", name="내 수업")).to_be_visible()
    click(page, "시작하기")
    expect(page.get_by_text("온라인 성범죄를 다룹니다.")).to_be_visible()
    click(page, "수업 계속하기")
    expect(page.get_by_text("1 / 6")).to_be_visible()
    click(page, "다음")
    click(page, "다음")
    _choose(page, "그냥 올린다")
    click(page, "확인하기")
    expect(page.get_by_text("친구가 정해요.")).to_be_visible()
    _choose(page, "묻는다")
    click(page, "확인하기")
    expect(page.get_by_text("맞아요.")).to_be_visible()
    click(page, "다음")
    click(page, "다음")
    expect(page.get_by_role("img", name="신호등 그림")).to_be_visible()

    # A reload keeps the seat on this device and the place in the lesson.
    page.reload()
    settled(page)
    expect(page.get_by_text("5 / 6")).to_be_visible()
    # So does closing the tab and opening the app again: My lessons says where the student stopped.
    tab = page.context.new_page()
    tab.goto(server["url"])
    settled(tab)
    expect(tab.get_by_role("heading", name="내 수업")).to_be_visible()
    expect(tab.get_by_text("진행 중 (5/6)")).to_be_visible()
    click(tab, "이어서 하기")
    expect(tab.get_by_text("5 / 6")).to_be_visible()
    tab.close()
    click(page, "다음")
    click(page, "퍼뜨린다")
    expect(page.get_by_text("위험한 선택이에요")).to_be_visible()
    click(page, "계속")
    expect(page.get_by_text("더 나은 선택:")).to_be_visible()
    click(page, "처음부터 다시 해 보기")
    click(page, "선생님께 알린다")
    click(page, "계속")
    expect(page.get_by_text("알리는 것이 지키는 일입니다.")).to_be_visible()
    click(page, "마치기")
    expect(page.get_by_text("꼭 기억할 것")).to_be_visible()

    click(page, "퀴즈 풀기")
    click(page, "퀴즈 시작")
    _answer_quiz(page, right=False, words=KO)
    click(page, "제출하기")
    expect(page.get_by_text("아직 통과하지 못했어요.")).to_be_visible()
    expect(page.get_by_text("장난이라도 피해는 같아요.")).to_be_visible()
    click(page, "다시 풀기")
    click(page, "퀴즈 시작")
    _answer_quiz(page, right=True, words=KO)
    page.screenshot(path=str(Path(server["database_url"].removeprefix("sqlite:///")).parent / "quiz.png"), full_page=True)
    click(page, "제출하기")
    expect(page.get_by_text("통과!")).to_be_visible()

    # The completion shows on the principal's site page (6 of the class now: above k, so not hidden).
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
    staff.goto(server["url"])
    _sign_in(staff, "principal")
    expect(staff.get_by_role("heading", name="우리 학교 현황").first).to_be_visible()
    # 6 of the roster's 300 students have finished everything: 2.0%, above k, so shown.
    expect(staff.get_by_test_id("stMetric").filter(has_text="학생 이수율")).to_contain_text("2.0%")
    staff.context.close()
    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
    coordinator.goto(server["url"])
    _sign_in(coordinator, "coordinator")
    expect(coordinator.get_by_role("heading", name="캠페인 현황").first).to_be_visible()
    expect(coordinator.get_by_test_id("stMetric").filter(has_text="참여 학생")).to_contain_text("6")
    coordinator.context.close()

    # Leave, then come back with the PIN: the lesson is done and the quiz passed.
    click(page, "내 수업으로")
    click(page, "나가기")
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()  # Leave also forgot the seat in the browser
    _join(page, server["join_code"], "21", "4826")
    expect(page.get_by_text("완료 · 퀴즈 통과")).to_be_visible()


def _sign_in(page, username: str) -> None:
    settled(page)
    open_sign_in(page)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    settled(page)


def test_another_browser_needs_the_pin_and_guessing_is_throttled(page, server, browser) -> None:
    _join(page, server["join_code"], "30", "1593")
    expect(page.get_by_role("heading", name="내 수업")).to_be_visible()
    stranger = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR").new_page()
    stranger.goto(server["url"])
    tried = 0
    for guess in ("0000", "1111", "2222", "3333", "4444", "5555"):
        _join(stranger, server["join_code"], "30", guess)
        tried += 1
        if stranger.get_by_text("시도가 너무 많았어요").count():
            break
    expect(stranger.get_by_text(re.compile(r"시도가 너무 많았어요\. \d+분 뒤에 다시 해 보세요"))).to_be_visible()
    expect(stranger.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    assert tried == 6  # five wrong PINs are checked; the sixth waits
    stranger.context.close()


def test_quick_exit_leaves_for_a_neutral_page_that_back_cannot_undo(page, server) -> None:
    page.route(
        re.compile(r"https://weather\.naver\.com/.*"), lambda route: route.fulfill(body="<h1>Weather</h1>", content_type="text/html")
    )
    _join(page, server["join_code"], "31", "7777")
    click(page, "시작하기")
    expect(page.get_by_text("온라인 성범죄를 다룹니다.")).to_be_visible()
    page.get_by_role("button", name="빠른 나가기").click()
    page.wait_for_url(DEFAULT_QUICK_EXIT_URL)
    assert page.url == DEFAULT_QUICK_EXIT_URL
    page.go_back()
    settled(page)
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()  # the seat is forgotten
    expect(page.get_by_text("온라인 성범죄를 다룹니다.")).to_have_count(0)


def test_the_same_journey_in_english_on_a_phone(browser, server) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", has_touch=True, is_mobile=True).new_page()
    phone.goto(server["url"])
    settled(phone)
    expect(phone.get_by_role("button", name="빠른 나가기")).to_be_visible()  # no sidebar needed for help and exit
    # All of it can be tapped: Streamlit's header lies over the top of the page on a phone.
    box = phone.locator("#safeclass-quick-exit").bounding_box()
    for y in (box["y"] + 2, box["y"] + box["height"] / 2):
        tapped = phone.evaluate("([x, y]) => document.elementFromPoint(x, y)?.id", [box["x"] + box["width"] / 2, y])
        assert tapped == "safeclass-quick-exit", f"a tap at y={y:.0f} reaches {tapped!r}, not Quick exit"
    phone.get_by_test_id("stExpandSidebarButton").click()
    phone.get_by_text("English", exact=True).click()
    settled(phone)
    for _ in range(50):  # the browser stores the choice once the page's script has run
        if any(c["name"] == "safeclass_lang" and c["value"] == "en" for c in phone.context.cookies()):
            break
        phone.wait_for_timeout(100)
    phone.reload()  # the language survives a reload
    settled(phone)
    if phone.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "false":
        phone.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    _join(phone, server["join_code"], "32", "2468", ("Class code", "Seat number", "4-digit PIN", "Join"))
    expect(phone.get_by_role("heading", name="My lessons")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scroll
    click(phone, "Start")
    click(phone, "Do the alternative activity")
    click(phone, "I have done the alternative activity")
    expect(phone.get_by_text("What to remember")).to_be_visible()
    click(phone, "Take the quiz")
    click(phone, "Start the quiz")
    words = {
        "ask": "Ask",
        "filter": "A filter",
        "face": "A face",
        "uniform": "A uniform with the school name",
        "colour": "A favourite colour",
        "true": "True",
        "false": "False",
        "step1": "Don't open it",
        "step2": "Tell an adult",
        "step3": "Report together",
    }
    _answer_quiz(phone, right=True, words=words)
    phone.screenshot(path="/tmp/shots/phone-quiz.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    click(phone, "Submit")
    expect(phone.get_by_text("Passed!")).to_be_visible()
    small = phone.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain] button')]"
        ".filter(b => b.offsetParent && b.getBoundingClientRect().height < 44).length"
    )
    assert small == 0  # touch targets of at least 44 px
    phone.context.close()
