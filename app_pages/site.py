"""A principal's own site by grade and class: students joined and finished, attested lessons, staff training."""

import streamlit as st

from safeclass import clock, i18n
from safeclass.content.render import plain
from safeclass.domain import Role
from safeclass.drills import term_of
from safeclass.services.accounts import staff_at_site
from safeclass.services.drills import drills_attended
from safeclass.services.reports import site_table
from safeclass.services.site_report import site_report
from safeclass.ui.actions import read
from safeclass.ui.class_table import render_class_table
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t, text

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account


term = term_of(clock.today())


def load(session):  # noqa: ANN001
    sites = site_table(session, viewer, campaign.id)  # the service scopes it to the viewer's own site
    principal = viewer.role == Role.PRINCIPAL
    staff = staff_at_site(session, viewer, campaign) if principal else []
    drills = drills_attended(session, viewer, term) if principal else {}
    return sites, site_report(session, viewer, campaign, ctx.catalog), staff, drills


sites, report, staff, drills = read(load)
row = sites.iloc[0]
st.title(t("site.title"))
st.caption(f"{plain(row['name'])} · {plain(row['code'])} · {t('site_type.' + row['site_type'])} · {text(campaign.title)}")

table = report.classes
cols = st.columns(4)
cols[0].metric(t("site.expected"), i18n.number(int(row["expected_students"]), lang()))
cols[1].metric(t("columns.learners_joined"), table.total_text("learners_joined", lambda v: i18n.number(int(v), lang())))
site_rate = "—" if report.site_completion is None else i18n.percent(report.site_completion, lang())
cols[2].metric(t("site.completion"), site_rate, help=t("site.completion_help"))
cols[3].metric(t("site.district_average"), i18n.percent(report.district_completion, lang()))
certified = int(row["principals_certified"]) > 0
st.markdown(f"**{t('site.principal_status')}**: {t('site.certified' if certified else 'site.not_certified')}")

st.subheader(t("site.classes"), anchor=False)
if table.values.empty:
    st.info(t("site.no_classes"))
else:
    render_class_table(table, report.modules, ctx.catalog)
    st.caption(t("site.privacy", k=campaign.k))
    st.caption(t("site.attested_apart", lessons=report.lessons_attested))

if staff:
    st.subheader(t("site.staff"), anchor=False)
    st.dataframe(
        [
            {
                t("site.staff_name"): s.display_name,
                t("site.staff_training"): f"{s.modules_completed}/{s.modules_assigned}" + (" ✓" if s.completed else ""),
                # Drills are attendance of their own kind: their own column, never folded into the modules' count.
                t("site.staff_drills"): t("site.staff_drills_value", count=drills[s.account_id]) if s.account_id in drills else "—",
                t("site.staff_last_sign_in"): i18n.date(s.last_login_at.date(), lang()) if s.last_login_at else t("site.never"),
            }
            for s in staff
        ],
        hide_index=True,
    )
    st.caption(t("site.staff_drills_apart", start=i18n.date(term[0], lang()), end=i18n.date(term[1], lang())))
