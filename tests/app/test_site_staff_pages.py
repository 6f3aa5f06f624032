"""AppTest for the staff pages of issue 8: classes, seats, staff accounts, certificate, verify, attestation, password policy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from safeclass import clock
from safeclass.db.models import Account, Certificate, ClassGroup, Learner
from safeclass.domain import Role
from safeclass.services.classes import join_class
from safeclass.services.drills import finish_drill, join_drill, open_next_inject, record_decision, run_state, start_drill
from safeclass.services.progress import record_module_progress
from tests.app.test_pages import _app, _button, _sign_in, _texts
from tests.factories import PASSWORD, make_account, make_class, make_learners

IN_CAMPAIGN = dt.datetime(2025, 5, 2, 3, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _during_the_campaign():
    with clock.frozen_at(IN_CAMPAIGN):
        yield


def _code(app_env) -> str:
    with app_env.reading() as s:
        return s.scalar(select(ClassGroup.join_code).where(ClassGroup.label == "2-3"))


def test_teacher_creates_a_class_and_a_repeat_is_refused_not_duplicated(app_env) -> None:
    at = _sign_in(_app(), "kim")
    assert at.title[0].value == "학급과 좌석"
    at.number_input[0].set_value(3)
    at.text_input[0].input("1반")
    at.number_input[1].set_value(27)
    _button(at, "학급 만들기").click().run()
    assert "'1반' 학급을 만들었습니다" in at.success[0].value
    assert any("3학년 · 1반" in m.value for m in at.markdown)
    at.text_input[0].input("1반")
    _button(at, "학급 만들기").click().run()  # a second click, or the same class again
    assert at.error[0].value.startswith("'1반' 학급은 이미 있습니다")
    with app_env.reading() as s:
        assert len(list(s.scalars(select(ClassGroup).where(ClassGroup.label == "1반")))) == 1
    group_id = None
    with app_env.reading() as s:
        group_id = s.scalar(select(ClassGroup.id).where(ClassGroup.label == "1반"))
    at.button(key=f"seats.close.{group_id}").click().run()
    assert "'1반' 학급을 닫았습니다" in at.success[0].value
    at.toggle(key="seats.show_closed").set_value(True).run()
    at.button(key=f"seats.reopen.{group_id}").click().run()
    assert "다시 열었습니다" in at.success[0].value


def test_teacher_resets_a_seats_pin_and_removes_a_seat(app_env) -> None:
    with app_env.transaction() as s:
        for seat in (4, 7):
            join_class(s, join_code=_code(app_env), seat_number=seat, pin="2580")
    at = _sign_in(_app(), "kim")
    at.switch_page("app_pages/seats.py").run()
    assert at.title[0].value == "좌석 목록"
    table = at.dataframe[0].value
    assert list(table["번호"]) == [1, 2, 3, 4, 5, 6, 7] and list(table["상태"]).count("참여") == 2
    at.selectbox(key="seats.seat").set_value(7).run()
    at.button(key="seats.reset").click().run()
    assert at.success[0].value.startswith("7번 자리의 비밀번호를 지웠습니다")
    assert "비밀번호 재설정됨" in " ".join(at.dataframe[0].value["상태"])
    with app_env.reading() as s:
        assert s.scalar(select(Learner.pin_hash).where(Learner.seat_number == 7)) is None
    at.selectbox(key="seats.seat").set_value(4).run()
    assert at.button(key="seats.remove").disabled  # removal needs the confirmation first
    at.checkbox(key="seats.remove_sure").check().run()
    at.button(key="seats.remove").click().run()
    assert at.success[0].value == "4번 좌석을 지웠습니다."
    with app_env.reading() as s:
        assert [n for n in s.scalars(select(Learner.seat_number))] == [7]


def test_principal_creates_a_teacher_sees_the_password_once_and_deactivates_them(app_env) -> None:
    at = _sign_in(_app(), "park")
    at.switch_page("app_pages/staff.py").run()
    at.text_input[0].input("최선생")
    at.text_input[1].input("choi.teacher")
    _button(at, "계정 만들기").click().run()
    assert at.subheader[0].value == "최선생 선생님의 임시 비밀번호"
    one_time = at.code[0].value
    with app_env.reading() as s:
        account = s.scalar(select(Account).where(Account.username == "choi.teacher"))
    assert account.must_change_password and account.site_id is not None and len(one_time) >= 12
    _button(at, "전달했습니다 (숨기기)").click().run()
    assert not at.code and one_time not in _texts(at)  # shown once: gone for good
    names = list(at.dataframe[0].value["아이디"])
    assert names == ["kim", "choi.teacher"]  # by name: Kim, 최선생
    at.selectbox[0].set_value(account.id).run()
    at.button(key="staff.deactivate").click().run()
    assert "계정을 멈췄습니다" in at.success[0].value
    at.text_input[1].input("lee.teacher")
    at.text_input[0].input("")
    _button(at, "계정 만들기").click().run()
    assert at.error[0].value == "선생님 이름을 적어 주세요."


def _certify(app_env, fixture_catalog, test_campaign) -> None:
    from tests.services.test_progress import take_quiz

    with app_env.transaction() as s:
        park = s.scalar(select(Account).where(Account.username == "park"))
        record_module_progress(s, park, test_campaign, fixture_catalog.modules["test-training"], sections_done=1, completed=True)
    take_quiz(app_env, park, test_campaign, fixture_catalog.quizzes["test-certification"], {"report": False})


def test_principal_gets_the_certificate_once_certified_and_anyone_verifies_it(app_env, fixture_catalog, test_campaign) -> None:
    at = _sign_in(_app(), "park")
    at.switch_page("app_pages/certificate.py").run()
    assert "아직 인증 조건을 채우지 않았습니다" in at.info[0].value
    _certify(app_env, fixture_catalog, test_campaign)
    at.run()
    assert at.success[0].value == "인증서가 발급되었습니다."
    at.run()
    with app_env.reading() as s:
        codes = list(s.scalars(select(Certificate.code)))
    assert len(codes) == 1 and "-".join(codes[0][i : i + 4] for i in range(0, 16, 4)) == at.code[0].value

    visitor = _app()
    visitor.query_params["code"] = codes[0]
    visitor.switch_page("app_pages/verify.py").run()
    assert visitor.success[0].value == "유효한 인증서입니다."
    assert "Park" in _texts(visitor) and "시험 캠페인" in _texts(visitor)
    visitor.text_input[0].input("AAAA-BBBB-CCCC-DDDD")
    _button(visitor, "확인").click().run()
    assert visitor.error[0].value.startswith("이 확인 코드의 인증서를 찾을 수 없습니다")


def test_a_coordinator_revokes_on_the_verify_page(app_env, fixture_catalog, test_campaign) -> None:
    _certify(app_env, fixture_catalog, test_campaign)
    at = _sign_in(_app(), "park")
    at.switch_page("app_pages/certificate.py").run()
    with app_env.reading() as s:
        code = s.scalar(select(Certificate.code))
    coordinator = _sign_in(_app(), "coord")
    coordinator.query_params["code"] = code
    coordinator.switch_page("app_pages/verify.py").run()
    coordinator.text_input[1].input("발급 착오")
    _button(coordinator, "이 인증서 취소").click().run()
    assert coordinator.success[0].value == "인증서를 취소했습니다."
    assert coordinator.error[0].value == "취소된 인증서입니다."
    at.run()
    assert "취소되었습니다" in at.error[0].value


def test_teacher_attests_a_lesson_within_the_class_size(app_env) -> None:
    at = _sign_in(_app(), "kim")
    at.switch_page("app_pages/attest.py").run()
    assert at.title[0].value == "기기 없이 한 수업 기록"
    at.number_input[0].set_value(24)
    _button(at, "기록하기").click().run()
    assert at.success[0].value == "2학년 · 2-3 · 내 사진, 네 사진 수업을 기록했습니다 (24명)."
    assert at.dataframe[0].value["참석 학생 수"].tolist() == [24]


def test_a_weak_new_password_is_refused_with_the_reason_and_the_change_stays_confirmed(app_env) -> None:
    at = _sign_in(_app(), "kim")
    at.switch_page("app_pages/account.py").run()
    at.text_input[0].input(PASSWORD)
    at.text_input[1].input("1111111111")
    at.text_input[2].input("1111111111")
    _button(at, "비밀번호 변경").click().run()
    assert at.error[0].value.startswith("같은 글자나 같은 묶음을 되풀이한 비밀번호는 쓸 수 없습니다")
    at.text_input[1].input("Seoul-2025-Mapo!")
    at.text_input[2].input("Seoul-2025-Mapo!")
    _button(at, "비밀번호 변경").click().run()
    assert at.success, (at.title[0].value, [e.value for e in at.error])
    assert at.success[0].value.startswith("비밀번호를 바꿨습니다")
    at.run()
    at.run()  # the sign-in cookie is renewed on a later run: the confirmation is still there
    assert at.success[0].value.startswith("비밀번호를 바꿨습니다")


def test_teacher_sees_my_classes_with_progress_and_small_counts_hidden(app_env, fixture_catalog, test_campaign) -> None:
    with app_env.transaction() as s:
        kim = s.scalar(select(Account).where(Account.username == "kim"))
        learners = make_learners(s, s.scalar(select(ClassGroup).where(ClassGroup.label == "2-3")), 8)
        for learner in learners[:6]:
            record_module_progress(s, learner, test_campaign, fixture_catalog.modules["test-lesson"], sections_done=6, completed=True)
        make_learners(s, make_class(s, kim, label="2-4"), 2)
    at = _sign_in(_app(), "kim")
    at.switch_page("app_pages/my_classes.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "내 학급"
    table = at.dataframe[0].value.set_index("학급")
    assert list(table.index) == ["2-3", "2-4"]
    assert table.loc["2-4", "참여 학생"] == "<5"
    assert table.loc["2-3", "내 사진, 네 사진"] in ("6", "*")
    assert "None" not in table.to_string()


def test_a_teacher_without_classes_is_pointed_to_opening_one(app_env) -> None:
    with app_env.transaction() as s:
        make_account(s, "choi", Role.TEACHER, s.scalar(select(Account).where(Account.username == "kim")).site)
    at = _sign_in(_app(), "choi")
    at.switch_page("app_pages/my_classes.py").run()
    assert "아직 만든 학급이 없습니다" in at.info[0].value


def test_my_site_shows_each_teachers_drills_this_term_apart_from_the_modules(app_env, fixture_catalog, test_campaign) -> None:
    drill = fixture_catalog.drills["test-drill"]
    with app_env.transaction() as s:
        park = s.scalar(select(Account).where(Account.username == "park"))
        kim = s.scalar(select(Account).where(Account.username == "kim"))
        make_account(s, "lee", Role.TEACHER, kim.site)
        run_id = start_drill(s, park, test_campaign.id, drill).id
        join_drill(s, run_state(s, park, run_id).code, "10.0.0.1", kim)
        for inject in drill.injects:
            open_next_inject(s, park, run_id, drill)
            record_decision(s, park, run_id, drill, inject.id, 0)
        finish_drill(s, park, run_id, drill)
    at = _sign_in(_app(), "park")
    at.switch_page("app_pages/site.py").run()
    assert not at.exception, at.exception
    staff = at.dataframe[-1].value.set_index("이름")
    assert staff.loc["Kim", "모의 훈련 참여 (이번 학기)"] == "1회" and staff.loc["Lee", "모의 훈련 참여 (이번 학기)"] == "—"
    assert staff.loc["Kim", "연수 모듈"].startswith("0/")  # the drill is not a module completed
    assert any("연수 모듈 이수와 따로 셉니다" in c.value for c in at.caption)


def test_the_overview_shows_sites_that_drilled_as_a_kpi_and_against_the_drill_target(app_env, fixture_catalog, test_campaign) -> None:
    drill = fixture_catalog.drills["test-drill"]
    with app_env.transaction() as s:
        park = s.scalar(select(Account).where(Account.username == "park"))
        run_id = start_drill(s, park, test_campaign.id, drill).id
        for inject in drill.injects:
            open_next_inject(s, park, run_id, drill)
            record_decision(s, park, run_id, drill, inject.id, 0)
        finish_drill(s, park, run_id, drill)
    at = _sign_in(_app(), "coord")
    assert at.title[0].value == "캠페인 현황"
    assert next(m for m in at.metric if m.label == "모의 훈련 실시 학교·시설").value == "1 / 1"
    # The fixture's drill target (50% of sites by 2025-12-19) on its date, like the other targets; it has no label of its own.
    line = next(p.text for p in at.get("progress") if "학교·시설 모의 대응 훈련 실시" in p.text)
    assert line == "학교·시설 모의 대응 훈련 실시: 50% (2025. 12. 19.까지) — 현재 100.0% · 달성"


def test_my_sites_class_table_follows_the_language_and_its_counts(app_env, fixture_catalog, test_campaign) -> None:
    # The table is formatted once per table and language (class_table's memo): a switch must not serve the
    # Korean one, and a new count must not serve the old one.
    with app_env.transaction() as s:
        group = s.scalar(select(ClassGroup).where(ClassGroup.label == "2-3"))
        make_learners(s, group, 6)
    at = _sign_in(_app(), "park")
    at.switch_page("app_pages/site.py").run()
    assert at.dataframe[0].value.iloc[0]["참여 학생"] == "6"
    at.sidebar.radio[0].set_value("en").run()
    table = at.dataframe[0].value
    assert "참여 학생" not in table.columns and table.iloc[0]["Students joined"] == "6"
    with app_env.transaction() as s:
        join_class(s, join_code=s.scalar(select(ClassGroup.join_code).where(ClassGroup.label == "2-3")), seat_number=7, pin="2580")
    at.run()
    assert at.dataframe[0].value.iloc[0]["Students joined"] == "7"
