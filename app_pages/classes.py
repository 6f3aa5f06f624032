"""Teachers and principals open class codes that students join with."""

import streamlit as st

from safeclass.domain import Level
from safeclass.services import ServiceError
from safeclass.services.classes import classes_at_site, default_level, open_class
from safeclass.ui import resources, state
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
database = resources.database()

st.title(t("classes.title"))
st.write(t("classes.intro"))
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash)
with database.reading() as session:
    groups = [(g.label, g.level, g.join_code) for g in classes_at_site(session, viewer)]
    suggested_level = default_level(session, viewer)
if groups:
    for label, level, code in groups:
        st.markdown(f"**{label}** · {t('level.' + level)} · `{code}`")
else:
    st.info(t("classes.none"))

st.subheader(t("classes.open"), anchor=False)
levels = list(Level)
with st.form("classes.form", clear_on_submit=False):
    label = st.text_input(t("classes.label"), max_chars=40, help=t("classes.label_help"))
    level = st.selectbox(t("classes.level"), levels, index=levels.index(suggested_level), format_func=lambda v: t(f"level.{v}"))
    grade = st.number_input(t("classes.grade"), min_value=1, max_value=6, step=1, value=None)
    submitted = st.form_submit_button(t("classes.submit"), type="primary")
if submitted:
    try:
        with database.transaction() as session:
            group = open_class(session, opened_by=viewer, campaign_id=campaign.id, label=label, level=level, grade=grade)
            opened = (group.label, group.join_code)
    except ServiceError as exc:
        st.error(t(f"error.{exc.code}", **exc.params))
    else:
        st.session_state[state.FLASH] = t("classes.opened", label=opened[0], code=opened[1])
        st.rerun()
