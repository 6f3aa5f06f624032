"""One module in the player: a student's lesson or a staff member's training, saved after every step."""

import streamlit as st

from safeclass.services.progress import module_progress, record_check_answer, record_module_progress, record_scenario_choice
from safeclass.services.quizzes import module_quiz_status
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign, require_participant
from safeclass.ui.i18n import t, text
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
    with st.container(horizontal=True, gap="small"):
        if status is not None and not status.passed and status.can_start and st.button(t("lesson.take_quiz"), type="primary"):
            st.switch_page("app_pages/quiz.py", query_params={"quiz": status.quiz.id})
        if st.button(t(back_label), icon=":material/menu_book:"):
            st.switch_page(home)
