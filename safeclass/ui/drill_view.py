"""How drills look on screen: the inject in play with its timer, the outcome of a decision, the after-action report."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from safeclass import clock, i18n
from safeclass.content.models import Campaign, Drill, DrillInject
from safeclass.drills import AfterAction, timer
from safeclass.response_pdf import REASON_KEYS, duration, result_key
from safeclass.services.drills import RunState
from safeclass.ui import resources
from safeclass.ui.i18n import lang, t, text


def role_name(role: str) -> str:
    """A response role in the current language."""
    return t(f"guide.roles.{role}")


def render_inject(drill: Drill, state: RunState, campaign: Campaign) -> DrillInject:
    """The inject in play: where it stands, what happens, what the group must decide, who leads."""
    inject = drill.injects[state.current_index]
    st.caption(t("drill.inject", n=state.current_index + 1, total=len(drill.injects)))
    st.progress((state.current_index + 1) / len(drill.injects))
    st.subheader(text(inject.title, campaign.help), anchor=False)
    st.markdown(text(inject.situation, campaign.help))
    st.markdown(f"**{text(inject.prompt, campaign.help)}**")
    st.caption(f"{t('drill.lead')} {role_name(inject.lead)}")
    return inject


def render_timer(inject: DrillInject, started_at: dt.datetime | None, decided: bool) -> None:
    """Time left on the inject's clock, or the warning that it ran out (the report marks overtime)."""
    if started_at is None or decided:
        return
    clock_of = timer(inject, started_at)
    now = clock.now()
    left = int(clock_of.remaining(now).total_seconds())
    if clock_of.expired(now):
        st.warning(t("drill.time_up"), icon=":material/timer_off:")
    else:
        st.markdown(f"### :material/timer: {t('drill.time_left', time=f'{left // 60}:{left % 60:02d}')}")


def render_outcome(inject: DrillInject, option_index: int, campaign: Campaign) -> None:
    """The group's decision and its feedback: flagged when critical, with the guide's choice when it missed."""
    option = inject.options[option_index]
    st.markdown(f"**{t('drill.decided')}** {text(option.text, campaign.help)}")
    feedback = text(option.feedback, campaign.help)
    if option.critical:
        st.error(f"**{t('drill.critical')}** {feedback}", icon=":material/dangerous:")
    elif option.follows_guide:
        st.success(f"{t('drill.followed')} {feedback}", icon=":material/check_circle:")
    else:
        st.warning(feedback, icon=":material/info:")
    if not option.follows_guide:
        guide_option = next(o for o in inject.options if o.follows_guide)
        st.info(f"**{t('drill.missed')}** {text(guide_option.text, campaign.help)}", icon=":material/menu_book:")


def render_report(after: AfterAction, state: RunState, campaign: Campaign) -> None:
    """The one-page after-action report on screen, with its PDF."""
    language = lang()
    st.header(t("report.title"), anchor=False)
    st.subheader(text(after.drill.title, campaign.help), anchor=False)
    held = state.finished_at or state.created_at
    when = i18n.date(held.astimezone(clock.SEOUL).date(), language)
    st.caption(t("report.meta", date=when, participants=state.participants, signed_in=state.signed_in))
    a, b, c = st.columns(3)
    a.metric(t("report.decisions"), f"{after.followed} / {len(after.rows)}")
    b.metric(t("report.critical_misses"), len(after.critical_misses))
    c.metric(t("report.time", time=""), duration(after.total_seconds, language))
    for row in after.critical_misses:
        st.error(
            f"**{text(row.inject.title, campaign.help)}** — {text(row.option.text, campaign.help)}  \n"
            f"{t('drill.missed')} {text(row.guide_option.text, campaign.help)}",
            icon=":material/dangerous:",
        )
    st.markdown(f"#### {t('report.decisions')}")
    table = pd.DataFrame(
        [
            {
                t("report.col_n"): n,
                t("report.col_inject"): text(row.inject.title, campaign.help),
                t("report.col_step"): text(row.step.title, campaign.help),
                t("report.col_decision"): text(row.option.text, campaign.help),
                t("report.col_result"): t(result_key(row.critical, row.followed)),
                t("report.col_time"): f"{duration(row.seconds, language)} / {duration(row.limit_seconds, language)}"
                + (f" · {t('report.late')}" if row.late else ""),
            }
            for n, row in enumerate(after.rows, start=1)
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.markdown(f"#### {t('report.follow_ups')}")
    if not after.follow_ups:
        st.success(t("report.no_follow_ups"))
    for follow in after.follow_ups:
        st.markdown(f"- **{role_name(follow.owner)}** — {text(follow.task, campaign.help)} ({t(REASON_KEYS[follow.reason])})")
    meta = {"site_name": state.site_name, "held_at": held, "participants": state.participants, "signed_in": state.signed_in}
    pdf = resources.report_pdf(after, campaign, state.run_id, after.drill.content_hash, language, **meta)
    st.download_button(
        t("report.download"),
        data=pdf,
        file_name=f"after-action-{after.drill.id}-{state.run_id}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key=f"drill.report_pdf.{state.run_id}",
    )
    st.caption(t("report.kept"))
