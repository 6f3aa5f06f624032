"""Journeys in a real browser."""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_sign_in, running_app, settled
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)  # a loaded CI machine reruns scripts slower than a laptop


def _sign_in(page, username: str, password: str) -> None:
    open_sign_in(page)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def test_coordinator_signs_in_reaches_the_dashboard_and_stays_signed_in(page) -> None:
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    _sign_in(page, "coordinator", PASSWORD)
    expect(page.get_by_role("heading", name="캠페인 현황")).to_be_visible()
    expect(page.get_by_text("시작한 학교·시설")).to_be_visible()
    settled(page)
    page.wait_for_timeout(1500)  # the sign-in cookie is written on the run after the sign-in
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "safeclass_auth"]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 6.9 * 86400 < cookie["expires"] - time.time() <= 7 * 86400  # staff sign in again weekly
    page.reload()
    expect(page.get_by_role("heading", name="캠페인 현황")).to_be_visible()
    expect(page.get_by_role("heading", name="자치구별")).to_be_visible()
    settled(page)
    assert page.locator("iframe").count() == 0  # docs/nginx.conf's CSP allows none (frame-src 'none')
    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    page.wait_for_timeout(1500)
    page.reload()
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()  # signed out stays signed out


def test_a_first_page_load_runs_once_and_draws_no_cookie_component(page) -> None:
    # streamlit-authenticator's cookie component reran every first page load once mounted, and that rerun
    # could land a visitor's first click (or a direct link) on the join page; the cookie is written by script.
    expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
    settled(page)
    assert page.locator("iframe").count() == 0
    open_sign_in(page)  # at once, no settling: the first click is not lost
    expect(page.get_by_label("아이디")).to_be_visible()


def test_wrong_password_is_refused_with_a_message(page) -> None:
    _sign_in(page, "coordinator", "not-the-password")
    expect(page.get_by_text("아이디 또는 비밀번호가 맞지 않습니다.")).to_be_visible()
    expect(page.get_by_role("heading", name="교직원 로그인")).to_be_visible()


def test_student_joins_with_the_class_code(page, server) -> None:
    page.get_by_role("textbox", name="학급 코드").fill(server["join_code"].lower())
    page.get_by_role("textbox", name="내 번호").fill("12")
    page.get_by_role("textbox", name="비밀번호 4자리").fill("4680")
    page.get_by_role("button", name="참여하기").click()
    expect(page.get_by_role("heading", name="내 수업")).to_be_visible()
    expect(page.get_by_text("12번")).to_be_visible()


def test_a_direct_link_opened_first_on_a_fresh_server_stays_on_its_page(browser, tmp_path, sqlite_template) -> None:
    # A certificate's QR code opens /verify?code=… — perhaps as the first request after a deploy, when the
    # first run is slow and the sign-in cookie component's early rerun used to land it on the join page.
    shutil.copy(sqlite_template, tmp_path / "cold.db")
    with running_app(f"sqlite:///{tmp_path / 'cold.db'}") as base:
        page = browser.new_context(locale="ko-KR").new_page()
        page.goto(f"{base}/verify?code=ABCDEFGHJKLMNPQR")
        heading = page.get_by_role("heading", name="인증서 확인")
        expect(heading).to_be_visible()
        settled(page)
        page.wait_for_timeout(2000)  # the component's rerun has come and gone
        expect(heading).to_be_visible()
        assert page.url.startswith(f"{base}/verify")
        page.context.close()


def test_on_a_phone_the_sidebar_closes_once_a_page_is_chosen(browser, server) -> None:
    for width, closes in ((390, True), (1280, False)):
        page = browser.new_context(viewport={"width": width, "height": 844}, locale="ko-KR").new_page()
        page.goto(server["url"])
        expect(page.get_by_role("heading", name="수업 참여하기")).to_be_visible()
        settled(page)
        sidebar = page.get_by_test_id("stSidebar")
        if width < 640:
            page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        page.get_by_role("link", name="도움받을 곳").click()
        expect(page.get_by_role("heading", name="도움받을 곳")).to_be_visible()
        page.wait_for_timeout(500)
        # On a phone the open sidebar would cover the page, Quick exit included; a desktop keeps it open.
        expect(sidebar).to_have_attribute("data-collapsed", "true" if closes else "false")
        page.context.close()
