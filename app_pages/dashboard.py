"""Campaign overview, live: KPIs against dated targets with where we should be today, by district and type, over time."""

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from safeclass import clock, config, i18n
from safeclass.services.measures import Phase, SiteStatus, TargetState
from safeclass.services.reports import by_group, campaign_report, completions_over_time, overview_kinds
from safeclass.ui import coordinator as fmt
from safeclass.ui.actions import read
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t, text

REFRESH = dt.timedelta(seconds=config.overview_refresh_seconds())  # the overview reruns by itself, no reload

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account

st.title(t("dashboard.title"))
scope = t("dashboard.scope_district", district=fmt.district(viewer.district)) if viewer.district else t("dashboard.scope_all")
period = f"{i18n.date(campaign.period.start, lang())} – {i18n.date(campaign.period.end, lang())}"
st.caption(f"{text(campaign.title)} · {period} · {scope}")


def _target_label(target) -> str:  # noqa: ANN001
    if target.label:
        return text(target.label)
    return t("dashboard.target_default", audience=t(f"dashboard.audience_{target.audience}"), metric=t(f"dashboard.metric_{target.metric}"))


@st.fragment(run_every=REFRESH)
def live() -> None:
    report = read(lambda s: campaign_report(s, viewer, campaign))
    if report.sites.empty:
        st.info(t("dashboard.empty"))
        return
    ended = report.phase == Phase.ENDED
    if ended:
        st.info(t("overview.ended", date=i18n.date(campaign.period.end, lang())), icon=":material/flag:")
    elif report.phase == Phase.UPCOMING:
        st.info(t("overview.upcoming", date=i18n.date(campaign.period.start, lang())), icon=":material/event:")
    sites, shown = report.sites, report.shown
    # Sites in one row, students in the next: five side by side cut "1,294 / 1,300" off at desktop width.
    of_sites = fmt.number(len(sites))
    cols = st.columns(3)
    cols[0].metric(t("dashboard.sites_started"), f"{fmt.number(sites['started'].sum())} / {of_sites}")
    cols[1].metric(t("dashboard.principals_certified"), f"{fmt.number(sites['certified'].sum())} / {of_sites}")
    # A site either ran a drill or not, which names no one: shown as it is, like certification.
    cols[2].metric(t("dashboard.sites_drilled"), f"{fmt.number(sites['drilled'].sum())} / {of_sites}")
    cols = st.columns(3)
    cols[0].metric(t("dashboard.learners_joined"), shown.total_text("learners_joined", fmt.number))
    cols[1].metric(fmt.col("learners_completed"), shown.total_text("learners_completed", fmt.number))

    if report.targets:
        st.subheader(t("overview.final_targets") if ended else t("dashboard.targets"), anchor=False)
        for progress in report.targets:
            line = t(
                "dashboard.target_line",
                label=_target_label(progress.target),
                percent=progress.target.percent,
                by=i18n.date(progress.target.by, lang()),
            )
            if progress.current is None:
                st.write(f"{line} — {t('overview.no_data')}")
                continue
            hidden = progress.target.audience == "students" and 0 < progress.numerator < campaign.k
            now = f"<{campaign.k}" if hidden else fmt.percent(progress.current)
            detail = t("overview.now", now=now)
            if not ended and progress.state not in (TargetState.MET, TargetState.MISSED):
                detail += " · " + t("overview.should_be", expected=fmt.percent(progress.expected_now))
            detail += " · " + t(f"overview.state_{progress.state.value}")
            st.progress(0.0 if hidden else min(progress.current * 100 / progress.target.percent, 1.0), text=f"{line} — {detail}")

    counts = sites["status"].value_counts()
    cols = st.columns(len(SiteStatus))
    for col, status in zip(cols, SiteStatus, strict=True):
        col.metric(fmt.status(status.value), fmt.number(int(counts.get(status.value, 0))))

    left, right = st.columns([1, 1])  # the site-type table needs half the width for its five columns to fit
    with left:
        _by_district(report)
    with right:
        _by_type(report)
    _over_time()
    moment = clock.now().astimezone(clock.SEOUL)
    st.caption(
        f"{t('overview.live', seconds=int(REFRESH.total_seconds()))} · {moment:%H:%M:%S} · {t('dashboard.suppressed', k=campaign.k)}"
    )


def _by_district(report) -> None:  # noqa: ANN001
    st.subheader(t("dashboard.by_district"), anchor=False)
    table = by_group(report, "district")
    kinds = overview_kinds(report, "district")
    table["label"] = table["district"].map(fmt.district)
    hidden = kinds["student_completion"].to_numpy() > 0
    table["shown_rate"] = [None if h else float(v) for v, h in zip(table["student_completion"], hidden, strict=True)]
    table["rate_text"] = [
        f"<{campaign.k}" if k == 1 else "*" if k else fmt.percent(v)
        for v, k in zip(table["student_completion"].fillna(0), kinds["student_completion"], strict=True)
    ]
    st.altair_chart(fmt.district_chart(table), width="stretch")


def _by_type(report) -> None:  # noqa: ANN001
    st.subheader(t("dashboard.by_type"), anchor=False)
    table = by_group(report, "site_type")
    kinds = overview_kinds(report, "site_type")
    view = pd.DataFrame(
        {
            fmt.col("site_type"): table["site_type"].map(fmt.site_type),
            fmt.col("sites"): table["sites"].map(fmt.number),
            fmt.col("sites_started"): table["sites_started"].map(fmt.number),
            fmt.col("student_completion"): [
                f"<{campaign.k}" if k == 1 else "*" if k else fmt.percent(v)
                for v, k in zip(table["student_completion"].fillna(0), kinds["student_completion"], strict=True)
            ],
            fmt.col("principal_certification"): table["principal_certification"].map(fmt.percent),
        }
    )
    st.dataframe(view, hide_index=True, width="stretch")


def _over_time() -> None:
    st.subheader(t("overview.over_time"), anchor=False)
    series = read(lambda s: completions_over_time(s, viewer, campaign))
    if series.empty or not series["cumulative"].any():
        st.caption(t("overview.no_completions"))
        return
    series["day"] = pd.to_datetime(series["day"])
    long = series.melt("day", ["cumulative_rate", "target_rate"], var_name="line", value_name="rate")
    long["line"] = long["line"].map({"cumulative_rate": t("overview.line_actual"), "target_rate": t("overview.line_target")})
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%m-%d")),
            y=alt.Y("rate:Q", title=fmt.col("student_completion"), axis=alt.Axis(format="%")),
            color=alt.Color("line:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("line:N", legend=None),
        )
    )
    bars = (
        alt.Chart(series)
        .mark_bar(opacity=0.5)
        .encode(x="day:T", y=alt.Y("completed:Q", title=t("overview.per_day")), tooltip=[alt.Tooltip("day:T"), "completed:Q"])
    )
    st.altair_chart(alt.layer(bars, lines).resolve_scale(y="independent").properties(height=260), width="stretch")
    st.caption(t("overview.pooled", k=campaign.k))


live()
