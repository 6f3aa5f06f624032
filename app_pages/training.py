"""A principal's or teacher's response training: the modules of their audience, then the certification quiz."""

import streamlit as st

from safeclass.services.plan import learning_plan
from safeclass.ui.actions import read
from safeclass.ui.context import context, require_campaign, require_participant
from safeclass.ui.i18n import t
from safeclass.ui.plan_view import render_plan

ctx = context()
campaign = require_campaign(ctx)
who, _ = require_participant(ctx)
plan = read(lambda s: learning_plan(s, who(s), campaign, ctx.catalog))
st.title(t("training.title"))
st.caption(t("training.intro"))
render_plan(plan, campaign, t("training.modules"), staff=True)
