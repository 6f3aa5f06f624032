"""Teachers and principals record a lesson taught to a whole class without student devices."""

import pandas as pd
import streamlit as st

from safeclass import clock, i18n
from safeclass.services.attestations import attestations_at_site
from safeclass.services.classes import class_capacity, class_for_staff, classes_at_site
from safeclass.services.progress import attest_lesson
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t, text

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
catalog = ctx.catalog

st.title(t("attest.title"))
st.write(t("attest.intro"))
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

groups = read(lambda s: classes_at_site(s, viewer))
if not groups:
    st.info(t("attest.no_classes"))
    st.stop()


def _title(module_id: str) -> str:
    module = catalog.modules.get(module_id)
    return text(module.title) if module else module_id


by_id = {g.id: g for g in groups}
names = {g.id: f"{t('seats.slip_grade', grade=g.grade)} · {g.label}" if g.grade else g.label for g in groups}
class_id = st.selectbox(t("attest.class"), list(by_id), format_func=names.get, key="attest.class")
group = by_id[class_id]
modules = [m for m in campaign.audiences.students.for_level(group.level).modules if m in catalog.modules]
capacity = class_capacity(group)
last_day = min(clock.today(), campaign.period.end)
with st.form("attest.form"):
    module_id = st.selectbox(t("attest.module"), modules, format_func=_title)
    delivered_on = st.date_input(t("attest.date"), value=last_day, min_value=campaign.period.start, max_value=last_day)
    present = st.number_input(
        t("attest.present"), min_value=1, max_value=capacity, step=1, value=None, help=t("attest.present_help", max=capacity)
    )
    submitted = st.form_submit_button(t("attest.submit"), type="primary")
if submitted:
    if not module_id or present is None:
        st.error(t("error.students_present_range", max=capacity))
    else:

        def _attest(session) -> None:  # noqa: ANN001
            attest_lesson(
                session,
                viewer,
                class_for_staff(session, viewer, class_id, "attest_lesson"),
                campaign,
                catalog.modules[module_id],
                delivered_on=delivered_on,
                students_present=int(present),
            )

        if run_action(lambda s: _attest(s) or True) is not None:
            st.session_state[state.FLASH] = t("attest.done", label=names[class_id], module=_title(module_id), present=int(present))
            st.rerun()

st.subheader(t("attest.list"), anchor=False)
st.caption(t("attest.apart"))
rows = read(lambda s: attestations_at_site(s, viewer, campaign))
if not rows:
    st.info(t("attest.none"))
    st.stop()
st.dataframe(
    pd.DataFrame(
        {
            t("attest.class"): [f"{t('seats.slip_grade', grade=r.grade)} · {r.class_label}" if r.grade else r.class_label for r in rows],
            t("attest.module"): [_title(r.module_id) for r in rows],
            t("attest.date"): [i18n.date(r.delivered_on, lang()) for r in rows],
            t("attest.present"): [r.students_present for r in rows],
            t("attest.by"): [r.attested_by for r in rows],
        }
    ),
    hide_index=True,
    width="stretch",
)
