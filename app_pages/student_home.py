"""A student's lessons: each module's state, the one next step, and progress across the campaign."""

import streamlit as st

from safeclass.services.classes import class_of
from safeclass.services.plan import learning_plan
from safeclass.services.progress import seat
from safeclass.ui.actions import read
from safeclass.ui.context import context, require_campaign, require_seat
from safeclass.ui.i18n import t, text
from safeclass.ui.student import forget_seat

ctx = context()
campaign = require_campaign(ctx)
learner_id = require_seat(ctx)


def load(session):  # noqa: ANN001
    learner = seat(session, learner_id)
    return learner.seat_number, class_of(session, learner), learning_plan(session, learner, campaign, ctx.catalog)


seat_number, group, plan = read(load)
st.title(t("student.title"))
st.caption(t("student.class", label=group.label, level=t(f"level.{group.level}"), seat=seat_number))

if not plan.modules and not plan.finals:
    st.info(t("student.none"))
else:
    st.progress(plan.done / plan.total, text=t("student.overall", done=plan.done, total=plan.total))


def open_module(module_id: str) -> None:
    st.switch_page("app_pages/lesson.py", query_params={"module": module_id})


def open_quiz(quiz_id: str) -> None:
    st.switch_page("app_pages/quiz.py", query_params={"quiz": quiz_id})


step = plan.next_step
if step is not None:
    with st.container(border=True):
        what = "student.next_resume" if step.resume else "student.next_start"
        kind = t("student.kind_quiz" if step.kind == "quiz" else "student.kind_lesson")
        st.markdown(f"**{t('student.next')}** {kind} · {text(step.item.title, campaign.help)}")
        if st.button(t(what), type="primary", icon=":material/play_arrow:", key="student.next_button"):
            (open_quiz if step.kind == "quiz" else open_module)(step.item.id)
elif plan.total:
    st.success(t("student.all_done"), icon=":material/celebration:")

st.subheader(t("student.lessons"), anchor=False)
for number, module_step in enumerate(plan.modules, start=1):
    module = module_step.module
    with st.container(border=True):
        state_label = t(f"student.status_{module_step.state}")
        if module_step.state == "started":
            state_label = t("student.status_at", at=module_step.progress.position + 1, total=len(module.sections))
        st.markdown(f"**{number}. {text(module.title, campaign.help)}**  \n{t('student.minutes', minutes=module.minutes)} · {state_label}")
        st.caption(text(module.summary, campaign.help))
        with st.container(horizontal=True, gap="small"):
            label = "student.open_again" if module_step.completed else ("student.continue" if module_step.progress else "student.start")
            if st.button(t(label), key=f"student.open.{module.id}"):
                open_module(module.id)
            quiz = module_step.quiz
            if (
                quiz is not None
                and module_step.completed
                and not quiz.passed
                and quiz.can_start
                and st.button(t("student.take_quiz"), key=f"student.quiz.{quiz.quiz.id}")
            ):
                open_quiz(quiz.quiz.id)
for final in plan.finals:
    with st.container(border=True):
        status = (
            t("student.status_quiz_passed") if final.passed else (t("student.locked") if not final.unlocked else t("student.status_new"))
        )
        st.markdown(f"**{text(final.quiz.title, campaign.help)}**  \n{status}")
        if (
            final.unlocked
            and not final.passed
            and final.can_start
            and st.button(t("student.take_quiz"), key=f"student.quiz.{final.quiz.id}")
        ):
            open_quiz(final.quiz.id)

if st.button(t("student.leave"), icon=":material/logout:", help=t("student.leave_help")):
    forget_seat()
    st.rerun()
