"""A student's quiz: the server's draw, every question kind on a phone, one graded attempt per submission."""

import streamlit as st

from safeclass.db.models import QuizAttempt
from safeclass.domain import Role
from safeclass.services.quizzes import grade_submission, quiz_status, record_submission, start_quiz_attempt, submitted_attempt
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign, require_participant
from safeclass.ui.i18n import t, text, voiced
from safeclass.ui.quiz import answer_form, result_view

ctx = context()
campaign = require_campaign(ctx)
who, staff = require_participant(ctx)
home = "app_pages/training.py" if staff else "app_pages/student_home.py"
back_label = "lesson.back_training" if staff else "lesson.back_home"
quiz = ctx.catalog.quizzes.get(st.query_params.get("quiz", ""))
if quiz is None:
    st.info(voiced("quiz.not_found", staff))
    st.page_link(home, label=t(back_label), icon=":material/menu_book:")
    st.stop()

st.title(text(quiz.title, campaign.help))
shown_key = state.quiz(quiz.id, "shown")  # the attempt whose result is on screen


def home_button() -> None:
    if st.button(t(back_label), icon=":material/menu_book:", key="quiz.home"):
        st.switch_page(home)


def show_result(attempt_key: str, graded: QuizAttempt | None = None) -> None:
    """The graded attempt (``graded``: just written, not read again), and what comes next; ends the page."""

    def load(session):  # noqa: ANN001
        me = who(session)
        return quiz_status(session, me, campaign, quiz), graded or submitted_attempt(session, me, attempt_key)

    now, attempt = read(load)  # one session: on PostgreSQL every statement is a round trip
    result_view(quiz, attempt, campaign, staff=staff)
    # A principal who just passed the certification goes straight to the certificate it issued.
    certified_now = now.passed and quiz.module is None and ctx.account is not None and ctx.account.role == Role.PRINCIPAL
    with st.container(horizontal=True, gap="small"):
        if not now.passed and now.can_start and st.button(voiced("quiz.try_again", staff), type="primary", icon=":material/replay:"):
            del st.session_state[shown_key]
            st.rerun()
        if certified_now and st.button(t("quiz.to_certificate"), type="primary", icon=":material/workspace_premium:"):
            st.switch_page("app_pages/certificate.py")
        home_button()
    if not now.passed and now.attempts_left == 0:
        st.info(voiced("quiz.no_attempts_left", staff), icon=":material/support_agent:")
    elif now.attempts_left is not None and not now.passed:
        st.caption(voiced("quiz.attempts_left", staff, left=now.attempts_left))
    st.stop()


if st.session_state.get(shown_key):
    show_result(st.session_state[shown_key])

status = read(lambda s: quiz_status(s, who(s), campaign, quiz))
if not status.unlocked:
    st.info(voiced("quiz.locked_module" if quiz.module else "quiz.locked_final", staff), icon=":material/lock:")
    home_button()
    st.stop()

if status.open_attempt is None:
    if status.passed:
        st.success(voiced("quiz.already_passed", staff, percent=status.best_percent or 0), icon=":material/verified:")
        home_button()
        st.stop()
    if not status.can_start:
        st.info(voiced("quiz.no_attempts_left", staff), icon=":material/support_agent:")
        home_button()
        st.stop()
    with st.container(border=True):
        st.markdown(t("quiz.intro", count=quiz.draw, mark=quiz.pass_mark))
        if status.attempts_left is not None:
            st.caption(voiced("quiz.attempts_left", staff, left=status.attempts_left))
    started = st.button(voiced("quiz.start", staff), type="primary", icon=":material/play_arrow:")
    if started and run_action(lambda s: start_quiz_attempt(s, who(s), campaign, quiz)) is not None:
        st.rerun()
    home_button()
    st.stop()

attempt = status.open_attempt
form = st.empty()  # replaced by the result in the same run: a submission costs one run, not two
with form.container():
    answers = answer_form(quiz, attempt, campaign, staff=staff)
    missing = len(attempt.drawn) - len(answers)
    submit_key = state.quiz(quiz.id, f"{attempt.attempt_key}.submit")
    submitted = st.button(t("quiz.submit"), type="primary", icon=":material/send:", key=submit_key)
    if submitted and missing:
        st.error(voiced("quiz.answer_all", staff, missing=missing))
if submitted and not missing:
    # Graded in a read session first: the write transaction (SQLite's one write lock) holds only the writes.
    submission = read(lambda s: grade_submission(s, who(s), campaign, quiz, attempt_key=attempt.attempt_key, answers=answers))
    graded = run_action(lambda s: record_submission(s, submission))
    if graded is not None:  # otherwise the message is under the form, and the answers are still there
        st.session_state[shown_key] = graded.attempt_key
        form.empty()
        show_result(graded.attempt_key, graded)
