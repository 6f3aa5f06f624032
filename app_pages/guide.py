"""The case guide for the day a case comes to light: ticks live in this browser session only; nothing is stored."""

import streamlit as st

from safeclass.services.accounts import staff_member
from safeclass.services.guide import record_guide_opened
from safeclass.ui import resources, state
from safeclass.ui.actions import run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.help_directory import contact_lines
from safeclass.ui.i18n import lang, t, text

ctx = context()
campaign = require_campaign(ctx)
guide = ctx.catalog.guide()
if guide is None:
    st.info(t("guide.missing"))
    st.stop()

# The only record of the guide: one opening per session, counted for the signed-in staff member's site and month.
if ctx.account is not None and not st.session_state.get(state.GUIDE_COUNTED):
    account_id = ctx.account.id
    run_action(lambda s: record_guide_opened(s, staff_member(s, account_id), campaign.id))
    st.session_state[state.GUIDE_COUNTED] = True

st.title(text(guide.title, campaign.help))
st.caption(text(guide.summary, campaign.help))
st.info(t("guide.nothing_stored"), icon=":material/lock:")
keys = [state.guide_step(guide.id, step.id) for step in guide.steps]
done = sum(bool(st.session_state.get(k)) for k in keys)
st.progress(done / len(keys), text=t("guide.progress", done=done, total=len(keys)))

for phase in guide.phases:
    st.header(text(phase.title, campaign.help), anchor=False)
    for step in phase.steps:
        with st.container(border=True):
            st.checkbox(f"**{text(step.title, campaign.help)}**", key=state.guide_step(guide.id, step.id))
            if step.critical:
                st.badge(t("guide.critical"), icon=":material/priority_high:", color="red")
            st.caption(f"{t('guide.who')} " + ", ".join(t(f"guide.roles.{r}") for r in step.who))
            st.markdown(text(step.body, campaign.help))
            entries = [campaign.help[key] for key in step.help if key in campaign.help]
            if entries:
                with st.expander(t("guide.help"), icon=":material/support:"):
                    for entry in entries:
                        st.markdown(f"**{text(entry.name)}** — {text(entry.does)}  \n" + "  \n".join(contact_lines(entry)))
            st.caption(f"{t('guide.sources')} " + "; ".join(step.cites))


def _clear() -> None:
    for key in keys:
        st.session_state[key] = False


left, right = st.columns(2)
left.button(t("guide.clear"), on_click=_clear, icon=":material/restart_alt:")
right.download_button(
    t("guide.download"),
    data=resources.guide_pdf(guide, campaign, guide.content_hash, campaign.content_hash, lang()),
    file_name=f"{guide.id}-{lang()}.pdf",
    mime="application/pdf",
    icon=":material/print:",
)
st.caption(t("guide.as_of", date=guide.as_of.isoformat()))
