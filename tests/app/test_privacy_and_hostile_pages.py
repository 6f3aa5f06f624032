"""The privacy page is open to everyone and says what the code does; a content bomb reloaded in the app is refused, located."""

from __future__ import annotations

import time

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from safeclass.content.render import plain
from safeclass.db.models import ClassGroup, Site
from tests.app.conftest import ROOT
from tests.app.test_pages import _sign_in, _texts
from tests.content.test_hostile_input import billion_laughs
from tests.security_tally import tally


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def _privacy(at: AppTest) -> str:
    at.switch_page("app_pages/privacy.py").run()
    assert not at.exception, at.exception
    return _texts(at)


def test_privacy_page_for_a_visitor_in_korean_and_english(app_env) -> None:
    at = _app()
    korean = _privacy(at)
    assert at.title[0].value == "내 정보는 어떻게 다뤄지나요?"
    # Accurate to the fixture campaign: ends 2026-02-28, 400 days' retention, k = 5.
    for phrase in ("이름, 생년월일", "해시", "5명보다 적은 칸", "400일 동안", "2027. 4. 4."):
        assert phrase in korean, phrase
    at.sidebar.radio[0].set_value("en").run()
    english = _privacy(at)
    assert at.title[0].value == "What happens to my information?"
    for phrase in ("birthday", "fewer than 5 students", "400 days", "4 Apr 2027", "Test campaign"):
        assert phrase in english, phrase


def test_privacy_page_is_in_every_roles_navigation(app_env) -> None:
    with app_env.reading() as s:
        code = s.scalar(select(ClassGroup.join_code))
    student = _app()
    student.text_input[0].input(code)
    student.text_input[1].input("4")
    student.text_input[2].input("1357")
    next(b for b in student.button if b.label == "참여하기").click().run()
    assert student.title[0].value == "내 수업"
    _privacy(student)
    assert student.title[0].value == "내 정보는 어떻게 다뤄지나요?"
    for username in ("kim", "park", "coord", "root"):
        at = _sign_in(_app(), username)
        _privacy(at)
        assert at.title[0].value == "내 정보는 어떻게 다뤄지나요?", username  # not sent back to the role's default page


def test_a_billion_laughs_edited_in_is_refused_on_reload_with_its_line(app_env, tmp_path) -> None:
    at = _sign_in(_app(), "root")
    assert at.success[0].value == "모든 콘텐츠 파일이 올바릅니다."
    (tmp_path / "content" / "lessons" / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    started = time.perf_counter()
    next(b for b in at.button if b.label in ("다시 읽기", "Reload")).click().run()
    assert time.perf_counter() - started < 5  # the page run itself; parsing the bomb takes milliseconds
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    rows = frame[frame.iloc[:, 0] == "lessons/bomb.yaml"]
    assert len(rows) == 5 and rows.iloc[0, 1] == 2
    assert "YAML alias '*l0' is not allowed" in rows.iloc[0, 3]
    tally("hostile content files", 1)


def test_a_site_name_from_the_roster_is_shown_as_typed_never_as_a_picture(app_env) -> None:
    hostile = "![x](https://tracker.example/p.png) [가상] *학교*"
    with app_env.transaction() as s:
        s.scalar(select(Site).where(Site.code == "M0001")).name = hostile
    at = _sign_in(_app(), "park")
    assert at.title[0].value == "우리 학교 현황"
    caption = at.caption[0].value
    assert caption.startswith(plain(hostile)) and "![" not in caption  # escaped: Markdown shows the characters
