"""A teacher's own classes: each class they opened with its progress, small counts hidden."""

import streamlit as st

from safeclass.services.site_report import my_classes
from safeclass.ui.actions import read
from safeclass.ui.class_table import render_class_table
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
report = read(lambda s: my_classes(s, viewer, campaign, ctx.catalog))

st.title(t("my_classes.title"))
st.caption(t("my_classes.intro"))
if report.classes.values.empty:
    st.info(t("my_classes.none"))
    if st.button(t("my_classes.open_class"), icon=":material/add:"):
        st.switch_page("app_pages/classes.py")
    st.stop()
render_class_table(report.classes, report.modules, ctx.catalog)
st.caption(t("site.privacy", k=campaign.k))
st.caption(t("site.attested_apart", lessons=report.lessons_attested))
