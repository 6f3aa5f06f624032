"""The case guide, drill pages and the coordinators' drill overview under AppTest."""

from __future__ import annotations

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from safeclass.db.base import Base
from safeclass.db.models import DrillDecision, DrillParticipant, DrillRun, GuideOpening
from tests.app.conftest import ROOT
from tests.app.test_pages import _texts
from tests.app.test_staff_pages import _click, _open, _signed_in


def _choose(at: AppTest, option: int) -> None:
    """Select the group's option at the inject in play (the radio is keyed per run and inject)."""
    radio = next(r for r in at.radio if r.key and r.key.startswith("drill."))
    radio.set_value(option).run()
    assert not at.exception, at.exception


def _row_counts(database) -> dict[str, int]:
    with database.reading() as s:
        return {table.name: s.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables}


def test_the_case_guide_stores_nothing_but_one_opening_while_steps_are_ticked_cleared_and_printed(app_env) -> None:
    at = _signed_in("park")
    before = _row_counts(app_env)
    _open(at, "app_pages/guide.py")
    assert at.title[0].value == "사건 대응 안내"
    assert "어떤 정보도 저장되지 않습니다" in _texts(at)
    assert "경찰 112" in _texts(at)  # the step's help entries, from the campaign's directory
    boxes = [c for c in at.checkbox if c.key and c.key.startswith("guide.")]
    assert len(boxes) == 3
    for box in boxes:
        box.check().run()
    assert at.get("progress")[0].proto.text == "3단계 중 3단계 확인"
    assert all(at.session_state[b.key] for b in boxes)  # the ticks live in this session only
    _click(at, "체크 표시 지우기")
    assert not any(at.session_state[b.key] for b in [c for c in at.checkbox if c.key and c.key.startswith("guide.")])
    assert at.get("download_button")  # printable
    _open(at, "app_pages/guide.py")  # opening it again in the same session is not counted again
    after = _row_counts(app_env)
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert changed == {"guide_opening": (0, 1)}, changed
    with app_env.reading() as s:
        assert s.scalar(select(GuideOpening.opened)) == 1


def test_staff_without_an_account_reach_the_guide_from_the_help_page_and_are_not_counted(app_env) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("app_pages/help.py").run()
    assert [link.proto.page for link in at.get("page_link")] == ["guide"]
    before = _row_counts(app_env)
    at.switch_page("app_pages/guide.py").run()
    assert not at.exception and at.title[0].value == "사건 대응 안내"
    at.checkbox[0].check().run()
    assert _row_counts(app_env) == before


def test_principal_runs_a_drill_critical_decisions_are_flagged_and_the_report_is_shown(app_env) -> None:
    at = _signed_in("park")
    _open(at, "app_pages/drill.py")
    assert at.title[0].value == "모의 대응 훈련"
    _click(at, "이 훈련 시작하기")
    with app_env.reading() as s:
        code = s.scalar(select(DrillRun.code))
    assert code in _texts(at)
    _click(at, "시작 — 첫 상황 열기")
    assert "상황 1 / 3" in _texts(at) and "남은 시간" in _texts(at)
    _choose(at, 1)  # "Is it really you?"
    _click(at, "결정 기록하기")
    assert "치명적" in at.error[0].value
    assert "말해 줘서 고마워요" in _texts(at)  # what the guide would have had them do
    _click(at, "다음 상황")
    _choose(at, 0)
    _click(at, "결정 기록하기")
    assert "사건 대응 안내를 따른 결정입니다" in at.success[0].value
    _click(at, "다음 상황")
    _choose(at, 1)
    _click(at, "결정 기록하기")
    _click(at, "훈련 마치고 보고서 보기")
    texts = _texts(at)
    assert "훈련 결과 보고서" in [h.value for h in at.header] and "후속 과제" in texts
    assert "피해 학생 담임교사" in texts  # the follow-up's owner
    assert at.get("download_button")
    with app_env.reading() as s:
        assert s.scalar(select(func.count()).select_from(DrillDecision)) == 3
        assert s.scalar(select(DrillRun.finished_at)) is not None


def test_staff_join_with_the_code_quickly_or_signed_in_and_follow_the_drill(app_env) -> None:
    principal = _signed_in("park")
    _open(principal, "app_pages/drill.py")
    _click(principal, "이 훈련 시작하기")
    with app_env.reading() as s:
        code = s.scalar(select(DrillRun.code))

    quick = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    quick.run()
    quick.switch_page("app_pages/drill_join.py").run()
    quick.text_input[0].input("WRONG1")
    next(b for b in quick.button if b.label == "참여하기").click().run()
    assert "찾을 수 없습니다" in quick.error[0].value
    quick.text_input[0].input(code.lower())
    next(b for b in quick.button if b.label == "참여하기").click().run()
    assert not quick.exception
    assert "이름 없이 참여했습니다." in _texts(quick) and "기다리고 있습니다" in _texts(quick)

    teacher = _signed_in("kim")
    _open(teacher, "app_pages/drill_join.py")
    teacher.text_input[0].input(code)
    _click(teacher, "참여하기")
    assert "연수 출석으로 인정됩니다" in _texts(teacher)

    _click(principal, "시작 — 첫 상황 열기")
    quick.run()
    assert "상황 1 / 3" in _texts(quick) and "모둠이 결정하고 있습니다" in _texts(quick)
    _choose(principal, 0)
    _click(principal, "결정 기록하기")
    teacher.run()
    assert "모둠의 결정:" in _texts(teacher)
    with app_env.reading() as s:
        assert s.scalar(select(func.count()).select_from(DrillParticipant)) == 3
        assert s.scalar(select(func.count(DrillParticipant.account_id))) == 2


def test_coordinator_sees_drills_this_term_and_guide_openings(app_env) -> None:
    at = _signed_in("coord")
    _open(at, "app_pages/drills_overview.py")
    assert at.title[0].value == "모의 훈련과 사건 대응 안내"
    assert at.metric[0].value == "0 / 1"
