"""Campaign overview for coordinators: completion against targets, by district and type, lagging sites."""

import datetime as dt

import altair as alt
import streamlit as st

from safeclass import i18n
from safeclass.domain import SEOUL_DISTRICTS
from safeclass.services.reports import campaign_summary, completion_by, lagging_sites, site_table
from safeclass.ui import resources
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t, text

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
with resources.database().reading() as session:
    sites = site_table(session, viewer, campaign.id)

st.title(t("dashboard.title"))
scope = t("dashboard.scope_district", district=viewer.district) if viewer.district else t("dashboard.scope_all")
st.caption(f"{text(campaign.title)} · {scope} · {t('dashboard.updated')}")
if sites.empty:
    st.info(t("dashboard.empty"))
    st.stop()

summary = campaign_summary(sites)
cols = st.columns(4)
cols[0].metric(t("dashboard.sites_started"), f"{i18n.number(summary['sites_started'], lang())} / {i18n.number(summary['sites'], lang())}")
cols[1].metric(t("dashboard.learners_joined"), i18n.number(summary["learners_joined"], lang()))
cols[2].metric(t("dashboard.student_completion"), i18n.percent(summary["student_completion"], lang()))
cols[3].metric(
    t("dashboard.principals_certified"),
    f"{i18n.number(summary['principals_certified'], lang())} / {i18n.number(summary['principals'], lang())}",
)

if campaign.targets:
    st.subheader(t("dashboard.targets"), anchor=False)
    current = {
        ("principal", "certified"): summary["principal_certification"],
        ("staff", "completed"): summary["staff_completion"] if summary["staff"] else None,
        ("students", "completed"): summary["student_completion"],
        ("students", "started"): summary["learners_joined"] / summary["expected_students"] if summary["expected_students"] else 0.0,
    }
    for target in campaign.targets:
        label = text(target.label) if target.label else f"{target.audience} {target.metric}"
        now = current.get((target.audience, target.metric))
        line = t("dashboard.target_line", label=label, percent=target.percent, by=i18n.date(target.by, lang()))
        if now is None:
            st.write(line)
            continue
        overdue = dt.date.today() > target.by and now * 100 < target.percent
        st.progress(
            min(now * 100 / target.percent, 1.0),
            text=f"{line} — {t('dashboard.target_now', now=i18n.percent(now, lang()))}" + (" ⚠" if overdue else ""),
        )


def _labels(frame, keys):  # noqa: ANN001
    return frame.rename(columns={k: t(f"columns.{k}") for k in keys})


by_district = completion_by(sites, "district", campaign.k)
left, right = st.columns([3, 2])
with left:
    if viewer.district:  # one district: compare its sites instead of a single bar
        st.subheader(t("dashboard.by_site"), anchor=False)
        chart_data = lagging_sites(sites, campaign.k, limit=len(sites)).assign(label=lambda f: f["name"])
    else:
        st.subheader(t("dashboard.by_district"), anchor=False)
        names = by_district["district"] if lang() == "en" else by_district["district"].map(SEOUL_DISTRICTS)
        chart_data = by_district.assign(label=names)
    chart = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            x=alt.X("student_completion:Q", title=t("columns.student_completion"), axis=alt.Axis(format="%")),
            y=alt.Y("label:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("label:N", title=t("columns.name")),
                alt.Tooltip("student_completion:Q", format=".1%", title=t("columns.student_completion")),
            ],
        )
        .properties(height=max(120, 18 * len(chart_data)))
    )
    st.altair_chart(chart, use_container_width=True)
with right:
    st.subheader(t("dashboard.by_type"), anchor=False)
    by_type = completion_by(sites, "site_type", campaign.k)
    by_type["site_type"] = by_type["site_type"].map(lambda v: t(f"site_type.{v}"))
    columns = ["site_type", "sites", "sites_started", "student_completion", "principal_certification"]
    st.dataframe(
        _labels(by_type[columns], columns),
        hide_index=True,
        column_config={
            t("columns.student_completion"): st.column_config.NumberColumn(format="percent"),
            t("columns.principal_certification"): st.column_config.NumberColumn(format="percent"),
        },
    )

st.subheader(t("dashboard.lagging"), anchor=False)
st.caption(t("dashboard.lagging_help"))
lagging = lagging_sites(sites, campaign.k)
lagging["site_type"] = lagging["site_type"].map(lambda v: t(f"site_type.{v}"))
columns = [
    "code",
    "name",
    "district",
    "site_type",
    "expected_students",
    "learners_joined",
    "learners_completed",
    "student_completion",
    "principals_certified",
]
st.dataframe(
    _labels(lagging[columns], columns),
    hide_index=True,
    column_config={t("columns.student_completion"): st.column_config.NumberColumn(format="percent")},
)
st.caption(t("dashboard.suppressed", k=campaign.k))
st.download_button(
    t("dashboard.download"),
    _labels(completion_by(sites, "district", campaign.k), by_district.columns).to_csv(index=False).encode("utf-8-sig"),
    file_name=f"{campaign.id}-by-district.csv",
    mime="text/csv",
)
