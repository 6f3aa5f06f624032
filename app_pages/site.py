"""A principal's own site: students joined and completed, principal certification, classes."""

import pandas as pd
import streamlit as st

from safeclass import i18n
from safeclass.services.reports import class_progress, site_table, suppress_small
from safeclass.ui import resources
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
with resources.database().reading() as session:
    sites = site_table(session, viewer, campaign.id)  # scoped by the service to the viewer's own site
    classes = class_progress(session, viewer, campaign.id, campaign.k)
row = sites.iloc[0]
shown = suppress_small(sites, campaign.k).iloc[0]

st.title(t("site.title"))
st.caption(f"{row['name']} · {row['code']} · {t('site_type.' + row['site_type'])}")


def _count(value) -> str:  # noqa: ANN001
    return "—" if pd.isna(value) else i18n.number(int(value), lang())  # blank: fewer than k students


cols = st.columns(4)
cols[0].metric(t("site.expected"), i18n.number(int(row["expected_students"]), lang()))
cols[1].metric(t("columns.learners_joined"), _count(shown["learners_joined"]))
cols[2].metric(t("columns.learners_completed"), _count(shown["learners_completed"]))
certified = int(row["principals_certified"]) > 0
cols[3].metric(t("site.principal_status"), t("site.certified" if certified else "site.not_certified"))

st.subheader(t("site.classes"), anchor=False)
if classes.empty:
    st.info(t("site.no_classes"))
else:
    classes["level"] = classes["level"].map(lambda v: t(f"level.{v}"))
    st.dataframe(classes.rename(columns={c: t(f"columns.{c}") for c in classes.columns}), hide_index=True)
    st.caption(t("dashboard.suppressed", k=campaign.k))
