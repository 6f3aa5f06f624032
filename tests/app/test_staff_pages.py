"""Staff pages under AppTest: the principal's training in the same player, certification, and projector mode."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from safeclass.db.models import ModuleProgress, ScenarioChoice, SiteRollup
from tests.app.conftest import ROOT
from tests.app.test_pages import _texts
from tests.factories import PASSWORD


def _signed_in(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("app_pages/sign_in.py").run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORD)
    _click(at, "로그인")
    return at


def _open(at: AppTest, page: str, **params: str) -> AppTest:
    """Go to a page with query parameters (AppTest keeps the page it was switched to for later runs)."""
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, label: str) -> AppTest:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    matches[0].click().run()
    assert not at.exception, at.exception
    return at


def test_principal_trains_sees_critical_choices_in_the_debrief_retries_and_is_certified(app_env) -> None:
    at = _signed_in("park")
    _open(at, "app_pages/training.py")
    assert at.title[0].value == "대응 연수"
    assert "시작하기" in [b.label for b in at.button]  # the next step
    _open(at, "app_pages/lesson.py", module="test-training")
    assert at.title[0].value == "첫 1시간"
    _click(at, "다음")
    _click(at, "사진을 내 휴대폰으로 보내 달라고 한다")
    assert "위험한 선택입니다" in at.error[0].value  # flagged at once, with why (staff are addressed formally)
    _click(at, "계속")
    _click(at, "즉시 신고하고 복사본이 있다고 알린다")
    _click(at, "계속")
    texts = _texts(at)
    # The verdict comes from the path: a critical choice was made, even though the ending is only "partial".
    assert "치명적 오류 1개: 인증 전에 다시 해 보세요 (최선의 경로 대비 50%)" in texts
    assert "이 결말: 아쉬운 결말" in texts
    assert "(0점 / 최선 2점)" in texts and "**더 나은 선택:** 링크와 시각만 기록하고 즉시 신고한다" in texts
    _click(at, "처음부터 다시 해 보기")
    _click(at, "링크와 시각만 기록하고 즉시 신고한다")
    _click(at, "계속")
    assert at.success[0].value == "치명적 오류 없음 · 최선의 경로 대비 100%"
    with app_env.reading() as s:
        choices = list(s.scalars(select(ScenarioChoice)))
        assert len({c.run_key for c in choices}) == 2 and all(c.account_id is not None for c in choices)
        assert [c.critical for c in choices if c.node_id == "start"] == [True, False]
    _click(at, "마치기")
    assert "즉시 신고한다." in _texts(at)  # what to remember
    assert "'첫 1시간' 모듈을 마쳤습니다." in _texts(at)
    assert "인증 평가 시작" in [b.label for b in at.button]  # the last module done: the certification is the next step
    _open(at, "app_pages/training.py")
    assert "인증 평가 시작" in [b.label for b in at.button]  # the certification quiz opened once the training was complete
    _open(at, "app_pages/quiz.py", quiz="test-certification")
    _click(at, "평가 시작")
    radio = next(r for r in at.radio if r.key and r.key.startswith("quiz."))
    at.session_state[radio.key] = False
    at.run()
    _click(at, "제출하기")
    assert "통과했습니다." in at.success[0].value  # staff are addressed formally
    _click(at, "인증서 보기")  # straight on to the certificate just issued
    assert at.title[0].value == "대응 연수 인증서"
    with app_env.reading() as s:
        assert s.scalar(select(SiteRollup.principals_certified)) == 1
        assert s.scalar(select(ModuleProgress.account_id)) is not None


def test_teacher_takes_the_staff_training_and_counts_in_the_staff_total(app_env) -> None:
    at = _signed_in("kim")
    _open(at, "app_pages/lesson.py", module="test-training")
    _click(at, "다음")
    _click(at, "링크와 시각만 기록하고 즉시 신고한다")
    _click(at, "계속")
    _click(at, "마치기")
    with app_env.reading() as s:
        assert s.scalar(select(SiteRollup.staff_completed)) == 1  # staff have no certification quiz in this campaign


def test_projector_mode_reveals_after_discussion_shows_notes_only_on_request_and_records_nothing(app_env) -> None:
    at = _signed_in("kim")
    at.switch_page("app_pages/projector.py").run()
    assert at.title[0].value == "수업 화면(프로젝터)"
    _click(at, "다음")
    _click(at, "다음")
    assert "묻는다" in _texts(at) and "맞아요." not in _texts(at)  # discuss first
    _click(at, "함께 이야기한 뒤 답 보기")
    assert "맞아요." in _texts(at) and "친구가 정해요." in _texts(at)
    _click(at, "다음")
    notes = [e for e in at.expander if "교사용 안내" in e.label]
    assert notes and "이유를 묻습니다." in " ".join(m.value for m in notes[0].markdown)
    with app_env.reading() as s:
        assert s.scalar(select(ModuleProgress.id)) is None
