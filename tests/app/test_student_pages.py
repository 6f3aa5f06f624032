"""Student pages under AppTest: join with a PIN, the lesson player, the quiz, help, and a seat only its owner opens."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from safeclass import throttle
from safeclass.db.models import CheckAnswer, ClassGroup, ModuleProgress, QuizAttempt, ScenarioChoice
from safeclass.ui import resources
from tests.app.conftest import ROOT
from tests.app.test_pages import _texts


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    return matches[0]


def _click(at: AppTest, label: str) -> AppTest:
    _button(at, label).click().run()
    assert not at.exception, at.exception
    return at


def _code(database) -> str:
    with database.reading() as s:
        return s.scalar(select(ClassGroup.join_code))


def _join(at: AppTest, code: str, seat: str = "4", pin: str = "1357") -> AppTest:
    at.text_input[0].input(code)
    at.text_input[1].input(seat)
    at.text_input[2].input(pin)
    return _click(at, "참여하기")


CHECK = "player.test-lesson.check.ask-first.picked"


def _pick(at: AppTest, key: str, value: object) -> None:
    """Choose an option of a widget by its key (the radio's labels are formatted by the page)."""
    at.session_state[key] = value
    at.run()


def _images(at: AppTest) -> list[str]:
    """Alt texts of the images on the page."""
    found = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "imgs", None):
            found.extend(i.alt for i in proto.imgs)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def _count(database, model) -> int:
    with database.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_joining_needs_a_pin_and_says_what_is_wrong_in_korean(app_env) -> None:
    at = _app()
    _join(at, "wrong1")
    assert "학급 코드 'WRONG1'를 찾을 수 없어요" in at.error[0].value
    _join(at, _code(app_env), seat="70")
    assert at.error[0].value == "번호는 1부터 60까지 입력할 수 있어요."
    _join(at, _code(app_env), pin="")
    assert at.error[0].value == "비밀번호는 숫자 4자리로 입력하세요."
    _join(at, _code(app_env), seat="4", pin="1357")
    assert at.title[0].value == "내 수업"
    assert r"2\-3 · 중학교 · 4번" in _texts(at)  # the teacher's label, Markdown-escaped: shown as "2-3"


def test_another_browser_needs_the_pin_and_wrong_pins_are_throttled(app_env, monkeypatch) -> None:
    code = _code(app_env)
    _join(_app(), code, seat="4", pin="1357")  # the owner chose 1357
    stranger = _app()
    _join(stranger, code, seat="4", pin="0000")
    assert "4번 자리의 비밀번호와 맞지 않아요" in stranger.error[0].value
    assert stranger.title[0].value == "수업 참여하기"  # not in the seat
    monkeypatch.setitem(throttle.LIMITS, "seat_pin", (throttle.Limit(2, throttle.MINUTE * 5),))
    _join(stranger, code, seat="4", pin="0001")
    _join(stranger, code, seat="4", pin="1357")  # even the right PIN waits while the seat is held
    assert stranger.error[0].value == "시도가 너무 많았어요. 5분 뒤에 다시 해 보세요. 급하면 선생님께 말씀드리세요."


def test_a_lesson_from_warning_to_what_to_remember(app_env) -> None:
    at = _join(_app(), _code(app_env))
    _click(at, "시작하기")
    assert at.title[0].value == "내 사진, 네 사진"
    assert "온라인 성범죄를 다룹니다." in _texts(at)  # the content warning comes first
    _click(at, "수업 계속하기")
    assert "1 / 6" in at.get("progress")[0].proto.text
    assert "얼굴 사진은 **개인정보**입니다." in _texts(at)
    _click(at, "다음")
    assert "걱정되면 청소년상담 1388에 이야기하세요." in _texts(at)  # {help:…} filled from the campaign
    _click(at, "다음")
    assert _button(at, "다음").disabled  # a check must be answered before moving on
    _pick(at, CHECK, 1)
    _click(at, "확인하기")
    assert "친구가 정해요." in at.warning[0].value  # instant feedback on the option chosen
    _pick(at, CHECK, 0)
    _click(at, "확인하기")
    assert at.success[0].value == "맞아요."
    with app_env.reading() as s:  # only the first answer is stored, as an option index
        assert [(a.check_id, a.choice_index, a.correct) for a in s.scalars(select(CheckAnswer))] == [("ask-first", 1, False)]
    _click(at, "다음")
    assert "카드를 나눕니다." in _texts(at) and "이유를 묻습니다." not in _texts(at)  # teacher notes never shown
    _click(at, "다음")
    assert "5 / 6" in at.get("progress")[0].proto.text and "신호등 그림" not in _texts(at), _texts(at)  # shown as an image, alt text
    assert _images(at) == ["신호등 그림"]  # the image from lessons/media, with its alt text
    _click(at, "다음")
    _click(at, "퍼뜨린다")
    assert "위험한 선택이에요" in at.error[0].value
    _click(at, "계속")
    assert "열지 말고 알리세요." in _texts(at)
    assert "**더 나은 선택:** 선생님께 알린다" in _texts(at)  # the debrief walks back through the path
    assert "이 결말: 위험한 결말" in _texts(at)
    _click(at, "처음부터 다시 해 보기")
    _click(at, "선생님께 알린다")
    _click(at, "계속")
    assert "알리는 것이 지키는 일입니다." in _texts(at)
    with app_env.reading() as s:
        runs = {c.run_key for c in s.scalars(select(ScenarioChoice))}
        assert len(runs) == 2  # a replay is a new run; every choice recorded
    _click(at, "마치기")
    assert "꼭 기억할 것" in _texts(at) and "동의 없이 사진을 올리지 않는다." in _texts(at)
    with app_env.reading() as s:
        progress = s.scalar(select(ModuleProgress))
        assert progress.completed_at is not None and not progress.alternative


def _at_the_check(code: str) -> AppTest:
    """A new seat in the fixture lesson, past its warning and two sections: on the inline check (section 3 of 6)."""
    at = _join(_app(), code)
    _click(at, "시작하기")
    _click(at, "수업 계속하기")
    _click(at, "다음")
    _click(at, "다음")
    return at


def test_closing_the_tab_resumes_at_the_same_section(app_env) -> None:
    code = _code(app_env)
    _at_the_check(code)  # one session leaves the seat on section 3 of 6
    again = _join(_app(), code)  # a new session: the same seat with its PIN
    assert "진행 중 (3/6)" in _texts(again)
    _click(again, "이어서 하기")
    assert "3 / 6" in again.get("progress")[0].proto.text


def test_a_new_session_shows_the_answered_check_instead_of_asking_again(app_env) -> None:
    """A reload, a phone's discarded tab or another replica: the stored first answer's feedback, and Next open."""
    code = _code(app_env)
    at = _at_the_check(code)
    _pick(at, CHECK, 1)
    _click(at, "확인하기")  # the first answer, the one stored: wrong
    again = _join(_app(), code)
    _click(again, "이어서 하기")
    assert "3 / 6" in again.get("progress")[0].proto.text
    assert "친구가 정해요." in again.warning[0].value  # the feedback of the stored answer
    assert not _button(again, "다음").disabled
    _pick(again, CHECK, 0)  # trying again still works, and is still not stored
    _click(again, "확인하기")
    assert again.success[0].value == "맞아요."
    with app_env.reading() as s:
        assert [(a.check_id, a.choice_index) for a in s.scalars(select(CheckAnswer))] == [("ask-first", 1)]


def test_the_alternative_activity_is_a_real_choice_that_completes(app_env) -> None:
    at = _join(_app(), _code(app_env))
    _click(at, "시작하기")
    _click(at, "대체 활동 하기")
    assert "개인정보 설정 활동지를 합니다." in _texts(at)
    _click(at, "대체 활동을 마쳤어요")
    assert "꼭 기억할 것" in _texts(at)
    with app_env.reading() as s:
        progress = s.scalar(select(ModuleProgress))
        assert progress.completed_at is not None and progress.alternative


def _finish_lesson(at: AppTest) -> AppTest:
    _click(at, "시작하기")
    _click(at, "대체 활동 하기")
    return _click(at, "대체 활동을 마쳤어요")


def test_quiz_failed_then_passed_with_explanations(app_env) -> None:
    at = _join(_app(), _code(app_env))
    assert "모든 수업을 마치면" not in _texts(at)
    _finish_lesson(at)
    _click(at, "퀴즈 풀기")
    assert "4문제 · 통과 기준 75%" in _texts(at)
    _click(at, "퀴즈 시작")
    with app_env.reading() as s:
        attempt = s.scalar(select(QuizAttempt))
        assert attempt.drawn and attempt.submitted_at is None  # drawn by the server when the attempt started
    _click(at, "제출하기")
    assert at.error[0].value == "아직 답하지 않은 문제가 3개 있어요."  # ordering always has an order
    _answer(at, right=False)
    _click(at, "제출하기")
    assert "아직 통과하지 못했어요." in at.warning[0].value
    assert "장난이라도 피해는 같아요." in _texts(at)  # each explanation beside the answer
    assert "남은 기회: 1번" in _texts(at)
    _click(at, "다시 풀기")
    _click(at, "퀴즈 시작")
    _answer(at, right=True)
    _click(at, "제출하기")
    assert "통과!" in at.success[0].value
    assert _count(app_env, QuizAttempt) == 2


def _answer(at: AppTest, right: bool) -> None:
    for radio in [r for r in at.radio if r.key and r.key.startswith("quiz.")]:
        true_false = radio.options == ["맞다", "틀리다"]
        at.session_state[radio.key] = (not right) if true_false else (0 if right else 1)
    for checkbox in at.checkbox:
        if checkbox.key and checkbox.key.startswith("quiz."):
            at.session_state[checkbox.key] = checkbox.key.endswith((".0", ".1")) if right else checkbox.key.endswith(".2")
    at.run()
    order_key = next(b.key for b in at.button if b.label == "위로").rsplit(".up.", 1)[0]
    assert at.session_state[order_key] != [0, 1, 2]  # ordering starts shuffled
    while right and at.session_state[order_key] != sorted(at.session_state[order_key]):
        order = at.session_state[order_key]
        misplaced = next(i for i, item in enumerate(order) if item != i)
        # Move the item that belongs at `misplaced` up with the Up button, one place at a time.
        next(b for b in at.button if b.key == f"{order_key}.up.{order.index(misplaced)}").click().run()


def _edit_campaign(tmp_path, old: str, new: str) -> None:
    campaign_file = tmp_path / "content" / "campaigns" / "test-campaign" / "campaign.yaml"
    campaign_file.write_text(campaign_file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_help_works_when_a_campaign_file_breaks_later(app_env, tmp_path, content_clock) -> None:
    at = _app()
    at.switch_page("app_pages/help.py").run()
    assert "청소년상담 1388" in _texts(at)
    _edit_campaign(tmp_path, "k: 5", "k: five")
    content_clock.pass_recheck()
    at.run()
    assert "청소년상담 1388" in _texts(at)  # the last good campaign keeps serving


def test_an_edited_content_file_is_served_without_a_restart(app_env, tmp_path, content_clock, monkeypatch) -> None:
    looks = []
    fingerprint = resources.content_fingerprint
    monkeypatch.setattr(resources, "content_fingerprint", lambda root: looks.append(root) or fingerprint(root))
    at = _app()
    at.switch_page("app_pages/help.py").run()
    assert "청소년상담 1388" in _texts(at)
    _edit_campaign(tmp_path, "청소년상담 1388", "청소년상담전화 1388")
    at.run()
    # Within the recheck interval the files are not looked at again: a stat of every file on every run was
    # 30% of a loaded server's time.
    assert "청소년상담 1388" in _texts(at) and len(looks) == 1
    content_clock.pass_recheck()
    at.run()
    assert "청소년상담전화 1388" in _texts(at) and len(looks) == 2


def test_leave_forgets_the_seat(app_env) -> None:
    at = _join(_app(), _code(app_env))
    _click(at, "나가기")
    assert at.title[0].value == "수업 참여하기"


@pytest.mark.parametrize(
    ("button", "param", "message"), [("시작하기", "module", "이 수업을 찾을 수 없어요."), (None, "quiz", "이 퀴즈를 찾을 수 없어요.")]
)
def test_an_unknown_lesson_or_quiz_in_the_address_is_a_message(app_env, button, param, message) -> None:
    at = _join(_app(), _code(app_env))
    if button:
        _click(at, button)
    else:
        at.switch_page("app_pages/quiz.py").run()
    at.query_params[param] = "no-such-item"
    at.run()
    assert not at.exception and at.info[0].value == message


def test_english_student_pages(app_env) -> None:
    at = _app()
    at.sidebar.radio[0].set_value("en").run()
    assert any("Quick exit" in h.proto.body for h in at.get("html"))
    at.text_input[0].input(_code(app_env))
    at.text_input[1].input("9")
    at.text_input[2].input("2468")
    _click(at, "Join")
    assert at.title[0].value == "My lessons"
    _click(at, "Start")
    assert "This lesson talks about online sexual crime." in _texts(at)
    _click(at, "Continue the lesson")
    assert "1 / 6" in at.get("progress")[0].proto.text


def test_database_gone_mid_lesson_shows_a_message_and_nothing_is_lost(app_env, monkeypatch) -> None:
    from contextlib import contextmanager

    from sqlalchemy.exc import OperationalError

    from safeclass.db.engine import Database

    at = _join(_app(), _code(app_env))
    _click(at, "시작하기")
    _click(at, "수업 계속하기")
    _click(at, "다음")  # saved: section 2
    working = Database.transaction

    @contextmanager
    def gone(self):
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("unable to open database file"))
        yield  # pragma: no cover

    monkeypatch.setattr(Database, "transaction", gone)
    _click(at, "다음")
    assert at.error[0].value == "저장하지 못했습니다. 잠시 후 다시 시도하세요. 입력한 내용은 그대로 있습니다."
    assert "2 / 6" in at.get("progress")[0].proto.text  # still on the section the student was on
    assert "Traceback" not in _texts(at)
    monkeypatch.setattr(Database, "transaction", working)  # the database is back
    _click(at, "다음")
    assert "3 / 6" in at.get("progress")[0].proto.text
    with app_env.reading() as s:
        assert s.scalar(select(ModuleProgress.position)) == 2
