"""Every site in one table: filter, search in either language, sort, export what is on screen, drill into one."""

import pandas as pd
import streamlit as st

from safeclass.content.render import plain
from safeclass.domain import SEOUL_DISTRICTS, SiteType
from safeclass.services.exports import xapi_jsonl, xapi_statements
from safeclass.services.measures import SiteStatus
from safeclass.services.reports import campaign_report, filter_sites, site_detail
from safeclass.ui import coordinator as fmt
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
report = read(lambda s: campaign_report(s, viewer, campaign))

st.title(t("sites.title"))
districts = [viewer.district] if viewer.district else sorted(SEOUL_DISTRICTS, key=fmt.district)
row1 = st.columns([3, 2, 2, 1])
search = row1[0].text_input(t("sites.search"), placeholder=t("sites.search_placeholder"), key=state.SITES_SEARCH)
chosen_districts = row1[1].multiselect(
    fmt.col("district"), districts, format_func=fmt.district, key=state.SITES_DISTRICTS, placeholder=t("sites.any")
)
types = row1[2].multiselect(
    fmt.col("site_type"), [s.value for s in SiteType], format_func=fmt.site_type, key=state.SITES_TYPES, placeholder=t("sites.any")
)
certified_choice = row1[3].selectbox(
    t("sites.principal"), ["any", "yes", "no"], format_func=lambda v: t(f"sites.certified_{v}"), key=state.SITES_CERTIFIED
)
row2 = st.columns([4, 2])
statuses = row2[0].multiselect(
    fmt.col("status"), [s.value for s in SiteStatus], format_func=fmt.status, key=state.SITES_STATUSES, placeholder=t("sites.any")
)
SORTS = {
    "status": (["status_order", "student_completion", "code"], True),
    "completion_low": (["student_completion", "code"], True),
    "completion_high": (["student_completion", "code"], False),
    "name": (["name"], True),
    "code": (["code"], True),
    "district": (["district_label", "name"], True),
    "last_activity": (["last_activity_at"], False),
}
sort = row2[1].selectbox(t("sites.sort"), list(SORTS), format_func=lambda v: t(f"sites.sort_{v}"), key=state.SITES_SORT)

certified = {"any": None, "yes": True, "no": False}[certified_choice]
filters = {"search": search, "districts": chosen_districts, "site_types": types, "statuses": statuses, "certified": certified}
rows = filter_sites(report, **filters)
true_rows = report.sites.loc[rows.index]
order = {s.value: n for n, s in enumerate(SiteStatus)}
# Sort on true figures' status, but on the shown completion (hidden rates sort last, not by their value).
keyed = rows.assign(
    status=true_rows["status"],
    certified=true_rows["certified"],
    status_order=true_rows["status"].map(order),
    district_label=rows["district"].map(fmt.district),
    student_completion=rows["student_completion"].astype("Float64"),
)
columns, ascending = SORTS[sort]
keyed = keyed.sort_values(columns, ascending=ascending, na_position="last")
st.markdown(f"**{t('sites.count', shown=fmt.number(len(keyed)), total=fmt.number(len(report.sites)))}**")

COUNTS = ["learners_joined", "learners_started", "learners_completed", "students_attested"]
display = fmt.shown_text(report.shown, keyed, [*COUNTS, "student_completion"], rates=["student_completion"])
table = pd.DataFrame(
    {
        fmt.col("code"): keyed["code"],
        fmt.col("name"): keyed["name"],
        fmt.col("district"): keyed["district_label"],
        fmt.col("site_type"): keyed["site_type"].map(fmt.site_type),
        fmt.col("status"): keyed["status"].map(fmt.status),
        fmt.col("principal_certified"): keyed["certified"].map(lambda v: t("sites.yes") if v else t("sites.no")),
        fmt.col("expected_students"): keyed["expected_students"].map(fmt.number),
        **{t(f"columns.{c}"): display[c] for c in [*COUNTS, "student_completion"]},
        fmt.col("last_activity_at"): keyed["last_activity_at"].map(fmt.when),
    }
)
st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 480))
st.caption(t("dashboard.suppressed", k=campaign.k) + " " + t("sites.complement_note"))

export = fmt.mixed(report.shown, keyed, [*COUNTS, "student_completion"])
export = export.assign(
    district=keyed["district_label"],
    site_type=keyed["site_type"].map(fmt.site_type),
    status=keyed["status"].map(fmt.status),
    principal_certified=keyed["certified"].map(lambda v: t("sites.yes") if v else t("sites.no")),
    last_activity_at=keyed["last_activity_at"].map(fmt.when),
)
export_columns = [
    "code",
    "name",
    "district",
    "site_type",
    "status",
    "principal_certified",
    "expected_students",
    *COUNTS,
    "student_completion",
    "principals_certified",
    "staff",
    "staff_completed",
    "lessons_attested",
    "last_activity_at",
]
st.subheader(t("exports.title"), anchor=False)
fmt.export_buttons(
    viewer,
    export[export_columns],
    what=f"{campaign.id}-sites",
    filters=filters,
    percent_columns=["student_completion"],
    key="sites.export",
    note=t("dashboard.suppressed", k=campaign.k),
)
with st.expander(t("exports.xapi_title")):
    st.caption(t("exports.xapi_help"))
    if st.button(t("exports.xapi_build"), key="sites.xapi"):
        codes = list(keyed["code"]) if any(filters.values()) else []

        def build(s):  # noqa: ANN001
            data, count = xapi_jsonl(
                xapi_statements(s, viewer, campaign, ctx.catalog, secret=ctx.secret_key, districts=chosen_districts, site_codes=codes)
            )
            from safeclass.services.exports import record_export

            record_export(s, viewer, f"{campaign.id}-xapi", rows=count, filters=filters, file_format="xapi")
            return data, count

        built = run_action(build)
        if built is not None:
            st.session_state[state.SITES_XAPI] = built
    if state.SITES_XAPI in st.session_state:
        data, count = st.session_state[state.SITES_XAPI]
        st.download_button(
            t("exports.xapi_download", count=fmt.number(count)),
            data,
            file_name=f"{campaign.id}-xapi.jsonl",
            mime="application/x-ndjson",
            key="sites.xapi.download",
        )

st.divider()
st.subheader(t("sites.drill_title"), anchor=False)
options = list(keyed["code"])
labels = dict(zip(keyed["code"], keyed["name"], strict=True))
code = st.selectbox(
    t("sites.open"),
    options,
    index=None,
    format_func=lambda c: f"{c} · {labels[c]}",
    key=state.SITES_OPEN,
    placeholder=t("sites.open_placeholder"),
)
if code:
    detail = read(lambda s: site_detail(s, viewer, campaign, code))
    site = detail.site
    st.markdown(f"### {plain(site.name)}")
    st.caption(
        f"{site.code} · {fmt.district(site.district)} · {fmt.site_type(site.site_type)} · "
        f"{t('sites.last_activity', when=fmt.when(detail.last_activity_at))}"
    )
    cols = st.columns(4)
    cols[0].metric(fmt.col("expected_students"), fmt.number(site.expected_students))
    cols[1].metric(fmt.col("learners_started"), detail.learners_started)
    cols[2].metric(fmt.col("learners_completed"), detail.learners_completed)
    cols[3].metric(t("sites.staff_training"), f"{fmt.number(detail.staff_completed)} / {fmt.number(detail.staff_total)}")
    st.markdown(
        t(
            "sites.attested_vs_tracked",
            lessons=fmt.number(detail.lessons_attested),
            students=detail.students_attested,
            tracked=detail.learners_started,
        )
    )
    st.markdown(f"**{t('sites.principal')}**")
    if detail.principals.empty:
        st.warning(t("sites.no_principal"), icon=":material/person_off:")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    fmt.col("username"): detail.principals["username"],
                    fmt.col("display_name"): detail.principals["display_name"],
                    fmt.col("principal_certified"): detail.principals["certified"].map(lambda v: t("sites.yes") if v else t("sites.no")),
                    fmt.col("last_login_at"): detail.principals["last_login_at"].map(fmt.when),
                }
            ),
            hide_index=True,
        )
    st.markdown(f"**{t('sites.classes')}**")
    classes = detail.classes.values
    if classes.empty:
        st.info(t("sites.no_classes"))
    else:
        text_counts = fmt.shown_text(detail.classes, classes, ["learners_joined", "learners_completed"])
        st.dataframe(
            pd.DataFrame(
                {
                    fmt.col("label"): classes["label"],
                    fmt.col("level"): classes["level"].map(lambda v: t(f"level.{v}")),
                    fmt.col("learners_joined"): text_counts["learners_joined"],
                    fmt.col("learners_completed"): text_counts["learners_completed"],
                    fmt.col("lessons_attested"): classes["lessons_attested"].map(fmt.number),
                    fmt.col("closed"): classes["closed_at"].map(lambda v: t("sites.no") if v is None or pd.isna(v) else t("sites.yes")),
                }
            ),
            hide_index=True,
        )
