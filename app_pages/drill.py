"""Tabletop drills: the principal picks one and runs it on the projected screen; the site keeps every report."""

import streamlit as st

from safeclass.content.render import plain
from safeclass.domain import Role
from safeclass.services.accounts import staff_member
from safeclass.services.drills import (
    drill_attendance,
    finish_drill,
    open_next_inject,
    record_decision,
    report,
    run_state,
    site_drills,
    start_drill,
)
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.drill_view import render_inject, render_outcome, render_report, render_timer, role_name
from safeclass.ui.i18n import t, text

ctx = context()
campaign = require_campaign(ctx)
account_id = ctx.account.id
is_principal = ctx.account.role == Role.PRINCIPAL
drills = ctx.catalog.drills


def me(session):  # noqa: ANN001
    """The signed-in staff member, fresh from the database."""
    return staff_member(session, account_id)


def act(action) -> None:  # noqa: ANN001
    """Run one user action; on success show the drill as it now stands."""
    if run_action(action) is not None:
        st.rerun()


def _open(run_id: int) -> None:
    st.session_state[state.DRILL_RUN] = run_id


def _close() -> None:
    st.session_state.pop(state.DRILL_RUN, None)


run_id = st.session_state.get(state.DRILL_RUN)
if run_id is None:
    st.title(t("drill.title"))
    if is_principal:
        st.caption(t("drill.intro"))
        st.subheader(t("drill.choose"), anchor=False)
        if not drills:
            st.info(t("drill.no_drills"))
        for drill in drills.values():
            with st.container(border=True):
                st.markdown(f"**{text(drill.title, campaign.help)}**")
                st.write(text(drill.summary, campaign.help))
                st.caption(t("drill.injects", count=len(drill.injects), minutes=drill.minutes))
                if st.button(t("drill.start"), key=f"drill.start.{drill.id}", icon=":material/play_arrow:"):
                    started = run_action(lambda s, d=drill: start_drill(s, me(s), campaign.id, d).id)
                    if started is not None:
                        _open(started)
                        st.rerun()
    else:
        st.info(t("drill.teacher_intro"), icon=":material/groups:")
        st.page_link("app_pages/drill_join.py", label=t("drill.join_link"), icon=":material/login:")
    st.subheader(t("drill.past"), anchor=False)
    past = read(lambda s: site_drills(s, me(s)))
    if not past:
        st.caption(t("drill.none_yet"))
    for run in past:
        drill = drills.get(run.drill_id)
        title = text(drill.title, campaign.help) if drill else run.drill_id
        status = run.finished_at.date().isoformat() if run.finished_at else t("drill.in_progress")
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"{title} · {status} · {t('drill.joined', count=run.participants, signed_in='-')}")
        if run.finished_at or is_principal:
            label = t("drill.open_report") if run.finished_at else t("drill.continue")
            right.button(label, key=f"drill.open.{run.run_id}", on_click=_open, args=(run.run_id,))
    st.subheader(t("drill.attendance"), anchor=False)
    st.caption(t("drill.attendance_intro"))
    attended = read(lambda s: drill_attendance(s, me(s)))
    if not attended:
        st.caption(t("drill.no_attendance"))
    for row in attended:
        drill = drills.get(row.drill_id)
        title = text(drill.title, campaign.help) if drill else row.drill_id
        st.markdown(f"- {plain(row.display_name)} · {title} · {row.finished_at.date().isoformat()}")
    st.stop()

run = read(lambda s: run_state(s, me(s), run_id))
drill = drills.get(run.drill_id)
st.button(t("drill.back"), on_click=_close, icon=":material/arrow_back:")
if drill is None:
    st.error(t("error.drill_not_found"))
    st.stop()
if run.finished:
    render_report(read(lambda s: report(run, ctx.catalog)), run, campaign)
    st.stop()
if not is_principal:
    st.info(t("drill.teacher_intro"), icon=":material/groups:")
    st.page_link("app_pages/drill_join.py", label=t("drill.join_link"), icon=":material/login:")
    st.stop()


@st.fragment(run_every=3)
def joined() -> None:
    """How many devices follow the drill, refreshed while the principal waits."""
    now = read(lambda s: run_state(s, me(s), run_id))
    st.caption(t("drill.joined", count=now.participants, signed_in=now.signed_in))


with st.container(key="projector-stage"):
    st.header(text(drill.title, campaign.help), anchor=False)
    st.markdown(f"{t('drill.code')}: **`{run.code}`** — {t('drill.code_help')}")
    joined()
    if not run.begun:
        st.subheader(t("drill.situation"), anchor=False)
        st.markdown(text(drill.situation, campaign.help))
        st.markdown(f"**{t('drill.roles')}**")
        st.markdown("\n".join(f"- {role_name(r)}" for r in drill.roles))
        if st.button(t("drill.begin"), type="primary", icon=":material/play_arrow:"):
            act(lambda s: open_next_inject(s, me(s), run_id, drill).id)
        st.stop()

    inject = render_inject(drill, run, campaign)
    if not run.current_decided:
        st.fragment(run_every=1)(render_timer)(inject, run.inject_started_at, False)
        choice = st.radio(
            t("drill.decide"),
            range(len(inject.options)),
            format_func=lambda i: text(inject.options[i].text, campaign.help),
            index=None,
            key=state.drill_choice(run_id, inject.id),
        )
        if st.button(t("drill.record"), type="primary", disabled=choice is None, icon=":material/how_to_vote:"):
            act(lambda s: record_decision(s, me(s), run_id, drill, inject.id, choice).id)
        st.stop()

    render_outcome(inject, run.decisions[run.current_index].option_index, campaign)
    last = run.current_index + 1 >= len(drill.injects)
    if not last and st.button(t("drill.next"), type="primary", icon=":material/skip_next:"):
        act(lambda s: open_next_inject(s, me(s), run_id, drill).id)
    if last and st.button(t("drill.finish"), type="primary", icon=":material/flag:"):
        act(lambda s: finish_drill(s, me(s), run_id, drill).id)
