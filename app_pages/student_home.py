"""A student's lessons: each module's state, the one next step, and progress across the campaign."""

import streamlit as st

from safeclass.content.render import plain
from safeclass.services.classes import class_of
from safeclass.services.plan import learning_plan
from safeclass.services.progress import seat
from safeclass.ui.actions import read
from safeclass.ui.context import context, require_campaign, require_seat
from safeclass.ui.i18n import t
from safeclass.ui.plan_view import render_plan
from safeclass.ui.student import forget_seat

ctx = context()
campaign = require_campaign(ctx)
learner_id = require_seat(ctx)


def load(session):  # noqa: ANN001
    learner = seat(session, learner_id)
    return learner.seat_number, class_of(session, learner), learning_plan(session, learner, campaign, ctx.catalog)


seat_number, group, plan = read(load)
st.title(t("student.title"))
st.caption(t("student.class", label=plain(group.label), level=t(f"level.{group.level}"), seat=seat_number))
render_plan(plan, campaign, t("student.lessons"))
if st.button(t("student.leave"), icon=":material/logout:", help=t("student.leave_help")):
    forget_seat()
    st.rerun()
