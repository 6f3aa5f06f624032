"""A learner's plan on screen: progress across the campaign, the one next step, and every module and quiz."""

from __future__ import annotations

import streamlit as st

from safeclass.content.models import Campaign
from safeclass.services.plan import Plan
from safeclass.ui.i18n import t, text


def open_module(module_id: str) -> None:
    """Go to the player for a module."""
    st.switch_page("app_pages/lesson.py", query_params={"module": module_id})


def open_quiz(quiz_id: str) -> None:
    """Go to a quiz."""
    st.switch_page("app_pages/quiz.py", query_params={"quiz": quiz_id})


def render_plan(plan: Plan, campaign: Campaign, heading: str, *, staff: bool = False) -> None:
    """Overall progress, the highlighted next step, then each module (state, section x of y) and the final quizzes.

    Staff read the same plan in their own words: training modules and a certification, addressed formally.
    """
    if not plan.modules and not plan.finals:
        st.info(t("training.none" if staff else "student.none"))
        return
    st.progress(plan.done / plan.total, text=t("student.overall", done=plan.done, total=plan.total))
    step = plan.next_step
    if step is not None:
        with st.container(border=True):
            if staff:
                kind = t("training.kind_certification" if step.kind == "quiz" and step.item.module is None else "training.kind_module")
            else:
                kind = t("student.kind_quiz" if step.kind == "quiz" else "student.kind_lesson")
            st.markdown(f"**{t('student.next')}** {kind} · {text(step.item.title, campaign.help)}")
            label = t("student.next_resume" if step.resume else "student.next_start")
            if st.button(label, type="primary", icon=":material/play_arrow:", key="plan.next"):
                (open_quiz if step.kind == "quiz" else open_module)(step.item.id)
    else:
        done = ("training.all_done" if plan.finals else "training.all_done_modules") if staff else "student.all_done"
        st.success(t(done), icon=":material/celebration:")

    st.subheader(heading, anchor=False)
    for number, module_step in enumerate(plan.modules, start=1):
        module = module_step.module
        with st.container(border=True):
            state_label = t(f"student.status_{module_step.state}")
            if module_step.state == "started":
                state_label = t("student.status_at", at=module_step.progress.position + 1, total=len(module.sections))
            minutes = t("student.minutes", minutes=module.minutes)
            st.markdown(f"**{number}. {text(module.title, campaign.help)}**  \n{minutes} · {state_label}")
            st.caption(text(module.summary, campaign.help))
            with st.container(horizontal=True, gap="small"):
                label = "student.open_again" if module_step.completed else ("student.continue" if module_step.progress else "student.start")
                if st.button(t(label), key=f"plan.open.{module.id}"):
                    open_module(module.id)
                quiz = module_step.quiz
                quiz_open = quiz is not None and module_step.completed and not quiz.passed and quiz.can_start
                if quiz_open and st.button(t("student.take_quiz"), key=f"plan.quiz.{quiz.quiz.id}"):
                    open_quiz(quiz.quiz.id)
    for final in plan.finals:
        with st.container(border=True):
            if final.passed:
                status = t("student.status_quiz_passed")
            else:
                status = t("training.locked" if staff else "student.locked") if not final.unlocked else t("student.status_new")
            st.markdown(f"**{text(final.quiz.title, campaign.help)}**  \n{status}")
            final_open = final.unlocked and not final.passed and final.can_start
            take = t("training.take_certification" if staff else "student.take_quiz")
            if final_open and st.button(take, type="primary", key=f"plan.quiz.{final.quiz.id}"):
                open_quiz(final.quiz.id)
