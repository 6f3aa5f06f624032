"""Where to get help: the campaign's help directory, open to everyone, signed in or not."""

import streamlit as st

from safeclass.ui.context import context, require_campaign
from safeclass.ui.help_directory import render_help_directory
from safeclass.ui.i18n import t

campaign = require_campaign(context())
st.title(t("help.title"))
render_help_directory(campaign)
