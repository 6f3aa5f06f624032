"""Follow a drill on your own device with the code on the principal's screen: signed in, or with no name at all."""

import streamlit as st

from safeclass.content.render import plain
from safeclass.services.accounts import staff_member
from safeclass.services.drills import followed_run, join_drill, report
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.browser import client_address
from safeclass.ui.context import context, require_campaign
from safeclass.ui.drill_view import render_inject, render_outcome, render_report, render_timer, role_name
from safeclass.ui.i18n import t, text

ctx = context()
campaign = require_campaign(ctx)
account_id = ctx.account.id if ctx.account is not None else None
token = st.session_state.get(state.DRILL_TOKEN)

if token is None:
    st.title(t("drill.join_title"))
    st.caption(t("drill.join_intro"))
    with st.form("drill.join_form"):
        code = st.text_input(t("drill.code_label"), max_chars=12)
        if st.form_submit_button(t("drill.join"), type="primary"):
            client = client_address()
            joined = run_action(lambda s: join_drill(s, code, client, staff_member(s, account_id) if account_id else None).token)
            if joined is not None:
                st.session_state[state.DRILL_TOKEN] = joined
                st.rerun()
    st.stop()


def _leave() -> None:
    st.session_state.pop(state.DRILL_TOKEN, None)


def follow() -> None:
    """The drill as it stands now: refreshed every few seconds while it runs."""
    run = read(lambda s: followed_run(s, token))
    drill = ctx.catalog.drills.get(run.drill_id)
    if drill is None:
        st.error(t("error.drill_not_found"))
        return
    st.title(text(drill.title, campaign.help))
    st.caption(t("drill.signed_in_as", name=plain(ctx.account.display_name)) if ctx.account else t("drill.anonymous"))
    if run.finished:
        render_report(read(lambda s: report(run, ctx.catalog)), run, campaign)
        return
    if not run.begun:
        st.info(t("drill.waiting"), icon=":material/hourglass_top:")
        st.markdown(text(drill.situation, campaign.help))
        st.markdown(f"**{t('drill.roles')}**\n\n" + "\n".join(f"- {role_name(r)}" for r in drill.roles))
        return
    inject = render_inject(drill, run, campaign)
    render_timer(inject, run.inject_started_at, run.current_decided)
    if run.current_decided:
        render_outcome(inject, run.decisions[run.current_index].option_index, campaign)
    else:
        st.markdown("\n".join(f"{i + 1}. {text(o.text, campaign.help)}" for i, o in enumerate(inject.options)))
        st.caption(t("drill.deciding"))


first = read(lambda s: followed_run(s, token))
st.fragment(follow, run_every=None if first.finished else 2)()
st.button(t("drill.leave"), on_click=_leave, icon=":material/logout:")
