"""Where to get help: the campaign's help directory, open to everyone, signed in or not."""

import streamlit as st

from safeclass.ui.context import context, require_campaign
from safeclass.ui.help_directory import render_help_directory
from safeclass.ui.i18n import t

campaign = require_campaign(context())
ctx = context()
st.title(t("help.title"))
if ctx.learner_id is None:  # school staff, signed in or not: the case guide is one click away
    st.page_link("app_pages/guide.py", label=t("guide.help_link"), icon=":material/checklist:")
render_help_directory(campaign)
