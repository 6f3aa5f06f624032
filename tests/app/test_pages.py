"""Pages with Streamlit's AppTest: each role sees its own pages; bad input gets a clear message."""

from __future__ import annotations

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from safeclass.db.models import Account
from safeclass.domain import Role
from safeclass.services.classes import join_class
from tests.app.conftest import ROOT
from tests.factories import PASSWORD
from tests.security_tally import tally


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.switch_page("app_pages/sign_in.py").run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label in ("로그인", "Sign in")).click().run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _texts(at: AppTest) -> str:
    return " ".join(
        e.value for kind in (at.title, at.markdown, at.caption, at.error, at.info, at.success, at.warning, at.subheader) for e in kind
    )


def test_anonymous_visitor_sees_join_sign_in_and_help(app_env) -> None:
    at = _app()
    assert at.title[0].value == "수업 참여하기"
    at.switch_page("app_pages/help.py").run()
    assert "청소년상담 1388" in _texts(at)


def test_wrong_password_is_refused_and_repeated_failures_lock(app_env) -> None:
    at = _app()
    _sign_in(at, "coord", "not-the-password")
    assert at.error[0].value == "아이디 또는 비밀번호가 맞지 않습니다."
    for _ in range(5):
        _button(at, "로그인").click().run()
    assert "로그인 실패가 너무 많았습니다. 15분 뒤에" in at.error[0].value
    at.text_input[1].input(PASSWORD)
    _button(at, "로그인").click().run()
    assert "로그인 실패가 너무 많았습니다" in at.error[0].value  # even the right password waits out the lock


@pytest.mark.parametrize(
    ("username", "title"), [("coord", "캠페인 현황"), ("park", "우리 학교 현황"), ("kim", "학급과 좌석"), ("root", "콘텐츠 상태")]
)
def test_each_role_lands_on_its_own_page(app_env, username, title) -> None:
    at = _sign_in(_app(), username)
    assert at.title[0].value == title


def test_teacher_opens_a_class_code(app_env) -> None:
    at = _sign_in(_app(), "kim")
    at.text_input[0].input("3학년 1반")
    at.button[0].click().run()
    assert any("3학년 1반" in m.value for m in at.markdown)
    at.text_input[0].input("")
    at.button[0].click().run()
    assert at.error[0].value == "학급 이름은 1~40자로 쓰세요."


def test_principal_sees_only_their_site_with_small_counts_hidden(app_env) -> None:
    with app_env.transaction() as s:
        from sqlalchemy import select

        from safeclass.db.models import ClassGroup

        code = s.scalar(select(ClassGroup.join_code))
        for seat in (1, 2):
            join_class(s, join_code=code, seat_number=seat, pin="2580")
    at = _sign_in(_app(), "park")
    assert "M0001" in at.caption[0].value
    joined = next(m for m in at.metric if m.label == "참여 학생")
    assert joined.value == "<5"  # 2 students < k=5: hidden, and said so


def test_first_sign_in_must_change_the_one_time_password(app_env) -> None:
    from safeclass.services.accounts import create_account

    with app_env.transaction() as s:
        _, one_time = create_account(s, username="new.principal", display_name="새 교장", role=Role.PRINCIPAL, site_code="M0001")
    at = _sign_in(_app(), "new.principal", one_time)
    assert at.title[0].value == "내 계정" and at.warning
    at.text_input[0].input(one_time)
    at.text_input[1].input("a-new-long-password")
    at.text_input[2].input("a-different-one!!")
    submit = next(b for b in at.button if b.label == "비밀번호 변경")
    submit.click().run()
    assert at.error[0].value == "새 비밀번호 두 개가 서로 다릅니다."
    at.text_input[2].input("a-new-long-password")
    next(b for b in at.button if b.label == "비밀번호 변경").click().run()
    assert at.success[0].value == "비밀번호를 바꿨습니다. 다른 기기의 로그인은 모두 끝났습니다."
    at.switch_page("app_pages/site.py").run()  # the principal's pages are open now
    assert at.title[0].value == "우리 학교 현황"


def test_english_everywhere(app_env) -> None:
    at = _app()
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Join your class"
    _sign_in(at, "coord")
    assert at.title[0].value == "Campaign overview"


def test_admin_sees_a_broken_content_file_while_the_rest_works(app_env, tmp_path, content_clock) -> None:
    at = _sign_in(_app(), "root")
    assert at.success[0].value == "모든 콘텐츠 파일이 올바릅니다."
    # Edited while the app runs: picked up on a page view after the recheck interval, no restart.
    (tmp_path / "content" / "quizzes" / "broken.yaml").write_text("id: broken\ntitle: {ko: 깨짐}\n", encoding="utf-8")
    content_clock.pass_recheck()
    at.run()
    assert "오류" in at.error[0].value
    assert any("quizzes/broken.yaml" in str(df.value) for df in at.dataframe)
    at.switch_page("app_pages/dashboard.py").run()
    assert at.title[0].value == "캠페인 현황"


def test_app_refuses_to_start_without_a_cookie_key(app_env, monkeypatch) -> None:
    monkeypatch.delenv("SAFECLASS_COOKIE_KEY")
    at = _app()
    assert "SAFECLASS_COOKIE_KEY" in at.error[0].value
    assert not at.text_input


def test_unreachable_database_is_one_clear_message(app_env, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:pw@127.0.0.1:1/x")
    st.cache_resource.clear()
    at = _app()
    assert [e.value for e in at.error] == [
        "지금은 SafeClass에 연결할 수 없습니다. 잠시 뒤 다시 열어 보세요. 계속되면 선생님이나 담당자에게 알려 주세요."
    ]
    shown = _texts(at) + "".join(c.value for c in at.code)
    assert "127.0.0.1" not in shown and "psycopg" not in shown  # anyone can open the page: the detail goes to the log


def test_sign_out_elsewhere_ends_this_live_session_at_its_next_rerun(app_env) -> None:
    from safeclass.services.accounts import revoke_sessions

    at = _sign_in(_app(), "coord")
    assert at.title[0].value == "캠페인 현황"
    with app_env.transaction() as s:
        account = s.scalar(select(Account).where(Account.username == "coord"))
        revoke_sessions(s, account.id)  # what signing out (or changing the password) on another device does
    at.run()
    assert at.title[0].value == "교직원 로그인"  # this session ended on the server, not just its cookie


def test_a_password_change_keeps_this_session_and_ends_the_others(app_env) -> None:
    here, there = _sign_in(_app(), "coord"), _sign_in(_app(), "coord")
    here.switch_page("app_pages/account.py").run()
    here.text_input[0].input(PASSWORD)
    here.text_input[1].input("a-new-long-password-2026")
    here.text_input[2].input("a-new-long-password-2026")
    _button(here, "비밀번호 변경").click().run()
    assert here.success, [e.value for e in here.error]
    here.switch_page("app_pages/dashboard.py").run()
    assert here.title[0].value == "캠페인 현황"
    there.run()
    assert there.title[0].value == "교직원 로그인"


def test_a_short_cookie_key_is_refused_outside_demo_mode(app_env, monkeypatch) -> None:
    monkeypatch.setenv("SAFECLASS_COOKIE_KEY", "short-key-" + "x" * 21)  # 31 bytes
    at = _app()
    assert "32바이트" in at.error[0].value and not at.text_input


@pytest.mark.parametrize(
    ("username", "forbidden"),
    [
        ("kim", "app_pages/dashboard.py"),
        ("kim", "app_pages/site.py"),
        ("kim", "app_pages/content.py"),
        ("park", "app_pages/dashboard.py"),
        ("coord", "app_pages/site.py"),
        ("coord", "app_pages/content.py"),
    ],
)
def test_pages_of_other_roles_are_not_reachable(app_env, username, forbidden) -> None:
    at = _sign_in(_app(), username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(forbidden)
    tally("cross-scope attempts in the app (another role's page)", outcome="all refused")


def test_a_forged_seat_in_session_state_opens_nothing(app_env) -> None:
    at = _app()
    at.session_state["student.learner_id"] = 999_999  # no such seat
    at.run()
    assert not at.exception
    assert at.error[0].value == "이 자리는 더 이상 없어요. 학급 코드로 다시 참여해 주세요."  # a message, no traceback, no data
    tally("cross-scope attempts in the app (forged session state)", outcome="all refused")


def test_coordinator_pages_render_and_search_finds_korean_district(app_env) -> None:
    at = _sign_in(_app(), "coord")
    for page, title in [("sites", "학교·시설"), ("questions", "학생들이 틀리는 문항"), ("roster", "명단·학교장 계정")]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
        assert at.title[0].value == title
    at.switch_page("app_pages/sites.py").run()
    assert any("1곳 중 1곳" in m.value for m in at.markdown)
    at.text_input(key="sites.search").input("마포").run()  # the fixture site is in Mapo-gu
    assert any("1곳 중 1곳" in m.value for m in at.markdown)
    at.text_input(key="sites.search").input("강남").run()
    assert any("1곳 중 0곳" in m.value for m in at.markdown)


def test_admin_pages_render(app_env) -> None:
    at = _sign_in(_app(), "root")
    for page, title in [("accounts", "계정"), ("audit", "감사 기록"), ("content", "콘텐츠 상태")]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
        assert at.title[0].value == title
