"""A student's class and the lessons assigned to it, with their progress."""

import streamlit as st

from safeclass.services.progress import learner_progress
from safeclass.ui import resources
from safeclass.ui.context import context, leave_class, require_campaign
from safeclass.ui.i18n import t, text

ctx = context()
campaign = require_campaign(ctx)
with resources.database().reading() as session:
    found = learner_progress(session, ctx.learner_id, campaign.id)
if found is None:  # the seat was removed (e.g. the class was purged): back to the join page
    leave_class()
    st.rerun()
learner, group, progress = found

st.title(t("student.title"))
st.caption(t("student.class", label=group.label, level=t(f"level.{group.level}"), seat=learner.seat_number))
assignment = campaign.audiences.students.for_level(group.level)
modules = [ctx.catalog.modules[m] for m in assignment.modules if m in ctx.catalog.modules]
if not modules:
    st.info(t("student.none"))
st.subheader(t("student.lessons"), anchor=False)
for number, module in enumerate(modules, start=1):
    record = progress.get(module.id)
    status = "status_new" if record is None else ("status_done" if record.completed_at else "status_started")
    with st.container(border=True):
        minutes = t("student.minutes", minutes=module.minutes)
        st.markdown(f"**{number}. {text(module.title, campaign.help)}**  ·  {minutes}  ·  {t('student.' + status)}")
        st.write(text(module.summary, campaign.help))
if st.button(t("student.leave"), icon=":material/logout:"):
    leave_class()
    st.rerun()
