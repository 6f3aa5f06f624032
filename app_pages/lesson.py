"""One module in the player: a student's lesson or a staff member's training, saved after every step."""

import streamlit as st

from safeclass.services.plan import learning_plan
from safeclass.services.progress import (
    first_check_answer,
    module_progress,
    record_check_answer,
    record_module_progress,
    record_scenario_choice,
)
from safeclass.services.quizzes import module_quiz_status
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign, require_participant
from safeclass.ui.i18n import t, text
from safeclass.ui.plan_view import open_module, open_quiz
from safeclass.ui.player import Frame, play_module, remember_summary

ctx = context()
campaign = require_campaign(ctx)
who, staff = require_participant(ctx)
home = "app_pages/training.py" if staff else "app_pages/student_home.py"
back_label = "lesson.back_training" if staff else "lesson.back_home"
module = ctx.catalog.modules.get(st.query_params.get("module", ""))
if module is None or module.kind != ("training" if staff else "lesson"):
    st.info(t("lesson.not_found"))
    st.page_link(home, label=t(back_label), icon=":material/menu_book:")
    st.stop()

progress = read(lambda s: module_progress(s, who(s), campaign, module))


def save(**change) -> bool:  # noqa: ANN003
    return run_action(lambda s: record_module_progress(s, who(s), campaign, module, **change)) is not None


frame = Frame(
    module=module,
    campaign=campaign,
    media_root=ctx.catalog.root / "lessons" / "media",
    style="staff" if staff else "student",
    record_check=lambda check_id, index: run_action(
        lambda s: record_check_answer(s, who(s), campaign, module, check_id=check_id, choice_index=index)
    ),
    stored_check=lambda check_id: read(lambda s: first_check_answer(s, who(s), campaign.id, module.id, check_id)),
    record_choice=lambda scenario, run_key, node_id, index: run_action(
        lambda s: record_scenario_choice(s, who(s), campaign, module, scenario, run_key=run_key, node_id=node_id, choice_index=index)
    ),
)

st.title(text(module.title, campaign.help))
finished = play_module(
    frame,
    resume_at=progress.position if progress else 0,
    completed=bool(progress and progress.completed_at),
    started=progress is not None,
    save=save,
)
if finished:
    remember_summary(frame)
    status = read(lambda s: module_quiz_status(s, who(s), campaign, ctx.catalog, module.id))
    quiz_next = status is not None and not status.passed and status.can_start
    # Staff go straight on to their next module, or to the certification once the last one is done.
    upcoming = read(lambda s: learning_plan(s, who(s), campaign, ctx.catalog)).next_step if staff and not quiz_next else None
    with st.container(horizontal=True, gap="small"):
        if quiz_next and st.button(t("lesson.take_quiz"), type="primary"):
            st.switch_page("app_pages/quiz.py", query_params={"quiz": status.quiz.id})
        if upcoming is not None:
            quiz = upcoming.kind == "quiz"
            if not quiz:
                label = t("lesson.next_module", title=text(upcoming.item.title, campaign.help))
            else:
                label = t("training.take_certification" if upcoming.item.module is None else "lesson.take_quiz")
            if st.button(label, type="primary", icon=":material/arrow_forward:"):
                (open_quiz if quiz else open_module)(upcoming.item.id)
        if st.button(t(back_label), icon=":material/menu_book:"):
            st.switch_page(home)
