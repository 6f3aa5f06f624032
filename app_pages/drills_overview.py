"""For coordinators: which sites ran a drill this term, and how often the case guide was opened (small counts blanked)."""

import streamlit as st

from safeclass import clock
from safeclass.drills import term_of
from safeclass.services.accounts import staff_member
from safeclass.services.drills import sites_drilled
from safeclass.services.guide import guide_openings
from safeclass.ui.actions import read
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t

ctx = context()
campaign = require_campaign(ctx)
account_id = ctx.account.id
term = term_of(clock.today())
sites = read(lambda s: sites_drilled(s, staff_member(s, account_id), campaign.id, term, campaign.k))
openings = read(lambda s: guide_openings(s, staff_member(s, account_id), campaign.id, campaign.k))

st.title(t("drill.overview"))
st.caption(t("drill.overview_intro", start=term[0].isoformat(), end=term[1].isoformat(), k=campaign.k))
drilled = int((sites["drills"] > 0).sum())
st.metric(t("drill.sites_drilled"), f"{drilled} / {len(sites)}")

st.subheader(t("drill.by_district"), anchor=False)
districts = (
    sites.assign(drilled=sites["drills"] > 0).groupby("district", as_index=False).agg(sites=("code", "count"), drilled=("drilled", "sum"))
)
st.dataframe(
    districts.rename(columns={"district": t("columns.district"), "sites": t("drill.sites"), "drilled": t("drill.drilled")}),
    hide_index=True,
    width="stretch",
)
only = st.toggle(t("drill.only_drilled"), value=True)
shown = sites[sites["drills"] > 0] if only else sites
st.dataframe(
    shown.rename(
        columns={
            "code": t("columns.code"),
            "name": t("columns.name"),
            "district": t("columns.district"),
            "drills": t("drill.drilled"),
            "staff": t("drill.attendance"),
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("drill.guide_openings"), anchor=False)
if openings.empty:
    st.caption(t("drill.no_openings"))
else:
    st.dataframe(
        openings.rename(columns={"district": t("columns.district"), "month": "YYYY-MM", "opened": t("drill.guide_openings")}),
        hide_index=True,
        width="stretch",
    )
