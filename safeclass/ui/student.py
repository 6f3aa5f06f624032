"""A student's seat in this browser (remembered until Leave or Quick exit) and the help bar on every student page."""

from __future__ import annotations

import streamlit as st

from safeclass.content.models import Campaign
from safeclass.services.classes import resume_seat, seat_token
from safeclass.ui import browser, resources, state
from safeclass.ui.help_directory import render_help_directory
from safeclass.ui.i18n import t

SEAT_DAYS = 120  # a school term: the tablet keeps the seat until Leave, Quick exit or a PIN reset


def resume_from_browser(key: str) -> int | None:
    """The seat this browser remembers (its signed cookie), unless this session left it."""
    learner_id = st.session_state.get(state.LEARNER_ID)
    if learner_id is not None or st.session_state.get(state.SEAT_FORGOTTEN):
        return learner_id
    token = browser.cookie(browser.SEAT_COOKIE)
    if not token:
        return None
    with resources.database().reading() as session:
        learner = resume_seat(session, token, key)
    if learner is None:  # forged, or the teacher reset the PIN since: the browser forgets it
        st.session_state[state.SEAT_DELETE_PENDING] = True
        return None
    st.session_state[state.LEARNER_ID] = learner.id
    return learner.id


def remember_seat(learner, key: str) -> None:  # noqa: ANN001
    """Seat this session, and have the browser remember the seat from the next run on."""
    st.session_state[state.LEARNER_ID] = learner.id
    st.session_state[state.SEAT_COOKIE_PENDING] = seat_token(learner, key)
    st.session_state.pop(state.SEAT_FORGOTTEN, None)


def forget_seat() -> None:
    """Leave the seat in this session and in this browser (the PIN is needed to come back)."""
    st.session_state.pop(state.LEARNER_ID, None)
    st.session_state[state.SEAT_FORGOTTEN] = True  # the cookie this session connected with is stale now
    st.session_state[state.SEAT_DELETE_PENDING] = True
    for key in [k for k in st.session_state if str(k).startswith(("player.", "quiz."))]:
        del st.session_state[key]


def settle_cookies() -> None:
    """Write or delete the seat cookie now that a normal run can reach the browser."""
    token = st.session_state.pop(state.SEAT_COOKIE_PENDING, None)
    if token:
        browser.set_cookie(browser.SEAT_COOKIE, token, SEAT_DAYS * 24 * 3600)
    if st.session_state.pop(state.SEAT_DELETE_PENDING, False):
        browser.delete_cookie(browser.SEAT_COOKIE)


def student_bar(campaign: Campaign | None) -> None:
    """*Get help now* and *Quick exit*, at the top of every student page (a phone's sidebar is collapsed)."""
    with st.container(horizontal=True, horizontal_alignment="right", gap="small"):
        if campaign is not None and st.button(t("student_bar.help"), icon=":material/support:", key="student_bar.help"):
            _help_dialog(campaign)
        browser.quick_exit_button(t("student_bar.quick_exit"))


def _help_dialog(campaign: Campaign) -> None:
    @st.dialog(t("help.title"), width="large")
    def show() -> None:
        render_help_directory(campaign, columns=1)

    show()
